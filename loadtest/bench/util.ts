// Small helpers shared by the benchmarks (bench-analytics.ts and its phases, bench-movements.ts).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export const now = (): number => performance.now();

export const loadavg = (l = os.loadavg()): string => l.map((x) => x.toFixed(2)).join(' ');

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : fmt(n));

export const randomName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

/** Progress lines with the elapsed time and the load average. */
export function say(message: string): void {
  console.log(`[bench +${process.uptime().toFixed(1)}s] ${message} (load ${loadavg()})`);
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

export const median = (xs: readonly number[]): number => percentile(ascending(xs), 50);

/** Polls `check` until true; the time it became true, or undefined on timeout. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<number | undefined> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await check()) return now();
    await sleep(everyMs);
  }
  return undefined;
}

/** A markdown table, columns padded so it also reads well in a terminal. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)]
    .join('\n')
    .concat('\n');
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc; zeros elsewhere): who used the CPU during a phase.

const CLK_TCK = 100; // USER_HZ, 100 on every mainstream Linux

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** user + system CPU seconds of a process, from /proc/<pid>/stat. */
function processSeconds(pid: number): number {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}

/** The process whose command (`comm`) is `comm` and whose command line contains `needle`. */
function findPid(comm: string, needle: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || readProc(`/proc/${entry}/comm`)?.trim() !== comm) continue;
    if (readProc(`/proc/${entry}/cmdline`)?.includes(needle)) return Number(entry);
  }
  return undefined;
}

export interface CpuSnapshot {
  readonly at: number;
  readonly self: number;
  readonly clickhouse: number;
  readonly kafka: number;
  /** Busy CPU seconds of the whole machine. */
  readonly machine: number;
}

const pids = {
  clickhouse: undefined as number | undefined,
  kafka: undefined as number | undefined,
};

export function cpuSnapshot(): CpuSnapshot {
  pids.clickhouse ??= findPid('clickhouse-serv', 'clickhouse-server');
  pids.kafka ??= findPid('java', 'kafka.Kafka');
  const usage = process.cpuUsage();
  const cpu = readProc('/proc/stat')?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  const busy = cpu ? cpu.slice(0, 8).reduce((s, x, i) => (i === 3 || i === 4 ? s : s + x), 0) : 0;
  return {
    at: now(),
    self: (usage.user + usage.system) / 1e6,
    clickhouse: pids.clickhouse ? processSeconds(pids.clickhouse) : 0,
    kafka: pids.kafka ? processSeconds(pids.kafka) : 0,
    machine: busy / CLK_TCK,
  };
}

export interface CpuUse {
  readonly seconds: number;
  /** CPU seconds used by each, over the phase. */
  readonly self: number;
  readonly clickhouse: number;
  readonly kafka: number;
  /** Everything else on the machine (other sessions' work). */
  readonly others: number;
}

export function cpuSince(start: CpuSnapshot, end = cpuSnapshot()): CpuUse {
  const self = end.self - start.self;
  const clickhouse = end.clickhouse - start.clickhouse;
  const kafka = end.kafka - start.kafka;
  return {
    seconds: (end.at - start.at) / 1000,
    self,
    clickhouse,
    kafka,
    others: Math.max(0, end.machine - start.machine - self - clickhouse - kafka),
  };
}

/** "ClickHouse 1.2 s, this process 0.8 s, Kafka 0.1 s, others 3.0 s of 10.0 s on 2 cores". */
export function describeCpu(c: CpuUse): string {
  const s = (x: number) => `${x.toFixed(1)} s`;
  return `CPU: ClickHouse ${s(c.clickhouse)}, this process ${s(c.self)}, Kafka ${s(c.kafka)}, other processes ${s(c.others)} — of ${s(c.seconds * os.cpus().length)} (${c.seconds.toFixed(1)} s × ${os.cpus().length} cores)`;
}
