// `npm run bench [-- --events N --rate R --seconds S]`: throughput and latency of
// the movement pipeline on this machine, against its own isolated topics and
// databases (set up and torn down like testkit/pipeline-harness.ts).
// A benchmark reports; it never fails: the exit code is 0 whatever it measured.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { settings } from '../lib/config.js';
import { createKafka } from '../lib/kafka/client.js';
import { ensureMovementTopics } from '../lib/kafka/topics.js';
import { applyMovementEvents, eventsToProduce } from './bench/movement-events.js';
import { benchStack } from './bench/stack.js';
import { fmt, loadavg, now, until } from './bench/util.js';
import { apiServer } from './bench-movements/api-server.js';
import { nextMessage } from './bench-movements/child-messages.js';
import {
  latencyClient,
  type ClientJob,
  type ClientResult,
} from './bench-movements/latency-client.js';
import { committedRow, highWatermarks, retries, sum } from './bench-movements/measure.js';
import {
  cpuRow,
  latencyRows,
  printReport,
  TARGETS,
  throughput,
  type Row,
} from './bench-movements/report.js';

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

type Mode = 'latency-client' | 'api-server';

function forkSelf(mode: Mode, env: Record<string, string> = {}): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [`--${mode}`], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
}

// ---------------------------------------------------------------------------

// Module-level, so a run that fails half-way still reports what it measured.
const rows: Row[] = [];

async function bench(): Promise<void> {
  await benchStack();
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
    await applyMovementEvents(p, [counts.splice(0)]);

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
    await p.startRole('ingest');
    const t1 = now();
    let cpu = process.cpuUsage();
    const ingested = await until(
      async () => (await outSum()) - before >= BigInt(events),
      60_000 + events,
      25,
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
    const processor = await p.startRole('process');
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
    .then(() => printReport(rows, loadBefore, { legs: N, rate: RATE, seconds: SECONDS }))
    // Benchmarks report, they don't fail CI; kafkajs timers would keep the process alive.
    .finally(() => process.exit(0));
}
