import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServingStockflow {
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** Its latest output lines, for a failing test's message. */
  readonly output: () => string;
}

/**
 * Starts stockflow's CLI with a command that serves HTTP and resolves once it
 * listens; rejects with its output if it exits first.
 */
export async function serveStockflow(
  args: readonly string[],
  env: Record<string, string> = {},
  nodeOptions: readonly string[] = [],
): Promise<ServingStockflow> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', 'main.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log: string[] = [];
  const keep = (chunk: Buffer) => (log = [...log, ...chunk.toString().split('\n')].slice(-200));
  child.stderr.on('data', keep);
  child.stdout.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`stockflow ${args.join(' ')} exited with ${code}:\n${log.join('\n')}`)),
    ),
  );
  // Whatever its log level, a process that answers /health is listening.
  const listening = (async () => {
    for (;;) {
      const up = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up || child.exitCode !== null) return;
      await sleep(100);
    }
  })();
  await Promise.race([listening, exited]);
  return { child, base, output: () => log.join('\n') };
}
