import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from '../lib/errors.js';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * The pid recorded for a component, if that process still runs and is ours:
 * its command line must mention our stack folder, so a recycled pid is not mistaken for it.
 */
export function runningPid(pidFile: string, marker: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return commandLine(pid).includes(marker) ? pid : undefined;
}

export interface DetachedOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly pidFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
}

/** Starts a server that outlives this process: own session, output appended to its log. */
export function spawnDetached(options: DetachedOptions): number {
  const log = openSync(options.logFile, 'a');
  try {
    const spawnOptions: SpawnOptions = {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: options.cwd,
      env: options.env ?? process.env,
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    };
    const child = spawn(options.command, [...options.args], spawnOptions);
    if (child.pid === undefined) throw new StackError(`could not start ${options.command}`);
    child.unref();
    writeFileSync(options.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Signals a process and waits for it to exit; escalates to SIGKILL after the timeout. */
export async function stopProcess(
  pid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<'stopped' | 'killed'> {
  try {
    process.kill(pid, signal);
  } catch {
    return 'stopped';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Best effort description of who listens on a port, for error messages. */
export function portHolder(port: number): string {
  const out = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  const match = /pid=(\d+)/.exec(out.stdout ?? '');
  if (!match?.[1]) return 'another process';
  const pid = Number(match[1]);
  const cmd = commandLine(pid).slice(0, 80);
  return `pid ${pid}${cmd ? ` (${cmd})` : ''}`;
}

export function lastLines(file: string, count: number): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-count).join('\n');
  } catch {
    return '(no log yet)';
  }
}

/** Runs a command in the foreground, its output shown to the user as progress. */
export function runVisible(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): void {
  const result = spawnSync(command, [...args], { stdio: 'inherit', ...options });
  if (result.error) throw new StackError(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new StackError(
      `${command} ${args.slice(0, 3).join(' ')} ... exited with ${result.status}`,
    );
  }
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Waits until `probe` resolves true, failing early with the log tail if the process died. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; pid?: number; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    if (options.pid !== undefined && !isAlive(options.pid)) {
      const tail = options.logFile
        ? `\n--- last lines of ${options.logFile}:\n${lastLines(options.logFile, 25)}`
        : '';
      throw new StackError(`${what} exited while starting${tail}`);
    }
    await sleep(250);
  }
  const tail = options.logFile
    ? `\n--- last lines of ${options.logFile}:\n${lastLines(options.logFile, 25)}`
    : '';
  throw new StackError(
    `${what} was not ready after ${Math.round(options.timeoutMs / 1000)}s${tail}`,
  );
}
