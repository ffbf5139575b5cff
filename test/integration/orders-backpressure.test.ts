// Back-pressure of POST /orders: with ORDERS_MAX_IN_FLIGHT orders being made
// durable (here held by a lock on the orders table), the next request gets 503
// with Retry-After at once instead of waiting in an unbounded queue, and the
// held ones are still stored and answered 202 when the lock goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView } from '../../lib/postgres/order-rows.js';
import { createPipeline, eventually, type Pipeline } from '../../testkit/pipeline-harness.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

describe('POST /orders under more load than it takes', () => {
  let p: Pipeline;
  let served: ServedApp;

  beforeAll(async () => {
    p = await createPipeline({ ORDERS_MAX_IN_FLIGHT: '2', DATABASE_POOL_SIZE: '6' });
    const ingest = await p.startRole('ingest');
    served = await serveFeatures(ingest.features);
  }, 120_000);
  afterAll(async () => {
    await served?.close();
    await p?.close();
  });

  const post = () =>
    fetch(`${served.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'bp', item_ids: ['item1'], total_amount: 79.99 }),
    });

  it('answers 503 with Retry-After past ORDERS_MAX_IN_FLIGHT, and loses none of those it took', async () => {
    const blocker = await p.runtime.pool.connect();
    let held: Promise<Response>[];
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE orders IN EXCLUSIVE MODE');
      held = [post(), post()];
      // Both are in flight once their inserts wait on the lock.
      await eventually(async () => {
        const r = await p.runtime.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE '%INSERT INTO orders%'`,
        );
        return r.rows[0]!.n === 2 ? true : undefined;
      });
      const refused = await post();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/being taken/);
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }
    const answers = await Promise.all(held);
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    const ids = await Promise.all(
      answers.map(async (a) => ((await a.json()) as OrderView).order_id),
    );
    const stored = await p.runtime.pool.query<{ order_id: string }>(
      'SELECT order_id FROM orders ORDER BY order_id',
    );
    expect(stored.rows.map((r) => r.order_id)).toEqual([...ids].sort());
    // The capacity is back once they are answered.
    expect((await post()).status).toBe(202);
  });
});
