import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '../stack/paths.js';

// stockflow's own CLI as a child process, for tests and benchmarks that need a
// role in a process of its own (to kill it, or to keep it off their event loop).

/**
 * Runs stockflow's CLI as ONE process (`node --import tsx`), not through the
 * tsx wrapper, whose child would survive a SIGKILL sent to the wrapper: a
 * test that kills the process must kill the program itself.
 */
export function spawnStockflow(
  args: readonly string[],
  env: Record<string, string> = {},
  stdio: 'pipe' | 'ignore' = 'pipe',
) {
  return spawn(process.execPath, ['--import', 'tsx', 'main.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', stdio, stdio],
  });
}

/** The same, waiting for it to exit; for commands that end by themselves. */
export function runStockflow(args: readonly string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Signals a child and waits until it has exited; resolves with its exit code. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill(signal);
  return exited;
}
