// The benchmark's result rows (measure, result, target, pass) and the table they print as.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fmt, loadavg, now, percentile } from '../bench/util.js';
import type { ClientResult } from './latency-client.js';

export const TARGETS = { ingestPerSec: 30_000, processPerSec: 10_000, p99Ms: 1_000 };

export interface Row {
  readonly measure: string;
  readonly result: string;
  readonly target?: string;
  readonly pass?: boolean;
}

export function throughput(
  role: string,
  events: number,
  startedAt: number,
  joinedAt: number,
  doneAt: number | undefined,
  target: number,
): Row {
  if (doneAt === undefined)
    return { measure: `${role} throughput`, result: 'timed out', target: `≥ ${fmt(target)}/s` };
  const rate = events / ((doneAt - joinedAt) / 1000);
  return {
    measure: `${role} throughput`,
    result: `${fmt(rate)} ev/s (${((doneAt - joinedAt) / 1000).toFixed(1)} s + ${((joinedAt - startedAt) / 1000).toFixed(1)} s start-up)`,
    target: `≥ ${fmt(target)} ev/s`,
    pass: rate >= target,
  };
}

/**
 * CPU this process spent per event (all roles run here; polling is a small
 * share): steadier than wall time on a shared machine, and 1 s / (CPU per
 * event) is the rate at which one core would be saturated. Over 100% of wall
 * time means V8's helper threads (GC) worked alongside the event loop.
 */
export function cpuRow(
  role: string,
  events: number,
  from: number,
  to: number | undefined,
  used: NodeJS.CpuUsage,
): Row {
  const cpuSeconds = (used.user + used.system) / 1e6;
  const wall = ((to ?? now()) - from) / 1000;
  return {
    measure: `${role} CPU per event`,
    result: `${((cpuSeconds / events) * 1e6).toFixed(0)} µs (${fmt(events / cpuSeconds)} ev/s per core; process CPU ${fmt((100 * cpuSeconds) / wall)}% of wall time)`,
  };
}

export function latencyRows(r: ClientResult | undefined): Row[] {
  if (!r) return [{ measure: 'latency', result: 'load generator failed', pass: false }];
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const ms = (p: number) => `${fmt(percentile(sorted, p))} ms`;
  return [
    {
      measure: 'latency load produced',
      result: `${fmt(r.produced)} events in ${r.producedSeconds.toFixed(1)} s = ${fmt(r.produced / r.producedSeconds)} ev/s`,
    },
    {
      measure: 'latency samples',
      result: `${fmt(sorted.length)} visible, ${r.timedOut} timed out; ${fmt(r.polls)} polls, ${r.pollRoundTripMs.toFixed(1)} ms mean round trip`,
    },
    { measure: 'produce → API p50', result: ms(50) },
    { measure: 'produce → API p95', result: ms(95) },
    {
      measure: 'produce → API p99',
      result: ms(99),
      target: `< ${fmt(TARGETS.p99Ms)} ms`,
      pass: r.timedOut === 0 && percentile(sorted, 99) < TARGETS.p99Ms,
    },
    { measure: 'produce → API max', result: ms(100) },
  ];
}

export function printReport(
  rows: readonly Row[],
  loadBefore: number[],
  workload: { legs: number; rate: number; seconds: number },
): void {
  const cpu =
    /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  console.log(`\nstockflow movement pipeline benchmark, ${new Date().toISOString()}`);
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`load average (1/5/15 min): ${loadavg(loadBefore)} before, ${loadavg()} after`);
  console.log(
    `workload: ${fmt(workload.legs)} movement legs; latency ${fmt(workload.rate)} ev/s for ${workload.seconds} s\n`,
  );
  const table = rows.map((r) => [
    r.measure,
    r.result,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['measure', 'result', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    [line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n'),
  );
}
