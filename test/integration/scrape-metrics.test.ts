import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMetrics } from '../../ingest/imports/metrics.js';
import { consumerLagService } from '../../lib/kafka/consumer-lag.js';
import type { Pool } from '../../lib/postgres/pool.js';
import { heldDepartureMetrics, outboxMetrics } from '../../processors/metrics.js';
import {
  createMigratedClickHouse,
  randomName,
  testKafka,
  testLogger,
} from '../../testkit/resources.js';

// The metrics stockflow reads at scrape time from Postgres and Kafka, against the real servers.

/** Sample lines of one family, label sets as written. */
async function samples(registry: Registry, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name && m[3]) out[m[2] ?? ''] = Number(m[3]);
  }
  return out;
}

describe('metrics read at scrape time', () => {
  let db: Awaited<ReturnType<typeof createMigratedClickHouse>>;
  let pool: Pool;
  beforeAll(async () => {
    db = await createMigratedClickHouse();
    pool = db.pool;
  });
  afterAll(() => db?.drop());

  it('held departures: how many, the oldest one’s wait, and the grace they are held for', async () => {
    const registry = new Registry();
    heldDepartureMetrics(registry, pool, 300, testLogger);
    expect(await samples(registry, 'stockflow_departures_held')).toEqual({ '': 0 });
    expect(await samples(registry, 'stockflow_departures_held_oldest_age_seconds')).toEqual({
      '': 0,
    });
    for (const waited of [100, 10]) {
      await pool.query(
        `INSERT INTO movements (movement_id, status, product_id, dep_event_id, dep_warehouse_id,
           dep_product_id, dep_quantity, departed_at, dep_state, dep_pending_since, dep_pending_until, version)
         VALUES ($1, 'pending_stock', $2, $3, $4, $2, 5, now(), 'pending',
           now() - make_interval(secs => $5), now() - make_interval(secs => $5) + interval '300 seconds', 1)`,
        [randomUUID(), randomUUID(), randomName('ev'), randomUUID(), waited],
      );
    }
    expect(await samples(registry, 'stockflow_departures_held')).toEqual({ '': 2 });
    const age = (await samples(registry, 'stockflow_departures_held_oldest_age_seconds'))[''];
    expect(age).toBeGreaterThanOrEqual(100);
    expect(age).toBeLessThan(130);
    expect(await samples(registry, 'stockflow_departure_grace_seconds')).toEqual({ '': 300 });
  });

  it('the outbox: rows not published yet and the oldest one’s age', async () => {
    const registry = new Registry();
    outboxMetrics(registry, pool, testLogger);
    expect(await samples(registry, 'stockflow_outbox_backlog_messages')).toEqual({ '': 0 });
    await pool.query(
      `INSERT INTO outbox (topic, key, payload, created_at)
       SELECT 't', 'k' || i, '{}'::jsonb, now() - interval '30 seconds' + i * interval '1 second'
         FROM generate_series(0, 2) i`,
    );
    expect(await samples(registry, 'stockflow_outbox_backlog_messages')).toEqual({ '': 3 });
    const age = (await samples(registry, 'stockflow_outbox_oldest_age_seconds'))[''];
    expect(age).toBeGreaterThanOrEqual(30);
    expect(age).toBeLessThan(60);
    await pool.query('DELETE FROM outbox');
    expect(await samples(registry, 'stockflow_outbox_oldest_age_seconds')).toEqual({ '': 0 });
  });

  it('imports by kind and status, and their rows, every kind from 0', async () => {
    const registry = new Registry();
    importMetrics(registry, pool, testLogger);
    const imports = await samples(registry, 'stockflow_imports_total');
    expect(imports['{kind="sales",status="failed"}']).toBe(0);
    expect(Object.keys(imports)).toHaveLength(12);
    const insert = (kind: string, status: string, read: number, imported: number, failed: number) =>
      pool.query(
        `INSERT INTO imports (kind, file_name, sha256, status, bytes_total, rows_read, rows_imported, rows_failed, error)
         VALUES ($1, 'f.csv', $2, $3, 10, $4, $5, $6, $7)`,
        [
          kind,
          randomUUID().replace(/-/g, '').repeat(2),
          status,
          read,
          imported,
          failed,
          status === 'failed' ? 'bad header' : null,
        ],
      );
    await insert('products', 'succeeded', 10, 9, 1);
    await insert('products', 'failed', 0, 0, 0);
    await insert('sales', 'succeeded', 100, 100, 0);
    await insert('sales', 'succeeded', 50, 40, 10);
    // Not finished: not counted.
    await pool.query(
      `INSERT INTO imports (kind, file_name, sha256, status, bytes_total) VALUES ('sales', 'g.csv', $1, 'running', 10)`,
      [randomUUID().replace(/-/g, '').repeat(2)],
    );
    const after = await samples(registry, 'stockflow_imports_total');
    expect(after).toMatchObject({
      '{kind="products",status="succeeded"}': 1,
      '{kind="products",status="failed"}': 1,
      '{kind="sales",status="succeeded"}': 2,
      '{kind="sales",status="failed"}': 0,
      '{kind="countries",status="failed"}': 0,
    });
    expect(await samples(registry, 'stockflow_import_rows_total')).toMatchObject({
      '{kind="products",outcome="imported"}': 9,
      '{kind="products",outcome="failed"}': 1,
      '{kind="sales",outcome="imported"}': 140,
      '{kind="sales",outcome="failed"}': 10,
      '{kind="sales",outcome="duplicate"}': 0,
    });
  });

  it('a Postgres that fails keeps the last figures and counts the error', async () => {
    const registry = new Registry();
    const broken = {
      query: () => Promise.reject(new Error('connection terminated')),
    } as unknown as Pool;
    outboxMetrics(registry, broken, testLogger);
    expect(await samples(registry, 'stockflow_outbox_backlog_messages')).toEqual({ '': 0 });
    expect(await samples(registry, 'stockflow_metrics_collect_errors_total')).toEqual({
      '{collector="outbox"}': 2, // one for each scrape above
    });
  });
});

describe('kafka_consumer_lag (real Kafka)', () => {
  let kafka: Kafka;
  const topic = randomName('lag');
  const groupId = randomName('lag-group');
  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `a${i}` })),
        ...Array.from({ length: 4 }, (_, i) => ({ partition: 1, value: `b${i}` })),
      ],
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('is the end offset less the group’s commit, per partition, while the group’s role runs', async () => {
    const admin = kafka.admin();
    await admin.connect();
    // The group has handled 6 messages of partition 0 and none of partition 1.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '6' }] });
    await admin.disconnect();

    const registry = new Registry();
    const lag = consumerLagService({
      registry,
      kafka,
      logger: testLogger,
      groupId,
      topics: [topic],
    });
    await lag.start();
    expect(await samples(registry, 'kafka_consumer_lag')).toEqual({
      [`{group="${groupId}",topic="${topic}",partition="0"}`]: 4,
      [`{group="${groupId}",topic="${topic}",partition="1"}`]: 4,
    });
    await lag.stop();
    expect(await samples(registry, 'kafka_consumer_lag')).toEqual({});
  });

  it('a broker that does not answer leaves the scrape without lag series', async () => {
    const registry = new Registry();
    const { createKafka } = await import('../../lib/kafka/client.js');
    const nowhere = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'nowhere',
      logger: testLogger,
    });
    const lag = consumerLagService({
      registry,
      kafka: nowhere,
      logger: testLogger,
      groupId,
      topics: [topic],
    });
    await lag.start();
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE kafka_consumer_lag gauge$/m);
    expect(text).not.toMatch(/^kafka_consumer_lag\{/m);
    expect(text).toMatch(
      /^stockflow_metrics_collect_errors_total\{collector="kafka_consumer_lag"\} 1$/m,
    );
    await lag.stop();
  }, 30_000);
});
