// Orders benchmark (seed 004): POST /orders from 1,000 concurrent clients
// against a stockflow process running ingest + relay, then the orders role
// draining what was taken, then a paced 1,000 orders/s with the time from
// accepted to completed. Prints the figures docs/performance.md shows.
//
//   npm run bench:orders                       # 30,000 orders at 1,000 clients, a 20 s paced run
//   npm run bench:orders -- --orders 5000 --clients 200 --paced-seconds 5
//   npm run bench:orders -- --profile /tmp/order-profiles   # CPU profiles of the intake and worker, top functions printed
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderBody } from './bench/order-bodies.js';
import { startOrdersIntake } from './bench/orders-intake.js';
import { topFunctions } from './bench-imports/profile-summary.js';
import { ascending, fmt, markdownTable, ms, now, percentile, say, until } from './bench/util.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '30000' },
    clients: { type: 'string', default: '1000' },
    'paced-rate': { type: 'string', default: '1000' },
    'paced-seconds': { type: 'string', default: '20' },
    profile: { type: 'string' },
  },
});
const ORDERS = Number(values.orders);
const CLIENTS = Number(values.clients);
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
const body = JSON.stringify(orderBody(0));

interface Outcome {
  readonly latencies: number[];
  readonly errors: Map<number, number>;
  readonly seconds: number;
}

/** `total` POSTs from `clients` concurrent clients, each sending its next as soon as one answers. */
async function closedLoop(total: number, clients: number): Promise<Outcome> {
  const latencies: number[] = [];
  const errors = new Map<number, number>();
  let sent = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (sent < total) {
        sent++;
        const t = now();
        const status = await fetch(`${intake.base}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then(
          async (r) => {
            await r.arrayBuffer();
            return r.status;
          },
          () => 0,
        );
        if (status === 202) latencies.push(now() - t);
        else errors.set(status, (errors.get(status) ?? 0) + 1);
      }
    }),
  );
  return { latencies, errors, seconds: (now() - start) / 1000 };
}

/**
 * The intake's own histogram of POST /orders answered 202 (http_request_duration_seconds, from
 * the request's first byte read to its last written): cumulative count per upper bound.
 */
async function serverBuckets(): Promise<Map<number, number>> {
  const text = await (await fetch(`${intake.base}/metrics`)).text();
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_request_duration_seconds_bucket{')) continue;
    if (!line.includes('method="POST"') || !line.includes('status="202"')) continue;
    if (!/route="\/orders[,"]/.test(line)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** Upper bounds (ms) of the buckets holding the p50, p95 and p99 of what was served between two scrapes. */
function serverQuantiles(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  const at = (q: number) => {
    const i = counts.findIndex((c) => c >= q * total);
    const b = bounds[i] ?? Infinity;
    return b === Infinity ? '> 5,000' : `≤ ${fmt(b * 1000)}`;
  };
  return `${at(0.5)} / ${at(0.95)} / ${at(0.99)}`;
}

const unfinished = async () =>
  (
    await p.runtime.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE status IN ('pending', 'processing')`,
    )
  ).rows[0]!.n;

say(`warming up`);
await closedLoop(2000, 100);
say(`${fmt(ORDERS)} orders from ${fmt(CLIENTS)} concurrent clients, no worker running`);
const bucketsBefore = await serverBuckets();
const taken = await closedLoop(ORDERS, CLIENTS);
const served = serverQuantiles(bucketsBefore, await serverBuckets());
const lat = ascending(taken.latencies);
await until(async () => (await unfinished()) >= ORDERS, 60_000);
const backlog = await unfinished();
say(`draining ${fmt(backlog)} orders with one orders process`);
const worker = await serveStockflow(['orders'], env, profiling('worker'));
// From its first settled batch: the process's start-up (tsx compiling) is not the workers' speed.
await until(async () => (await unfinished()) < backlog, 120_000, 20);
const firstSettled = now();
const left = await unfinished();
await until(async () => (await unfinished()) === 0, 600_000, 100);
const drained = (now() - firstSettled) / 1000;
say(`paced: ${RATE} orders/s for ${PACED_SECONDS} s, the worker running`);
const pacedStart = new Date();
const paced: Promise<unknown>[] = [];
const tick = 10; // ms
for (let i = 0; i < (PACED_SECONDS * 1000) / tick; i++) {
  const due = now() + tick;
  for (let k = 0; k < (RATE * tick) / 1000; k++) {
    paced.push(
      fetch(`${intake.base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then((r) => r.arrayBuffer()),
    );
  }
  await sleep(Math.max(0, due - now()));
}
await Promise.allSettled(paced);
await until(async () => (await unfinished()) === 0, 120_000, 200);
const e2e = await p.runtime.pool.query<{ s: number }>(
  `SELECT extract(epoch FROM completed_at - created_at)::float8 * 1000 AS s FROM orders
    WHERE created_at >= $1 AND status = 'completed' ORDER BY 1`,
  [pacedStart],
);
const e2eMs = e2e.rows.map((r) => r.s);

console.log(
  '\n' +
    markdownTable(
      ['Measure', 'Figure'],
      [
        [
          'Orders taken (closed loop)',
          `${fmt(taken.latencies.length)} in ${taken.seconds.toFixed(1)} s`,
        ],
        [
          'Accepted orders/s at ' + fmt(CLIENTS) + ' clients',
          fmt(taken.latencies.length / taken.seconds),
        ],
        [
          'POST /orders p50 / p95 / p99 ms',
          `${ms(percentile(lat, 50))} / ${ms(percentile(lat, 95))} / ${ms(percentile(lat, 99))}`,
        ],
        ['Server-side (its histogram) p50 / p95 / p99 ms', served],
        ['Errors', [...taken.errors].map(([s, n]) => `${n}× ${s}`).join(', ') || '0'],
        [
          'Worker: orders settled/s (one process)',
          `${fmt(left / drained)} (${fmt(left)} in ${drained.toFixed(1)} s)`,
        ],
        [
          `Paced ${fmt(RATE)}/s: accepted → completed p50 / p99 ms`,
          `${ms(percentile(e2eMs, 50))} / ${ms(percentile(e2eMs, 99))} (${fmt(e2eMs.length)} orders)`,
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
