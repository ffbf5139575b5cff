// Orders benchmark (seed 004), the processing side: a backlog of orders taken
// by a stockflow process running ingest (the relay in another; no worker running), one
// orders process draining it, then a paced rate with the worker running and
// the time from accepted to completed. Requests go out on the open-model
// sender of the load tests (loadtest/engine/), from 1,000 connections; the
// intake's own stepped load and chart are `npm run loadtest -- orders`.
// Prints the figures docs/performance.md shows.
//
//   npm run bench:orders                       # a 30,000-order backlog, then 1,000 orders/s for 20 s
//   npm run bench:orders -- --orders 5000 --paced-seconds 5
//   npm run bench:orders -- --profile /tmp/order-profiles   # CPU profiles of the intake and worker, top functions printed
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { orderBody } from './bench/order-bodies.js';
import { startOrdersIntake } from './bench/orders-intake.js';
import { topFunctions } from './bench-imports/profile-summary.js';
import { fmt, markdownTable, ms, now, percentile, say, until } from './bench/util.js';
import { Connections } from './engine/open-model.js';
import type { HttpRequest, StepResult } from './engine/types.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '30000' },
    connections: { type: 'string', default: '1000' },
    'fill-rate': { type: 'string', default: '2000' },
    'paced-rate': { type: 'string', default: '1000' },
    'paced-seconds': { type: 'string', default: '20' },
    profile: { type: 'string' },
  },
});
const ORDERS = Number(values.orders);
const CONNECTIONS = Number(values.connections);
const FILL_RATE = Number(values['fill-rate']);
const RATE = Number(values['paced-rate']);
const PACED_SECONDS = Number(values['paced-seconds']);
const PROFILE_DIR = values.profile;
// Written by each process when it exits (SIGTERM at the end of the run), a folder per process:
// tsx's loader thread writes a profile of its own beside the main thread's.
const profiling = (name: string) =>
  PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.join(PROFILE_DIR, name)] : [];
/** The process's main-thread profile: the largest one in its folder. */
const mainProfile = (name: string): string => {
  const dir = path.join(PROFILE_DIR ?? '', name);
  const files = readdirSync(dir).map((f) => path.join(dir, f));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
};

const bench = await startOrdersIntake({ nodeOptions: profiling('intake') });
const { intake, env, pipeline: p } = bench;
const { serveStockflow, stopChild } = await import('../testkit/stockflow-process.js');
const BODIES = Array.from({ length: 1000 }, (_, i) => JSON.stringify(orderBody(i)));
const headers = { 'content-type': 'application/json' };
const request = (i: number): HttpRequest => ({
  method: 'POST',
  path: '/orders',
  headers,
  body: BODIES[i % BODIES.length]!,
});
const unfinished = async () =>
  (
    await p.runtime.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE status IN ('pending', 'processing')`,
    )
  ).rows[0]!.n;
const latencies = (r: StepResult) =>
  `${ms(r.p50 ?? NaN)} / ${ms(r.p95 ?? NaN)} / ${ms(r.p99 ?? NaN)}`;
const errors = (r: StepResult) => fmt(r.non2xx + r.socketErrors);

say(`opening ${fmt(CONNECTIONS)} connections`);
const connections = await Connections.open(intake.base, CONNECTIONS);
say(`a backlog of ${fmt(ORDERS)} orders at ${fmt(FILL_RATE)}/s, no worker running`);
// A warm-up first, as the load tests do (JIT, pools); its orders join the backlog.
await connections.step({ rate: FILL_RATE, seconds: 2 }, request);
const fill = await connections.step({ rate: FILL_RATE, seconds: ORDERS / FILL_RATE }, request);
await until(async () => (await unfinished()) >= fill.ok, 60_000);
const backlog = await unfinished();
say(`draining ${fmt(backlog)} orders with one orders process`);
const worker = await serveStockflow(['orders'], env, profiling('worker'));
// From its first settled batch: the process's start-up (tsx compiling) is not the workers' speed.
await until(async () => (await unfinished()) < backlog, 120_000, 20);
const firstSettled = now();
const left = await unfinished();
await until(async () => (await unfinished()) === 0, 600_000, 100);
const drained = (now() - firstSettled) / 1000;
say(`paced: ${fmt(RATE)} orders/s for ${PACED_SECONDS} s, the worker running`);
// The connections idled through the drain and were closed: a warm-up reopens them, unmeasured.
await connections.step({ rate: RATE, seconds: 3 }, request);
const pacedStart = new Date();
const paced = await connections.step({ rate: RATE, seconds: PACED_SECONDS }, request);
await until(async () => (await unfinished()) === 0, 120_000, 200);
const e2e = await p.runtime.pool.query<{ s: number }>(
  `SELECT extract(epoch FROM completed_at - created_at)::float8 * 1000 AS s FROM orders
    WHERE created_at >= $1 AND status = 'completed' ORDER BY 1`,
  [pacedStart],
);
const e2eMs = e2e.rows.map((r) => r.s);
await connections.close();

console.log(
  '\n' +
    markdownTable(
      ['Measure', 'Figure'],
      [
        [
          `Backlog taken at ${fmt(FILL_RATE)}/s: achieved/s, POST p50 / p95 / p99 ms, errors`,
          `${fmt(fill.achieved)}, ${latencies(fill)}, ${errors(fill)}`,
        ],
        [
          'Worker: orders settled/s (one process)',
          `${fmt(left / drained)} (${fmt(left)} in ${drained.toFixed(1)} s)`,
        ],
        [
          `Paced ${fmt(RATE)}/s, worker running: POST p50 / p95 / p99 ms, errors`,
          `${latencies(paced)}, ${errors(paced)}`,
        ],
        [
          `Paced ${fmt(RATE)}/s: accepted → completed p50 / p95 / p99 ms`,
          `${ms(percentile(e2eMs, 50))} / ${ms(percentile(e2eMs, 95))} / ${ms(percentile(e2eMs, 99))} (${fmt(e2eMs.length)} orders)`,
        ],
      ],
    ),
);
await stopChild(worker.child, 'SIGTERM');
// The intake writes its profile as it stops.
await bench.close();
if (PROFILE_DIR) {
  for (const name of ['intake', 'worker']) {
    const file = mainProfile(name);
    console.log(
      `\n${name} (${file}), self time by function:\n${topFunctions(file, 25).join('\n')}`,
    );
  }
}
process.exit(0);
