import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.js';
import { movementEvent, SEED, uuidOf } from '../../testkit/movement-events.js';
import {
  createPipeline,
  eventually,
  readTopic,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';

const json = (v: unknown) => JSON.stringify(v);

async function stockOf(
  p: Pipeline,
  warehouse: string,
  product: string = SEED.product,
): Promise<number | undefined> {
  const r = await p.runtime.pool.query<{ quantity: string }>(
    'SELECT quantity FROM stock WHERE warehouse_id = $1 AND product_id = $2',
    [warehouse, product],
  );
  return r.rows[0] ? Number(r.rows[0].quantity) : undefined;
}

async function movementRow(p: Pipeline, id: string) {
  const r = await p.runtime.pool.query<{
    status: string;
    anomalies: { code: string }[];
    dep_reject_reason: string | null;
    version: number;
  }>('SELECT status, anomalies, dep_reject_reason, version FROM movements WHERE movement_id = $1', [
    id,
  ]);
  return r.rows[0];
}

describe('movement pipeline: raw topic → ingest → processor → Postgres', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await createPipeline({ DEPARTURE_GRACE_SECONDS: '2' });
    await p.startRole('ingest');
    await p.startRole('process');
    await p.startRole('relay');
  });
  afterAll(() => p.close());

  it("applies the seed's example after a stock count, and publishes the changes", async () => {
    await p.produceRaw([
      json(movementEvent('inventory', { id: 'count-1', movement: uuidOf(1, 1), quantity: 250 })),
    ]);
    await eventually(
      async () => ((await stockOf(p, SEED.sender)) === 250 ? true : undefined),
      30_000,
      'count',
    );
    await p.produceRaw([json(movementEvent('departure')), json(movementEvent('arrival'))]);
    const m = await eventually(async () => {
      const row = await movementRow(p, SEED.movementId);
      return row?.status === 'completed' ? row : undefined;
    });
    expect(m.anomalies).toEqual([]);
    expect(await stockOf(p, SEED.sender)).toBe(150);
    expect(await stockOf(p, SEED.receiver)).toBe(100);
    const changes = await readTopic(p.topics.stockChanges, 3);
    const balances = changes.map(
      (c) => JSON.parse(c.value!.toString()) as { reason: string; balance: number },
    );
    expect(balances.map((b) => [b.reason, b.balance]).sort()).toEqual([
      ['arrival', 100],
      ['departure', 150],
      ['inventory', 250],
    ]);
  });

  it('pairs legs in either order and ignores duplicates', async () => {
    const id = uuidOf(2, 1);
    const w1 = uuidOf(3, 1);
    const w2 = uuidOf(3, 2);
    const count = json(
      movementEvent('inventory', { movement: uuidOf(4, 1), warehouse: w1, quantity: 40 }),
    );
    const arrival = json(movementEvent('arrival', { movement: id, warehouse: w2, quantity: 30 }));
    const departure = json(
      movementEvent('departure', { movement: id, warehouse: w1, quantity: 30 }),
    );
    await p.produceRaw([count, arrival, arrival]);
    await eventually(async () =>
      (await movementRow(p, id))?.status === 'arrived_first' ? true : undefined,
    );
    await p.produceRaw([departure, arrival, departure, count]);
    await eventually(async () =>
      (await movementRow(p, id))?.status === 'completed' ? true : undefined,
    );
    // Let any further (duplicate) deliveries land, then check nothing moved twice.
    await p.produceRaw([departure, arrival, count]);
    await p.caughtUp();
    expect(await stockOf(p, w1)).toBe(10);
    expect(await stockOf(p, w2)).toBe(30);
    const ledger = await p.runtime.pool.query('SELECT 1 FROM stock_ledger WHERE movement_id = $1', [
      id,
    ]);
    expect(ledger.rowCount).toBe(2);
    expect((await movementRow(p, id))?.version).toBe(2);
  });

  it('never goes below zero: a departure short of stock is held, then rejected after the grace', async () => {
    const id = uuidOf(5, 1);
    const w = uuidOf(6, 1);
    // The count first, applied: keyed by movement, the two could land on different partitions.
    await p.produceRaw([
      json(movementEvent('inventory', { movement: uuidOf(7, 1), warehouse: w, quantity: 5 })),
    ]);
    await eventually(async () => ((await stockOf(p, w)) === 5 ? true : undefined));
    await p.produceRaw([
      json(movementEvent('departure', { movement: id, warehouse: w, quantity: 8 })),
    ]);
    await eventually(async () =>
      (await movementRow(p, id))?.status === 'pending_stock' ? true : undefined,
    );
    expect(await stockOf(p, w)).toBe(5);
    const rejected = await eventually(async () => {
      const row = await movementRow(p, id);
      return row?.status === 'rejected' ? row : undefined;
    });
    expect(rejected.dep_reject_reason).toMatch(/insufficient stock: 8 needed at .*, 5 available/);
    expect(await stockOf(p, w)).toBe(5);
    const negative = await p.runtime.pool.query('SELECT 1 FROM stock_ledger WHERE balance < 0');
    expect(negative.rowCount).toBe(0);
  });

  it('a held departure goes through when stock arrives within the grace', async () => {
    const id = uuidOf(8, 1);
    const w = uuidOf(9, 1);
    await p.produceRaw([
      json(movementEvent('departure', { movement: id, warehouse: w, quantity: 8 })),
    ]);
    await eventually(async () =>
      (await movementRow(p, id))?.status === 'pending_stock' ? true : undefined,
    );
    await p.produceRaw([
      json(movementEvent('arrival', { movement: uuidOf(8, 2), warehouse: w, quantity: 10 })),
    ]);
    await eventually(async () =>
      (await movementRow(p, id))?.status === 'in_transit' ? true : undefined,
    );
    expect(await stockOf(p, w)).toBe(2);
  });

  it('sends malformed and invalid events to the DLQ with the original bytes, every reason and the source position', async () => {
    const malformed = '{"id": "x", broken';
    const invalid = json({
      ...movementEvent('departure'),
      source: 'WH-12',
      data: { ...movementEvent('departure').data, quantity: -3 },
    });
    await p.produceRaw([malformed, invalid], (i) => `bad-${i}`);
    const dead = await readTopic(p.topics.dlq, 2);
    expect(dead).toHaveLength(2);
    const byKey = new Map(dead.map((m) => [m.key?.toString(), m]));
    const first = byKey.get('bad-0')!;
    expect(first.value?.toString()).toBe(malformed);
    expect(first.headers?.[DLQ_HEADERS.topic]?.toString()).toBe(p.topics.raw);
    expect(first.headers?.[DLQ_HEADERS.partition]?.toString()).toMatch(/^\d+$/);
    expect(first.headers?.[DLQ_HEADERS.offset]?.toString()).toMatch(/^\d+$/);
    expect(JSON.parse(first.headers![DLQ_HEADERS.errors]!.toString())).toEqual([
      { path: '', message: expect.stringMatching(/malformed JSON/) as unknown },
    ]);
    const second = byKey.get('bad-1')!;
    expect(second.value?.toString()).toBe(invalid);
    const errors = JSON.parse(second.headers![DLQ_HEADERS.errors]!.toString()) as {
      path: string;
    }[];
    expect(errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/source', '/data/quantity']),
    );
  });
});
