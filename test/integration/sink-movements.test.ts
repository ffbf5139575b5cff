import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { uuidOf } from '../../testkit/movement-events.js';
import { coveredWorkload } from '../../testkit/workload.js';
import {
  committedToEnd,
  createPipeline,
  eventually,
  readTopic,
  type Pipeline,
  type RoleInstance,
} from '../../testkit/pipeline-harness.js';
import { testKafka } from '../../testkit/resources.js';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.js';
import { STOCK_CHANGE_SQL, jsonbObject } from '../../processors/change-payloads.js';

// Movement analytics in ClickHouse must equal what Postgres (the exact store)
// says, and stay equal when the sink reads everything again.

interface Flow {
  warehouse_id: string;
  product_id: string;
  inbound: string;
  outbound: string;
}

describe('ClickHouse sink: movement and stock changes', () => {
  let p: Pipeline;
  let ch: ClickHouseClient;
  let sink: RoleInstance;
  const workload = coveredWorkload({ movements: 400, warehouses: 4, products: 3, seed: 5 });

  const rows = async <T>(query: string): Promise<T[]> =>
    (await ch.query({ query, format: 'JSONEachRow' })).json<T>();

  const sinkCaughtUp = async () => {
    const ledger = await p.runtime.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM stock_ledger',
    );
    const versions = await p.runtime.pool.query<{ n: string }>(
      'SELECT coalesce(sum(version), 0) AS n FROM movements',
    );
    await eventually(
      async () => {
        const [a] = await rows<{ n: string }>(
          `SELECT count() AS n FROM ${p.config.clickhouseDatabase}.stock_changes`,
        );
        const [b] = await rows<{ n: string }>(
          `SELECT count() AS n FROM ${p.config.clickhouseDatabase}.movement_changes`,
        );
        return a?.n === ledger.rows[0]?.n && b?.n === versions.rows[0]?.n ? true : undefined;
      },
      60_000,
      'the sink to catch up',
    );
    // A raw table's rows are visible before its views' rows from the same INSERT: wait until
    // the sink committed its offsets, which it does only once every insert has returned.
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [
      p.topics.stockChanges,
      p.topics.movementChanges,
    ]);
  };

  const flows = () =>
    rows<Flow>(
      `SELECT warehouse_id, product_id, toString(sum(inbound)) AS inbound, toString(sum(outbound)) AS outbound
       FROM ${p.config.clickhouseDatabase}.stock_flow_daily GROUP BY warehouse_id, product_id ORDER BY warehouse_id, product_id`,
    );

  beforeAll(async () => {
    p = await createPipeline({ KAFKA_PARTITIONS: '3' });
    ch = createClickHouse({ url: p.config.clickhouseUrl });
    await p.startRole('ingest');
    await p.startRole('process');
    await p.startRole('relay');
    sink = await p.startRole('sink');
    await p.produceRaw(workload.counts.map((e) => JSON.stringify(e)));
    await p.caughtUp();
    await p.produceRaw(workload.legs.map((e) => JSON.stringify(e)));
    await p.caughtUp();
    await sinkCaughtUp();
  });
  afterAll(async () => {
    await ch.close();
    await p.close();
  });

  it('inbound and outbound per warehouse and product equal the Postgres ledger', async () => {
    const expected = await p.runtime.pool.query<Flow>(
      `SELECT warehouse_id::text, product_id::text,
              sum(CASE WHEN reason = 'arrival' THEN delta ELSE 0 END)::text AS inbound,
              sum(CASE WHEN reason = 'departure' THEN -delta ELSE 0 END)::text AS outbound
       FROM stock_ledger GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(await flows()).toEqual(expected.rows);
  });

  it('transit statistics per route and stock in transit agree with the movements', async () => {
    const db = p.config.clickhouseDatabase;
    const routes = await rows<{ movements: string; lost: string }>(
      `SELECT toString(countMerge(movements)) AS movements, toString(sumMerge(lost)) AS lost FROM ${db}.route_transit_daily`,
    );
    const expected = await p.runtime.pool.query<{ movements: string; lost: string }>(
      `SELECT count(*)::text AS movements, coalesce(sum(greatest(dep_quantity - arr_quantity, 0)), 0)::text AS lost
       FROM movements WHERE status = 'completed'`,
    );
    expect(routes).toEqual(expected.rows);
    const [inTransit] = await rows<{ q: string }>(
      `SELECT toString(sum(quantity)) AS q FROM ${db}.in_transit`,
    );
    expect(inTransit?.q).toBe('0'); // every movement of the workload completed
  });

  it('a change message that does not fit its contract goes to the DLQ with the reason, not into a table', async () => {
    const db = p.config.clickhouseDatabase;
    const ledgerId = 900_000_000 + Math.floor(Math.random() * 1_000_000);
    const misfit = JSON.stringify({
      ledger_id: ledgerId,
      warehouse_id: uuidOf(0xa1, 0),
      product_id: uuidOf(0xb2, 0),
      reason: 'arrival',
      delta: 5,
      // no balance: once read as 0, now refused
      movement_id: uuidOf(0xc3, 1),
      event_id: 'misfit',
      occurred_at: '2025-02-18T12:00:00+00:00',
      recorded_at: '2025-02-18T12:00:01+00:00',
    });
    await p.produce(p.topics.stockChanges, [misfit], () => 'misfit');
    const dead = await eventually(
      async () =>
        (await readTopic(p.topics.dlq, 1_000, 2_000)).find((m) => m.value?.toString() === misfit),
      60_000,
      'the misfit on the DLQ',
    );
    expect(JSON.parse(String(dead.headers?.[DLQ_HEADERS.errors]))).toEqual([
      { path: '', message: 'stock change does not fit its contract: /balance is missing' },
    ]);
    expect(String(dead.headers?.[DLQ_HEADERS.topic])).toBe(p.topics.stockChanges);
    const stored = await rows<{ n: string }>(
      `SELECT count() AS n FROM ${db}.stock_changes WHERE ledger_id = ${ledgerId}`,
    );
    expect(stored[0]?.n).toBe('0');
  });

  it('a forced redelivery of everything, and re-published outbox messages, change nothing', async () => {
    const before = await flows();
    const db = p.config.clickhouseDatabase;
    const [countBefore] = await rows<{ n: string }>(`SELECT count() AS n FROM ${db}.stock_changes`);
    // Re-publish some stock changes, as an outbox relay that crashed before deleting would.
    const copies = await rows<{ payload: string }>(
      `SELECT toString(ledger_id) AS payload FROM ${db}.stock_changes ORDER BY ledger_id LIMIT 50`,
    );
    const originals = await p.runtime.pool.query<{ payload: unknown; key: string }>(
      `SELECT ${jsonbObject(STOCK_CHANGE_SQL)} AS payload,
         warehouse_id::text || '/' || product_id::text AS key
       FROM stock_ledger WHERE id = ANY($1::bigint[])`,
      [copies.map((c) => c.payload)],
    );
    await p.producer.send({
      topic: p.topics.stockChanges,
      messages: originals.rows.map((r) => ({ key: r.key, value: JSON.stringify(r.payload) })),
    });
    // And make the sink read every partition from the start again.
    await sink.stop();
    const admin = testKafka().admin();
    await admin.connect();
    for (const topic of [p.topics.stockChanges, p.topics.movementChanges]) {
      await admin.resetOffsets({ groupId: `${p.config.kafkaGroupId}.sink`, topic, earliest: true });
    }
    await admin.disconnect();
    sink = await p.startRole('sink');
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [p.topics.stockChanges]);
    const [countAfter] = await rows<{ n: string }>(`SELECT count() AS n FROM ${db}.stock_changes`);
    expect(countAfter).toEqual(countBefore);
    expect(await flows()).toEqual(before);
  });
});
