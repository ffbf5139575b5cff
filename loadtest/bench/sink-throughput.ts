// Phase 1 of the analytics benchmark: one sink (processors/sink/role.ts, exactly as `main.ts sink`
// builds it) drains a backlog of Avro sale lines on an isolated validated topic into an isolated
// ClickHouse database; rows/s = lines / time until `sales` holds them all.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pino } from 'pino';
import type { Histogram } from 'prom-client';
import { encodeValidated, registerStreamSchema } from '../../ingest/codec.js';
import { salesStream } from '../../ingest/streams/index.js';
import { createClickHouse } from '../../lib/clickhouse/client.js';
import { ch as literal, sql } from '../../lib/clickhouse/sql.js';
import { loadConfig } from '../../lib/config.js';
import { ensureTopics } from '../../lib/kafka/client.js';
import type { Service } from '../../lib/lifecycle.js';
import { createRegistry } from '../../lib/metrics.js';
import { migrate } from '../../lib/migrate.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { kafkaSource, SOURCE_HEADER } from '../../lib/kafka/provenance.js';
import { uncoveredRanges } from '../../lib/clickhouse/sales-touches.js';
import { createRuntime } from '../../lib/runtime.js';
import { movementTopics, salesTopics, topicNames } from '../../lib/kafka/topics.js';
import { positions } from '../../processors/sink/refresher.js';
import { createRole } from '../../processors/sink/role.js';
import { SalesGenerator, toSale } from './data.js';
import { cpuSince, cpuSnapshot, fmt, now, randomName, say, until, type CpuUse } from './util.js';

export interface SinkResult {
  readonly rows: number;
  readonly produceSeconds: number;
  /** Start of the sink → every row in `sales` (group join included). */
  readonly totalSeconds: number;
  /** First row in `sales` → every row (steady state). */
  readonly steadySeconds: number;
  /** Last row in → the refreshed tables cover every committed line (undefined: they did not). */
  readonly refreshedSeconds: number | undefined;
  readonly batches: number;
  readonly meanBatchMs: number;
  readonly timedOut: boolean;
  /** Who used the CPU from the sink's start until every row was in. */
  readonly cpu: CpuUse;
}

const PRODUCE_CHUNK = 50_000;

/**
 * `density`: the lines per year of the feed (the endpoint data set's size), so the backlog covers
 * as many days as that many lines a year would. `postgresUrl`: a scratch Postgres database for migrate()'s lock and bookkeeping (the sink does
 * not use Postgres).
 */
export async function sinkThroughput(
  rows: number,
  postgresUrl: string,
  density: number,
  /** Where to write a CPU profile (.cpuprofile) of this process while the sink runs. */
  profile?: string,
): Promise<SinkResult> {
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const env = {
    KAFKA_TOPIC: randomName('bench_mv'),
    KAFKA_SALES_TOPIC: randomName('bench_sales'),
    KAFKA_GROUP_ID: randomName('bench_group'),
    CLICKHOUSE_DATABASE: randomName('bench_sink'),
    DATABASE_URL: postgresUrl,
    DATABASE_POOL_SIZE: '2',
  };
  const config = loadConfig({ ...process.env, ...env });
  const rt = createRuntime(config, logger, createRegistry());
  const sales = salesTopics(config.kafkaSalesTopic);
  const movements = movementTopics(config.kafkaTopic);
  const admin = rt.kafka.admin();
  const producer = rt.kafka.producer();
  const ch = createClickHouse({ url: config.clickhouseUrl });
  const started: Service[] = [];
  const subject = `${sales.validated}-value`;
  try {
    await Promise.all([admin.connect(), producer.connect()]);
    await migrate({
      pool: rt.pool,
      clickhouse: ch,
      clickhouseDatabase: config.clickhouseDatabase,
      logger,
    });
    await ensureTopics(admin, [{ topic: sales.validated, numPartitions: 3 }]);
    const schemaId = await registerStreamSchema(rt.schemaRegistry, salesStream, sales.validated);

    say(`sink: producing ${fmt(rows)} Avro sale lines to ${sales.validated} (3 partitions)`);
    // The first lines of a feed as dense as the endpoint data set: a backlog of recent days in
    // payment order, as a live feed leaves it.
    const gen = new SalesGenerator(Math.max(rows, density), 1234);
    const p0 = now();
    for (let done = 0; done < rows;) {
      const n = Math.min(PRODUCE_CHUNK, rows - done);
      const messages = [];
      for (let k = 0; k < n; k++) {
        const m = encodeValidated(salesStream, schemaId, toSale(gen.next()));
        // Where ingest read the line, as it records it: partition and offset of a raw topic.
        const i = done + k;
        const source = kafkaSource(sales.raw, i % 3, String(Math.floor(i / 3)));
        messages.push({ ...m, headers: { [SOURCE_HEADER]: source } });
      }
      await sendAll(producer, [{ topic: sales.validated, messages }]);
      done += n;
    }
    const produceSeconds = (now() - p0) / 1000;
    say(`sink: produced in ${produceSeconds.toFixed(1)} s; starting one sink`);

    // From the parts' row counts, not count(): 18.16 answers count() by reading a column of
    // every row (about 4 ms per million rows here). Polled up to 20 times a second over a
    // 5M-line backlog, that cost ClickHouse about 0.15 CPU-seconds per 100k rows, taken from
    // the sink it measures.
    const count = async () => {
      const r = await ch.query({
        query: sql`SELECT toString(sum(rows)) AS n FROM system.parts
          WHERE database = ${literal.string(config.clickhouseDatabase)} AND table = 'sales' AND active`
          .text,
        format: 'JSONEachRow',
      });
      return Number((await r.json<{ n: string }>())[0]?.n ?? 0);
    };
    const inspector = profile ? new Session() : undefined;
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    const cpu0 = cpuSnapshot();
    const t0 = now();
    const parts = await createRole(rt);
    for (const s of parts.services) {
      await s.start();
      started.push(s);
    }
    let first: number | undefined;
    let last = 0;
    const done = await until(
      async () => {
        const n = await count();
        if (n > 0 && first === undefined) first = now();
        if (n !== last && Math.floor(n / 100_000) !== Math.floor(last / 100_000)) {
          say(`sink: ${fmt(n)} rows in ClickHouse`);
        }
        last = n;
        return n >= rows;
      },
      Math.max(120_000, rows * 2),
      50,
    );
    const end = done ?? now();
    const cpu = cpuSince(cpu0);
    if (inspector && profile) {
      const { profile: data } = await inspector.post('Profiler.stop');
      writeFileSync(profile, JSON.stringify(data));
      inspector.disconnect();
      say(`sink: CPU profile of the sink written to ${profile}`);
    }
    // The refreshers defer to a draining backlog (processors/sink/role.ts): how long after the
    // last row the tables they keep covered every committed line.
    const uncovered = async () => {
      const p = await positions(
        {
          clickhouse: ch,
          clickhouseUrl: config.clickhouseUrl,
          database: config.clickhouseDatabase,
          pool: rt.pool,
          logger,
        },
        ['sales_touch_positions', 'sink_commits', 'buyer_flags_progress', 'seller_days_progress'],
      );
      const { sales_touch_positions: touched, sink_commits: commits } = p;
      return (
        commits.size === 0 ||
        uncoveredRanges(touched, p.buyer_flags_progress, commits).length > 0 ||
        uncoveredRanges(touched, p.seller_days_progress, commits).length > 0
      );
    };
    const refreshed =
      done === undefined ? undefined : await until(async () => !(await uncovered()), 600_000, 100);
    if (refreshed !== undefined) {
      say(`sink: refreshed tables caught up ${((refreshed - end) / 1000).toFixed(1)} s later`);
    }
    const histogram = rt.metrics.getSingleMetric('kafka_batch_duration_seconds') as
      Histogram | undefined;
    const values = (await histogram?.get())?.values ?? [];
    const batches = values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const seconds = values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    return {
      rows: done === undefined ? last : rows,
      produceSeconds,
      totalSeconds: (end - t0) / 1000,
      steadySeconds: (end - (first ?? t0)) / 1000,
      refreshedSeconds: refreshed === undefined ? undefined : (refreshed - end) / 1000,
      batches,
      meanBatchMs: batches > 0 ? (seconds / batches) * 1000 : 0,
      timedOut: done === undefined,
      cpu,
    };
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    const existing = new Set(await admin.listTopics().catch(() => []));
    const topics = [...topicNames(sales), ...topicNames(movements)].filter((t) => existing.has(t));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    // The registry keeps subjects until deleted twice: soft, then permanently.
    for (const q of ['', '?permanent=true']) {
      await fetch(`${config.schemaRegistryUrl}/subjects/${subject}${q}`, {
        method: 'DELETE',
      }).catch(() => undefined);
    }
    await ch
      .command({ query: `DROP DATABASE IF EXISTS ${config.clickhouseDatabase}` })
      .catch(() => undefined);
    await ch.close();
    await rt.close();
  }
}
