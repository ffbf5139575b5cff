// The import benchmark's result rows (measure, result, goal, pass) and the table they print as.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fmt, loadavg, markdownTable } from '../bench/util.js';

export const GOALS = { referencePerSec: 200_000, salesPerSec: 50_000 };

export interface Row {
  readonly measure: string;
  readonly result: string;
  readonly goal?: string;
  readonly pass?: boolean;
}

export const mib = (kb: number | undefined): string =>
  kb === undefined ? 'unknown' : `${fmt(kb / 1024)} MiB`;

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function printReport(
  rows: readonly Row[],
  loadBefore: number[],
  workload: { products: number; sales: number; memory: readonly number[] },
): void {
  const cpu =
    /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  console.log(`\nstockflow import benchmark, ${new Date().toISOString()}`);
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`load average (1/5/15 min): ${loadavg(loadBefore)} before, ${loadavg()} after`);
  console.log(
    `workload: ${fmt(workload.products)} products rows, ${fmt(workload.sales)} sale lines; peak memory at ${workload.memory.map(fmt).join(', ') || 'no other'} rows\n`,
  );
  console.log(
    markdownTable(
      ['measure', 'result', 'goal', ''],
      rows.map((r) => [
        r.measure,
        r.result,
        r.goal ?? '',
        r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
      ]),
    ),
  );
}
