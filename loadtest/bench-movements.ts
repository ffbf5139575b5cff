// `npm run bench [-- --events N --rate R --seconds S]`: throughput and latency of
// the movement pipeline on this machine, against its own isolated topics and
// databases (set up and torn down like testkit/pipeline-harness.ts).
// A benchmark reports; it never fails: the exit code is 0 whatever it measured.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Admin } from 'kafkajs';
import { pino } from 'pino';
import { createApp } from '../api/app.js';
import { movementsFeature } from '../api/movements/routes.js';
import { loadConfig, settings } from '../lib/config.js';
import { createKafka } from '../lib/kafka/client.js';
import { createRegistry, type Registry } from '../lib/metrics.js';
import { createRuntime, type Runtime } from '../lib/runtime.js';
import { ensureMovementTopics } from '../lib/kafka/topics.js';
import { stackContext, stackUp } from '../stack/manager.js';
import { movementEvent } from '../testkit/movement-events.js';
import { coveredWorkload } from '../testkit/workload.js';

const TARGETS = { ingestPerSec: 30_000, processPerSec: 10_000, p99Ms: 1_000 };
const POLL_MS = 20;
const VISIBLE_TIMEOUT_MS = 30_000; // a sample not visible by then counts as timed out

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    // Internal: the forked load generator and API process.
    'latency-client': { type: 'boolean', default: false },
    'api-server': { type: 'boolean', default: false },
  },
});
const N = Number(opts.events);
const RATE = Number(opts.rate);
const SECONDS = Number(opts.seconds);

const now = () => performance.now();
const loadavg = (l = os.loadavg()) => l.map((x) => x.toFixed(2)).join(' ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Polls `check` every `everyMs` until it is true; returns the time it became true, or undefined on timeout. */
async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 25) {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await check()) return now();
    await sleep(everyMs);
  }
  return undefined;
}

async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

const sum = (m: Map<number, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Row {
  readonly measure: string;
  readonly result: string;
  readonly target?: string;
  readonly pass?: boolean;
}

// ---------------------------------------------------------------------------
// The latency load generator runs in a child process, so that producing and
// polling do not share an event loop with the roles they measure.

interface ClientJob {
  readonly brokers: readonly string[];
  readonly rawTopic: string;
  readonly apiUrl: string;
  readonly rate: number;
  readonly seconds: number;
  readonly warehouses: readonly string[];
  readonly products: readonly string[];
}

interface ClientResult {
  readonly produced: number;
  readonly producedSeconds: number;
  readonly latenciesMs: number[];
  /** Sampled movement ids with their produce time (epoch ms), to split the latency by stage. */
  readonly sampled: [string, number][];
  readonly timedOut: number;
  readonly polls: number;
  readonly pollRoundTripMs: number;
}

async function latencyClient(job: ClientJob): Promise<ClientResult> {
  const kafka = createKafka({
    brokers: job.brokers,
    clientId: 'bench-latency',
    logger: pino({ level: 'warn' }),
  });
  const producer = kafka.producer();
  await producer.connect();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let polls = 0;
  let pollTime = 0;
  const get = (path: string, etag?: string) =>
    new Promise<{ status: number; etag?: string; body: string }>((resolve, reject) => {
      const req = http.get(
        `${job.apiUrl}${path}`,
        { agent, headers: etag ? { 'if-none-match': etag } : {} },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, body }),
          );
        },
      );
      req.on('error', reject);
    });

  /** Polls one movement until both legs are applied; the ETag makes unchanged polls a cheap 304. */
  async function visibleAfter(id: string, producedAt: number): Promise<number | undefined> {
    let etag: string | undefined;
    while (now() - producedAt < VISIBLE_TIMEOUT_MS) {
      polls++;
      const sent = now();
      const res = await get(`/api/movements/${id}`, etag).catch(() => undefined);
      pollTime += now() - sent;
      if (res?.status === 200) {
        etag = res.etag;
        if ((JSON.parse(res.body) as { status: string }).status === 'completed')
          return now() - producedAt;
      }
      await sleep(POLL_MS);
    }
    return undefined;
  }

  const movements = Math.floor((job.rate * job.seconds) / 2);
  const stride = Math.max(1, Math.min(10, Math.floor(movements / 300))); // ≥ 300 samples
  const watches: Promise<number | undefined>[] = [];
  const sampledAt: [string, number][] = [];
  let made = 0;
  const start = now();
  // Each tick sends what is due by now, so a slow send is made up on the next tick.
  while (made < movements && now() - start < job.seconds * 1000 + 30_000) {
    const due = Math.min(movements, Math.floor(((now() - start) / 1000) * (job.rate / 2)));
    const values: string[] = [];
    const sampled: string[] = [];
    for (; made < due; made++) {
      const id = randomUUID();
      const w = made % job.warehouses.length;
      const shared = { movement: id, product: job.products[made % job.products.length] };
      const quantity = 1 + (made % 5);
      const to = job.warehouses[(w + 1) % job.warehouses.length];
      values.push(
        JSON.stringify(
          movementEvent('departure', { ...shared, warehouse: job.warehouses[w], quantity }),
        ),
        JSON.stringify(movementEvent('arrival', { ...shared, warehouse: to, quantity })),
      );
      if (made % stride === 0) sampled.push(id);
    }
    if (values.length > 0) {
      const producedAt = now();
      const producedEpoch = Date.now();
      const sent = producer.send({
        topic: job.rawTopic,
        acks: -1,
        messages: values.map((value) => ({ key: null, value })),
      });
      for (const id of sampled) {
        watches.push(visibleAfter(id, producedAt));
        sampledAt.push([id, producedEpoch]);
      }
      await sent;
    }
    await sleep(5);
  }
  const producedSeconds = (now() - start) / 1000;
  const results = await Promise.all(watches);
  await producer.disconnect();
  agent.destroy();
  const latenciesMs = results.filter((r): r is number => r !== undefined);
  return {
    produced: made * 2,
    producedSeconds,
    latenciesMs,
    sampled: sampledAt,
    timedOut: results.length - latenciesMs.length,
    polls,
    pollRoundTripMs: pollTime / Math.max(1, polls),
  };
}

/** The API in a process of its own, as in production: its requests don't queue behind the roles' work. */
async function apiServer(): Promise<void> {
  const rt = createRuntime(loadConfig(), pino({ level: 'error' }), createRegistry());
  const app = createApp({
    logger: rt.logger,
    metrics: rt.metrics,
    checks: rt.checks,
    features: [movementsFeature({ pool: rt.pool })],
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send?.({ port: (server.address() as AddressInfo).port });
  // Asked to stop: report the mean server-side time per request, then exit.
  process.once('message', () => {
    void meanSeconds(rt.metrics, 'http_request_duration_seconds').then((s) =>
      process.send?.({ meanMs: s * 1000 }, () => process.exit(0)),
    );
  });
  process.once('disconnect', () => process.exit(0));
}

type Mode = 'latency-client' | 'api-server';

function forkSelf(mode: Mode, env: Record<string, string> = {}): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [`--${mode}`], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
}

/** The child's next message, or undefined when it exits or `timeoutMs` passes first. */
function nextMessage<T>(child: ChildProcess, timeoutMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (m: unknown) => done(m as T);
    const onExit = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

// ---------------------------------------------------------------------------

// Module-level, so a run that fails half-way still reports what it measured.
const rows: Row[] = [];

async function bench(): Promise<void> {
  const config = loadConfig();
  await stackUp(stackContext(config, (m) => console.log(`[stack] ${m}`)));
  // The harness' logger reads TEST_LOG_LEVEL when it is imported (TEST_LOG_LEVEL=warn shows retries).
  process.env.TEST_LOG_LEVEL ??= 'error';
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const { createPipeline } = await import('../testkit/pipeline-harness.js');
  const { testLogger } = await import('../testkit/resources.js');
  const { spawnStockflow } = await import('../testkit/stockflow-process.js');
  // The production pool size, not the harness' smaller one.
  const p = await createPipeline({ DATABASE_POOL_SIZE: settings.databasePoolSize.default });
  const admin = createKafka({
    brokers: p.config.kafkaBrokers,
    clientId: 'bench-admin',
    logger: testLogger,
  }).admin();
  await admin.connect();
  // The raw topic must exist before anything is produced to it (no auto-creation).
  await ensureMovementTopics(admin, p.topics, p.config.kafkaPartitions);
  const say = (m: string) =>
    console.log(`[bench +${process.uptime().toFixed(1)}s] ${m} (load ${loadavg()})`);
  const children: ChildProcess[] = [];
  say(
    `isolated pipeline: topic ${p.topics.raw}, database ${new URL(p.env.DATABASE_URL ?? '').pathname.slice(1)}, ClickHouse ${p.env.CLICKHOUSE_DATABASE}`,
  );
  try {
    // Only the ids the latency run needs outlive phase 1: a heap still holding
    // N events would slow this process's garbage collection, and so the roles.
    const { counts, legs, warehouses, products, movementId } = eventsToProduce(N);
    const events = legs.length;

    // The outbox relay runs throughout as production runs it: `main.ts relay`, its own process.
    const relay = spawnStockflow(['relay'], { ...p.env, PORT: '0', LOG_LEVEL: 'warn' }, 'ignore');
    children.push(relay);

    // 0. Stock counts first, applied and committed, so every departure is covered.
    say(`applying ${counts.length} stock counts`);
    await p.produceRaw(counts.splice(0));
    let ingest = await p.startRole('ingest');
    let processor = await p.startRole('process');
    await p.caughtUp(120_000);
    await processor.stop();
    await ingest.stop();

    // 1. Ingest: N raw events waiting, one ingest instance.
    say(`producing ${fmt(events)} raw events`);
    let t = now();
    await p.produceRaw(legs.splice(0));
    rows.push({
      measure: 'pre-produce raw (sendAll)',
      result: `${fmt(events / ((now() - t) / 1000))} ev/s`,
    });
    const outTopics = [p.topics.validated, p.topics.dlq];
    const outSum = async () =>
      (await Promise.all(outTopics.map((topic) => highWatermarks(admin, topic)))).reduce(
        (a, m) => a + sum(m),
        0n,
      );
    const before = await outSum();
    say('ingest: starting one instance');
    const t0 = now();
    ingest = await p.startRole('ingest');
    const t1 = now();
    let cpu = process.cpuUsage();
    const ingested = await until(
      async () => (await outSum()) - before >= BigInt(events),
      60_000 + events,
    );
    rows.push(throughput('ingest', events, t0, t1, ingested, TARGETS.ingestPerSec));
    rows.push(cpuRow('ingest', events, t1, ingested, process.cpuUsage(cpu)));

    // 2. Processor: the validated topic holds N events, one processor instance.
    const ends = await highWatermarks(admin, p.topics.validated);
    const applied = async () => {
      const r = await p.runtime.pool.query<{ partition: number; next_offset: string }>(
        'SELECT partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
        [`${p.config.kafkaGroupId}.process`, p.topics.validated],
      );
      const done = new Map(r.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
      return [...ends].every(([partition, end]) => (done.get(partition) ?? 0n) >= end);
    };
    say('processor: starting one instance');
    const p0 = now();
    processor = await p.startRole('process');
    const p1 = now();
    cpu = process.cpuUsage();
    const processed = await until(applied, 60_000 + events * 2, 50);
    rows.push(throughput('processor', events, p0, p1, processed, TARGETS.processPerSec));
    rows.push(cpuRow('processor', events, p1, processed, process.cpuUsage(cpu)));
    rows.push({ measure: 'processor tx retries', result: String(await retries(processor)) });

    // The relay publishes what the processor wrote, alongside it; let it finish,
    // so it doesn't compete with the latency run below.
    t = now();
    const drained = await until(
      async () =>
        (await p.runtime.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox')).rows[0]
          ?.n === '0',
      180_000,
      200,
    );
    rows.push({
      measure: 'outbox relay drained after',
      result: drained ? `${((drained - t) / 1000).toFixed(1)} s` : 'timed out (180 s)',
    });

    // 3. Latency: ingest + processor running here, the API in its own process,
    // movements produced at a steady rate by a load generator in a third.
    const api = forkSelf('api-server', p.env);
    children.push(api);
    const ready = await nextMessage<{ port: number }>(api, 60_000);
    if (!ready) throw new Error('the API process did not start');
    const apiUrl = `http://127.0.0.1:${ready.port}`;
    // express-openapi-validator compiles its validators on first use: not part of the latency.
    for (let i = 0; i < 20; i++)
      await fetch(`${apiUrl}/api/movements/${movementId}`).then((r) => r.text());
    say(`latency: ${fmt(RATE)} events/s for ${SECONDS} s`);
    // How long the roles' event loop makes work wait.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const client = forkSelf('latency-client');
    children.push(client);
    const result = nextMessage<ClientResult>(client, (SECONDS + 90) * 1000);
    client.send({
      brokers: p.config.kafkaBrokers,
      rawTopic: p.topics.raw,
      apiUrl,
      rate: RATE,
      seconds: SECONDS,
      warehouses,
      products,
    } satisfies ClientJob);
    const r = await result;
    lag.disable();
    api.send('stop');
    const apiStats = await nextMessage<{ meanMs: number }>(api, 10_000);
    rows.push(...latencyRows(r));
    if (r) rows.push(await committedRow(p.runtime, r.sampled));
    rows.push({
      measure: 'API server time (mean)',
      result: apiStats ? `${apiStats.meanMs.toFixed(1)} ms` : 'unknown',
    });
    rows.push({
      measure: "roles' event-loop delay",
      result: `p99 ${fmt(lag.percentile(99) / 1e6)} ms, max ${fmt(lag.max / 1e6)} ms`,
    });
  } finally {
    say('cleaning up');
    for (const child of children) if (child.exitCode === null) child.kill();
    await admin.disconnect();
    const subject = `${p.topics.validated}-value`;
    await p.close();
    // The registry keeps subjects until deleted twice: soft, then permanently.
    for (const q of ['', '?permanent=true'])
      await fetch(`${p.config.schemaRegistryUrl}/subjects/${subject}${q}`, {
        method: 'DELETE',
      }).catch(() => undefined);
  }
}

/** Counts covering every departure, then N legs, as raw JSON; plus the ids the latency run reuses. */
function eventsToProduce(n: number) {
  const workload = coveredWorkload({
    movements: Math.ceil(n / 2),
    warehouses: 20,
    products: 100,
    seed: 42,
  });
  return {
    counts: workload.counts.map((e) => JSON.stringify(e)),
    legs: workload.legs.slice(0, n).map((e) => JSON.stringify(e)),
    warehouses: [...new Set(workload.counts.map((e) => e.data.warehouse_id))],
    products: [...new Set(workload.counts.map((e) => e.data.product_id))],
    movementId: workload.legs[0]?.data.movement_id ?? '',
  };
}

/** Transactions the processor retried (deadlocks, lock timeouts): a cause of lost throughput. */
async function retries(instance: { runtime: Runtime }): Promise<number> {
  const metric = instance.runtime.metrics.getSingleMetric('stockflow_processor_retries_total');
  const values = (await metric?.get())?.values ?? [];
  return values.reduce((a, v) => a + v.value, 0);
}

/** Produce → start of the transaction that completed the movement (its `updated_at` is `now()`). */
async function committedRow(rt: Runtime, sampled: [string, number][]): Promise<Row> {
  const res = await rt.pool.query<{ movement_id: string; at: Date }>(
    'SELECT movement_id, updated_at AS at FROM movements WHERE movement_id = ANY($1::uuid[])',
    [sampled.map(([id]) => id)],
  );
  const at = new Map(res.rows.map((row) => [row.movement_id, row.at.getTime()]));
  const ms = sampled
    .flatMap(([id, producedAt]) => (at.has(id) ? [at.get(id)! - producedAt] : []))
    .sort((a, b) => a - b);
  return {
    measure: 'produce → completing tx start',
    result: `p50 ${fmt(percentile(ms, 50))} ms, p99 ${fmt(percentile(ms, 99))} ms, max ${fmt(percentile(ms, 100))} ms`,
  };
}

async function meanSeconds(metrics: Registry, name: string): Promise<number> {
  const values = (await metrics.getSingleMetric(name)?.get())?.values ?? [];
  const total = (suffix: string) =>
    values
      .filter((v) => (v as { metricName?: string }).metricName === `${name}${suffix}`)
      .reduce((a, v) => a + v.value, 0);
  return total('_sum') / Math.max(1, total('_count'));
}

function throughput(
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
function cpuRow(
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

function latencyRows(r: ClientResult | undefined): Row[] {
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

function printReport(rows: readonly Row[], loadBefore: number[]): void {
  const cpu =
    /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  console.log(`\nstockflow movement pipeline benchmark, ${new Date().toISOString()}`);
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`load average (1/5/15 min): ${loadavg(loadBefore)} before, ${loadavg()} after`);
  console.log(`workload: ${fmt(N)} movement legs; latency ${fmt(RATE)} ev/s for ${SECONDS} s\n`);
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

if (opts['api-server']) {
  apiServer().catch((err: unknown) => {
    console.error('[bench] API process failed', err);
    process.exit(1);
  });
} else if (opts['latency-client']) {
  process.once('message', (job) => {
    latencyClient(job as ClientJob)
      .then((result) => process.send?.(result, () => process.exit(0)))
      .catch((err: unknown) => {
        console.error('[bench] latency client failed', err);
        process.exit(1);
      });
  });
} else {
  const loadBefore = os.loadavg();
  void bench()
    .catch((err: unknown) => console.error('[bench] failed:', err))
    .then(() => printReport(rows, loadBefore))
    // Benchmarks report, they don't fail CI; kafkajs timers would keep the process alive.
    .finally(() => process.exit(0));
}
