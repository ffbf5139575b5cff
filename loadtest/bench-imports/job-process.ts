// The import job as production runs it, `node --import tsx main.ts import KIND FILE`, in a
// process of its own: its memory is the job's alone, and its CPU time is not the benchmark's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../stack/paths.js';

const USAGE_PRELOAD = pathToFileURL(fileURLToPath(new URL('./report-usage.ts', import.meta.url)));

export interface JobRun {
  readonly exitCode: number | null;
  /** The import's id, from the command's last line. */
  readonly importId: number | undefined;
  readonly output: string;
  /** Epoch ms: when the process was spawned and when it had exited. */
  readonly spawnedAt: number;
  readonly exitedAt: number;
  /** Peak resident set of the process (getrusage), KiB. */
  readonly maxRssKb: number | undefined;
  /** User + system CPU time of the process, µs. */
  readonly cpuUs: number | undefined;
  /** The .cpuprofile written, when asked for one. */
  readonly profile: string | undefined;
}

export async function runImportJob(
  kind: string,
  file: string,
  env: Record<string, string>,
  profileDir?: string,
): Promise<JobRun> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'stockflow-bench-job-'));
  const usageFile = path.join(scratch, 'usage.json');
  const profileName = `import-${kind}-${Date.now()}.cpuprofile`;
  const profiling = profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', profileName]
    : [];
  const spawnedAt = Date.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      USAGE_PRELOAD.href,
      ...profiling,
      'main.ts',
      'import',
      kind,
      file,
    ],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, LOG_FORMAT: 'json', BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const exitedAt = Date.now();
  let usage: { maxRssKb?: number; cpuUs?: number } = {};
  try {
    usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
  } catch {
    // The process died before its exit handler ran: no usage figures.
  }
  rmSync(scratch, { recursive: true, force: true });
  const id = /^import (\d+)/m.exec(output)?.[1];
  return {
    exitCode,
    importId: id === undefined ? undefined : Number(id),
    output,
    spawnedAt,
    exitedAt,
    maxRssKb: usage.maxRssKb,
    cpuUs: usage.cpuUs,
    profile: profileDir ? path.join(profileDir, profileName) : undefined,
  };
}
