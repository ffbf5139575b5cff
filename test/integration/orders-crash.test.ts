import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movementsFeature } from '../../api/movements/routes.js';
import { ordersFeature } from '../../api/orders/routes.js';
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import { createPipeline, eventually, type Pipeline } from '../../testkit/pipeline-harness.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';
import {
  serveStockflow,
  stopChild,
  type ServingStockflow,
} from '../../testkit/stockflow-process.js';

const W = uuidOf(0x0c2, 1);

// The orders role in a process of its own, killed with SIGKILL while a batch
// is under way: between marking its orders processing and settling them.
describe('an orders worker killed mid-batch', () => {
  let p: Pipeline;
  let served: ServedApp;
  const workers: ServingStockflow[] = [];

  beforeAll(async () => {
    p = await createPipeline();
    const ingest = await p.startRole('ingest');
    await p.startRole('process');
    await p.startRole('relay');
    served = await serveFeatures([
      movementsFeature({ pool: p.runtime.pool }),
      ordersFeature({ pool: p.runtime.pool, memoMs: 0 }),
      ...ingest.features,
    ]);
    await p.runtime.pool.query(
      `INSERT INTO products (product_id, name, unit_price) VALUES ('crash-1', 'Widget', 2.50)`,
    );
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) await stopChild(w.child, 'SIGTERM');
    await served.close();
    await p.close();
  });

  const worker = async () => {
    const w = await serveStockflow(['orders'], { ...p.env, LOG_LEVEL: 'warn' });
    workers.push(w);
    return w;
  };

  it('loses no order and counts none twice: a new worker finishes what the dead one held, stock exact', async () => {
    const counted = await fetch(`${served.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        movementEvent('inventory', {
          id: 'c',
          movement: uuidOf(0xc2, 1),
          warehouse: W,
          product: 'crash-1',
          quantity: 30,
        }),
      ),
    });
    expect(counted.status).toBe(202);
    await eventually(async () => {
      const r = await p.runtime.pool.query(
        'SELECT 1 FROM stock WHERE product_id = $1 AND quantity = 30',
        ['crash-1'],
      );
      return r.rowCount === 1 ? true : undefined;
    });
    const first = await worker();
    // Hold the stock: the worker marks its batch processing, then waits inside its settling transaction.
    const blocker = await p.runtime.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE stock IN EXCLUSIVE MODE');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${served.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: `c${i}`, item_ids: ['crash-1'], total_amount: 2.5 }),
      });
      expect(r.status).toBe(202);
      ids.push(((await r.json()) as { order_id: string }).order_id);
    }
    await eventually(async () => {
      const r = await p.runtime.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE order_id = ANY($1) AND status = 'processing'`,
        [ids],
      );
      return r.rows[0]!.n > 0 ? true : undefined;
    }, 60_000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await blocker.query('COMMIT');
    blocker.release();
    await worker();
    await eventually(async () => {
      const r = await p.runtime.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE order_id = ANY($1) AND status = 'completed'`,
        [ids],
      );
      return r.rows[0]!.n === 20 ? true : undefined;
    }, 90_000);
    const ledger = await p.runtime.pool.query<{ n: number; orders: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT order_id)::int AS orders FROM stock_ledger WHERE order_id = ANY($1)`,
      [ids],
    );
    expect(ledger.rows[0]).toEqual({ n: 20, orders: 20 });
    const stock = await p.runtime.pool.query<{ quantity: string }>(
      'SELECT quantity FROM stock WHERE product_id = $1',
      ['crash-1'],
    );
    expect(stock.rows).toEqual([{ quantity: '10' }]);
    const transitions = await p.runtime.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM order_transitions WHERE order_id = ANY($1)`,
      [ids],
    );
    expect(transitions.rows[0]!.n).toBe(60);
    const metrics = (await (await fetch(`${served.url}/orders/metrics`)).json()) as {
      order_status_counts: { completed: number; processing: number };
    };
    expect(metrics.order_status_counts).toMatchObject({ completed: 20, processing: 0 });
  }, 240_000);
});
