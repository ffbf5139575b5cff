import type { KafkaMessage } from 'kafkajs';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse.js';
import { sinkBatchHandler } from '../../processors/sink/sink-handler.js';
import { sinkSources } from '../../processors/sink/role.js';
import { createPipeline, type Pipeline } from './pipeline-harness.js';
import { testLogger } from './support.js';

// A batch larger than one INSERT: chunks must land in offset order, so that
// the stored position (the highest offset inserted) never runs ahead of rows
// that are not in yet.

const change = (n: number) =>
  JSON.stringify({
    ledger_id: n,
    warehouse_id: 'w',
    product_id: 'p',
    reason: 'arrival',
    delta: 1,
    balance: n,
    movement_id: `m${n}`,
    occurred_at: '2025-03-01T10:00:00Z',
    recorded_at: '2025-03-01T10:00:01Z',
  });

const messages = (first: number, count: number): KafkaMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    key: null,
    value: Buffer.from(change(first + i)),
    offset: String(i),
    timestamp: '0',
    attributes: 0,
    headers: {},
  }));

describe('sink: a batch in several inserts', () => {
  let p: Pipeline;
  let clickhouse: ClickHouseClient;
  beforeAll(async () => {
    p = await createPipeline();
    clickhouse = createClickHouse({ url: p.config.clickhouseUrl });
  });
  afterAll(async () => {
    await clickhouse.close();
    await p.close();
  });

  const handler = (client: ClickHouseClient) =>
    sinkBatchHandler({
      clickhouse: client,
      clickhouseUrl: p.config.clickhouseUrl,
      database: p.config.clickhouseDatabase,
      registry: p.runtime.schemaRegistry,
      producer: p.producer,
      sources: sinkSources(p.config),
      logger: testLogger,
      rows: new Counter({
        name: 'rows',
        help: 'rows',
        labelNames: ['table', 'outcome'],
        registers: [new Registry()],
      }),
      chunkRows: 3,
    });

  const stored = async (partition: number) => {
    const db = p.config.clickhouseDatabase;
    const r = await clickhouse.query({
      query: `SELECT toString(count()) AS n, toString(max(_offset)) AS o FROM ${db}.stock_changes WHERE _partition = ${partition}`,
      format: 'JSONEachRow',
    });
    const [row] = await r.json<{ n: string; o: string }>();
    const pos = await clickhouse.query({
      query: `SELECT toString(maxMerge(max_offset)) AS o FROM ${db}.sink_positions WHERE partition = ${partition}`,
      format: 'JSONEachRow',
    });
    const [position] = await pos.json<{ o: string }>();
    return { rows: Number(row?.n), maxOffset: row?.o, position: position?.o };
  };

  it('inserts every chunk and records the last offset', async () => {
    const batch = { topic: p.topics.stockChanges, partition: 0, messages: messages(1, 10) };
    await handler(clickhouse)(batch);
    expect(await stored(0)).toEqual({ rows: 10, maxOffset: '9', position: '9' });
  });

  it('after a failed chunk, redelivery completes the batch without duplicates', async () => {
    const batch = { topic: p.topics.stockChanges, partition: 1, messages: messages(101, 10) };
    let inserts = 0;
    const failing = Object.create(clickhouse) as ClickHouseClient;
    failing.insert = (params) =>
      ++inserts === 3 ? Promise.reject(new Error('disk full')) : clickhouse.insert(params);
    await expect(handler(failing)(batch)).rejects.toThrow('disk full');
    // Chunks 1 and 2 landed, chunk 3 did not, and chunk 4 was never sent ahead of it.
    expect(await stored(1)).toEqual({ rows: 6, maxOffset: '5', position: '5' });
    await handler(clickhouse)(batch);
    expect(await stored(1)).toEqual({ rows: 10, maxOffset: '9', position: '9' });
  });
});
