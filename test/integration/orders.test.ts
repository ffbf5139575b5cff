import { everyOrderFinished } from '../../testkit/orders.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../lib/metrics.js';
import { movementsFeature } from '../../api/movements/routes.js';
import { ordersFeature } from '../../api/orders/routes.js';
import type { OrderView } from '../../lib/postgres/order-rows.js';
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import {
  createPipeline,
  eventually,
  readTopic,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { countStock } from '../../testkit/stock-counts.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

const W1 = uuidOf(0x0d1, 1);
const W2 = uuidOf(0x0d1, 2);

describe('orders: POST /orders in, priced and reserved by the orders role, GET /orders/{id} out', () => {
  let p: Pipeline;
  let served: ServedApp;
  let base: string;
  // The registries of the ingest role and of each worker: Prometheus would sum them.
  const registries: Registry[] = [];

  beforeAll(async () => {
    p = await createPipeline({ KAFKA_PARTITIONS: '3' });
    const ingest = await p.startRole('ingest');
    await p.startRole('process');
    await p.startRole('relay');
    // Two workers in one consumer group share the orders.
    const workers = [await p.startRole('orders'), await p.startRole('orders')];
    registries.push(ingest.runtime.metrics, ...workers.map((w) => w.runtime.metrics));
    served = await serveFeatures([
      movementsFeature({ pool: p.runtime.pool }),
      ordersFeature({
        pool: p.runtime.pool,
        kafka: p.runtime.kafka,
        acceptedTopic: p.orders.accepted,
        workerGroupId: `${p.config.kafkaGroupId}.orders`,
        memoMs: 0,
      }),
      ...ingest.features,
    ]);
    base = served.url;
    await p.runtime.pool.query(
      `INSERT INTO products (product_id, name, unit_price) VALUES
         ('item1', 'Desk lamp', 79.99), ('item2', 'Notebook A5', 20.00), ('101', 'Mug', 125.00),
         ('102', 'Tea', 125.00), ('bulk', 'Bolt', 0.10), ('one', 'Last unit', 5.00), ('race', 'Racing unit', 1.00)`,
    );
  }, 120_000);
  afterAll(async () => {
    await served.close();
    await p.close();
  });

  const count = (warehouse: string, product: string, quantity: number) =>
    countStock(base, p.runtime.pool, { warehouse, product, quantity });

  const order = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const get = async (id: string) =>
    (await (await fetch(`${base}/orders/${id}`)).json()) as OrderView;
  const finished = (id: string) =>
    eventually(async () => {
      const o = await get(id);
      return o.status === 'completed' || o.status === 'failed' ? o : undefined;
    }, 60_000);
  const stock = async (w: string, product: string) =>
    (
      (await (await fetch(`${base}/api/warehouses/${w}/products/${product}`)).json()) as {
        quantity: number;
      }
    ).quantity;

  it("completes the seed's example request against the catalog and stock, visible at once and with its history", async () => {
    await count(W1, 'item1', 5);
    await count(W1, 'item2', 5);
    const res = await order({
      user_id: 'user123',
      item_ids: ['item1', 'item2'],
      total_amount: 99.99,
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as OrderView;
    expect(accepted).toMatchObject({ status: 'pending', user_id: 'user123', total_amount: 99.99 });
    expect(accepted.order_id).toMatch(/^ORD-/);
    expect(res.headers.get('location')).toBe(`/orders/${accepted.order_id}`);
    // Durable before the 202: GET finds it at once.
    const now = await fetch(`${base}${res.headers.get('location')}`);
    expect(now.status).toBe(200);
    const done = await finished(accepted.order_id);
    expect(done).toMatchObject({
      status: 'completed',
      failure: null,
      items: [
        { product_id: 'item1', quantity: 1, unit_price: 79.99, warehouse_id: W1 },
        { product_id: 'item2', quantity: 1, unit_price: 20, warehouse_id: W1 },
      ],
    });
    expect(done.completed_at).not.toBeNull();
    expect(done.transitions.map((t) => t.status)).toEqual(['pending', 'processing', 'completed']);
    expect(await stock(W1, 'item1')).toBe(4);
    const ledger = await p.runtime.pool.query(
      `SELECT product_id, delta::int, reason FROM stock_ledger WHERE order_id = $1 ORDER BY product_id`,
      [accepted.order_id],
    );
    expect(ledger.rows).toEqual([
      { product_id: 'item1', delta: -1, reason: 'order' },
      { product_id: 'item2', delta: -1, reason: 'order' },
    ]);
  });

  it('fails an order whose total is not the catalog total, or whose product is unknown, or short of stock, and never changes stock for it', async () => {
    await count(W2, '101', 1);
    await count(W2, '102', 1);
    const before = await stock(W2, '101');
    const wrongTotal = (await (
      await order({ user_id: 1, item_ids: [101, 102], total_amount: 249.99 })
    ).json()) as OrderView;
    const unknown = (await (
      await order({ user_id: 1, item_ids: ['nope'], total_amount: 1 })
    ).json()) as OrderView;
    const short = (await (
      await order({ user_id: 1, items: [{ product_id: '101', quantity: 2 }], total_amount: 250 })
    ).json()) as OrderView;
    expect((await finished(wrongTotal.order_id)).failure).toMatchObject({
      code: 'price_mismatch',
      expected: '250.00',
      got: '249.99',
    });
    expect((await finished(unknown.order_id)).failure).toMatchObject({
      code: 'unknown_product',
      product_id: 'nope',
    });
    const s = await finished(short.order_id);
    expect(s).toMatchObject({
      status: 'failed',
      failure: { code: 'insufficient_stock', product_id: '101', needed: 2, available: 1 },
    });
    expect(s.transitions.map((t) => [t.status, t.reason?.code ?? null])).toEqual([
      ['pending', null],
      ['processing', null],
      ['failed', 'insufficient_stock'],
    ]);
    expect(await stock(W2, '101')).toBe(before);
    // The seed's second example, priced right, completes.
    const ok = (await (
      await order({ user_id: 1, item_ids: [101, 102], total_amount: 250 })
    ).json()) as OrderView;
    expect((await finished(ok.order_id)).status).toBe('completed');
  });

  it('takes 1,000 concurrent orders as 1,000 distinct orders, each finished once, stock exact', async () => {
    await count(W1, 'bulk', 400);
    await count(W2, 'bulk', 300);
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        order({ user_id: `u${i}`, item_ids: ['bulk'], total_amount: 0.1 }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as OrderView,
        })),
      ),
    );
    expect(answers.filter((a) => a.status !== 202)).toEqual([]);
    const ids = answers.map((a) => a.body.order_id);
    expect(new Set(ids).size).toBe(1000);
    await eventually(async () => {
      const r = await p.runtime.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE order_id = ANY($1) AND status IN ('completed', 'failed')`,
        [ids],
      );
      return r.rows[0]!.n === 1000 ? true : undefined;
    }, 120_000);
    const r = await p.runtime.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM orders WHERE order_id = ANY($1) GROUP BY status ORDER BY status`,
      [ids],
    );
    expect(r.rows).toEqual([
      { status: 'completed', n: 700 },
      { status: 'failed', n: 300 },
    ]);
    // Each order went through its three states once: none processed twice.
    const t = await p.runtime.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM order_transitions WHERE order_id = ANY($1)`,
      [ids],
    );
    expect(t.rows[0]!.n).toBe(3000);
    const ledger = await p.runtime.pool.query<{ n: number; taken: number }>(
      `SELECT count(*)::int AS n, -sum(delta)::int AS taken FROM stock_ledger WHERE order_id = ANY($1)`,
      [ids],
    );
    expect(ledger.rows[0]).toEqual({ n: 700, taken: 700 });
    expect(await stock(W1, 'bulk')).toBe(0);
    expect(await stock(W2, 'bulk')).toBe(0);
  }, 180_000);

  it('replays an Idempotency-Key with the same body, refuses it with another (422) and while the first is in flight (409)', async () => {
    const key = `k-${Date.now()}`;
    const body = { user_id: 'idem', item_ids: ['item2'], total_amount: 20 };
    const first = await order(body, { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBe('false');
    const a = (await first.json()) as OrderView;
    const again = await order(body, { 'Idempotency-Key': key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as OrderView).order_id).toBe(a.order_id);
    const other = await order({ ...body, total_amount: 40 }, { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // Hold the orders table so the next request stays in flight, holding its key.
    const blocker = await p.runtime.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE orders IN EXCLUSIVE MODE');
      const key2 = `${key}-2`;
      const slow = order(body, { 'Idempotency-Key': key2 });
      await eventually(async () => {
        const r = await p.runtime.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'orders' AND NOT l.granted`,
        );
        return r.rows[0]!.n > 0 ? true : undefined;
      });
      const clash = await order(body, { 'Idempotency-Key': key2 });
      expect(clash.status).toBe(409);
      await blocker.query('COMMIT');
      const done = await slow;
      expect(done.status).toBe(202);
    } finally {
      blocker.release();
    }
  });

  it('refuses bad input with 400 naming each field, never 500', async () => {
    for (const [body, paths] of [
      [{ item_ids: ['item1'], total_amount: 1 }, ['/user_id']],
      [{ user_id: 'u', item_ids: ['item1'], total_amount: 'abc' }, ['/total_amount']],
      [
        { user_id: 'u', item_ids: ['item 1'], total_amount: 1.234 },
        ['/item_ids/0', '/total_amount'],
      ],
      [{ user_id: 'u', total_amount: 1 }, ['']],
    ] as const) {
      const res = await order(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = (await res.json()) as { errors: { path: string }[] };
      for (const path of paths) expect(problem.errors.map((e) => e.path)).toContain(path);
    }
    const notJson = await fetch(`${base}/orders/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"user_id":',
    });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${base}/orders/ORD-none`)).status).toBe(404);
  });

  it('metrics and queue status equal what the rows say, an unfinished order among them', async () => {
    const read = async <T>(path: string) => (await (await fetch(`${base}${path}`)).json()) as T;
    // Hold the stock so the next order stays processing: the queue shows it.
    const blocker = await p.runtime.pool.connect();
    let held: OrderView;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE stock IN EXCLUSIVE MODE');
      held = (await (
        await order({ user_id: 'q', item_ids: ['item2'], total_amount: 20 })
      ).json()) as OrderView;
      const queued = await eventually(async () => {
        const s = await read<{
          queue_length: number;
          pending_orders: string[];
          oldest_pending_age_seconds: number;
        }>('/orders/status/');
        return s.pending_orders.includes(held.order_id) ? s : undefined;
      });
      expect(queued.queue_length).toBeGreaterThanOrEqual(1);
      const gauge = (await registries[1]!.getMetricsAsJSON()).find(
        (m) => m.name === 'stockflow_orders_queue_length',
      );
      expect(gauge?.values[0]?.value).toBeGreaterThanOrEqual(1);
      expect(queued.oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
    } finally {
      await blocker.query('COMMIT');
      blocker.release();
    }
    expect((await finished(held.order_id)).status).toBe('completed');
    const status = await eventually(async () => {
      const s = await read<{
        queue_length: number;
        pending_orders: string[];
        total_processed: number;
        oldest_pending_age_seconds: number | null;
        consumer_lag: { total: number } | null;
      }>('/orders/status');
      return s.queue_length === 0 && s.consumer_lag?.total === 0 ? s : undefined;
    });
    const rows = await p.runtime.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM orders GROUP BY status',
    );
    const byStatus = Object.fromEntries(rows.rows.map((r) => [r.status, r.n]));
    const counts = {
      pending: byStatus.pending ?? 0,
      processing: byStatus.processing ?? 0,
      completed: byStatus.completed ?? 0,
      failed: byStatus.failed ?? 0,
    };
    expect(status).toMatchObject({
      pending_orders: [],
      oldest_pending_age_seconds: null,
      total_processed: counts.completed + counts.failed,
    });
    const avg = await p.runtime.pool.query<{ avg: number }>(
      `SELECT avg(extract(epoch FROM completed_at - created_at))::float8 AS avg FROM orders WHERE status = 'completed'`,
    );
    const metrics = await read<{
      average_processing_time_seconds: number;
      order_status_counts: typeof counts;
      total_orders: number;
      processing_time_seconds: { p50: number; p99: number; over_latest: number };
      orders_per_second_last_minute: number;
    }>('/orders/metrics');
    expect(metrics.order_status_counts).toEqual(counts);
    expect(metrics.total_orders).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect(metrics.average_processing_time_seconds).toBeCloseTo(avg.rows[0]!.avg, 5);
    expect(metrics.processing_time_seconds.over_latest).toBe(counts.completed);
    expect(metrics.processing_time_seconds.p99).toBeGreaterThanOrEqual(
      metrics.processing_time_seconds.p50,
    );
    expect(metrics.orders_per_second_last_minute).toBeGreaterThan(0);
  });

  it('takes orders from the raw Kafka topic, checked as POST /orders checks them; refusals go to the DLQ with their reasons', async () => {
    const good = {
      user_id: 'kafka-user',
      items: [{ product_id: 'item1', quantity: 2 }],
      total_amount: '159.98',
    };
    await p.produce(
      p.orders.raw,
      [JSON.stringify(good), '{"user_id": "x", "item_ids": [], "total_amount": -1}', 'not json'],
      () => 'k',
    );
    const stored = await eventually(async () => {
      const r = await p.runtime.pool.query<{ order_id: string; status: string }>(
        `SELECT order_id, status FROM orders WHERE user_id = 'kafka-user'`,
      );
      const status = r.rows[0]?.status;
      return status === 'completed' || status === 'failed' ? r.rows : undefined;
    }, 60_000);
    expect(stored).toMatchObject([{ status: 'completed' }]);
    expect(stored[0]!.order_id).toMatch(/^ORD-K-/);
    expect((await get(stored[0]!.order_id)).items).toEqual([
      { product_id: 'item1', quantity: 2, unit_price: 79.99, warehouse_id: W1 },
    ]);
    const dead = await readTopic(p.orders.dlq, 2);
    expect(dead.map((m) => m.value?.toString()).sort()).toEqual(
      ['not json', '{"user_id": "x", "item_ids": [], "total_amount": -1}'].sort(),
    );
    const reasons = dead
      .map((m) => m.headers?.['stockflow.dlq.errors']?.toString() ?? '')
      .join('\n');
    expect(reasons).toContain('/item_ids');
    expect(reasons).toContain('/total_amount');
  });

  it('orders racing a departure for the last units never take stock below zero; the ledger adds up', async () => {
    await count(W2, 'race', 10);
    const departure = movementEvent('departure', {
      id: 'race-dep',
      movement: uuidOf(0xd0, 1),
      warehouse: W2,
      product: 'race',
      quantity: 6,
      at: '2025-03-01T10:00:00Z',
    });
    const [dep, ...answers] = await Promise.all([
      fetch(`${base}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(departure),
      }),
      ...Array.from({ length: 8 }, (_, i) =>
        order({ user_id: `r${i}`, item_ids: ['race'], total_amount: 1 }),
      ),
    ]);
    expect(dep.status).toBe(202);
    const ids = await Promise.all(
      answers.map(async (a) => ((await a.json()) as OrderView).order_id),
    );
    const done = await Promise.all(ids.map(finished));
    const taken = done.filter((o) => o.status === 'completed').length;
    const leg = await eventually(async () => {
      const r = await p.runtime.pool.query<{ dep_state: string }>(
        'SELECT dep_state FROM movements WHERE movement_id = $1',
        [uuidOf(0xd0, 1)],
      );
      return r.rows[0]?.dep_state;
    });
    const departed = leg === 'applied' ? 6 : 0;
    const left = await stock(W2, 'race');
    expect(left).toBe(10 - taken - departed);
    expect(left).toBeGreaterThanOrEqual(0);
    for (const o of done.filter((x) => x.status === 'failed')) {
      expect(o.failure).toMatchObject({ code: 'insufficient_stock', product_id: 'race' });
    }
    const ledger = await p.runtime.pool.query<{ sum: number; min: number }>(
      `SELECT sum(delta)::int AS sum, min(balance)::int AS min FROM stock_ledger WHERE warehouse_id = $1 AND product_id = 'race'`,
      [W2],
    );
    expect(ledger.rows[0]).toEqual({ sum: left, min: left });
  });

  it('Prometheus counts what the rows say: accepted by source, finished by status and reason, the queue', async () => {
    // Settles the orders of every earlier test (all of this database's orders).
    await everyOrderFinished(p.runtime.pool, 60_000);
    const scraped = (await Promise.all(registries.map((r) => r.getMetricsAsJSON()))).flat();
    // Sums a family across processes by one label set, as sum by (...) in PromQL would.
    const sum = (name: string, by: (labels: Record<string, unknown>) => string) => {
      const out: Record<string, number> = {};
      for (const m of scraped.filter((x) => x.name === name)) {
        for (const v of m.values) {
          const key = by(v.labels);
          out[key] = (out[key] ?? 0) + v.value;
        }
      }
      return out;
    };
    const rows = await p.runtime.pool.query<{ status: string; reason: string; n: number }>(
      `SELECT status, coalesce(failure->>'code', '') AS reason, count(*)::int AS n FROM orders GROUP BY 1, 2`,
    );
    const byOutcome = Object.fromEntries(rows.rows.map((r) => [`${r.status}/${r.reason}`, r.n]));
    const total = rows.rows.reduce((a, r) => a + r.n, 0);
    const kafka = await p.runtime.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE order_id LIKE 'ORD-K-%'`,
    );
    expect(sum('stockflow_orders_accepted_total', (l) => String(l.source))).toEqual({
      http: total - kafka.rows[0]!.n,
      ...(kafka.rows[0]!.n ? { kafka: kafka.rows[0]!.n } : {}),
    });
    expect(
      sum('stockflow_orders_finished_total', (l) => `${String(l.status)}/${String(l.reason)}`),
    ).toEqual(byOutcome);
    const histogramCount = scraped
      .filter((m) => m.name === 'stockflow_order_processing_seconds')
      .flatMap((m) => m.values)
      .filter(
        (v) =>
          (v as { metricName?: string }).metricName === 'stockflow_order_processing_seconds_count',
      )
      .reduce((a, v) => a + v.value, 0);
    expect(histogramCount).toBe(total);
    for (const w of registries.slice(1)) {
      const [queue] = (await w.getMetricsAsJSON()).filter(
        (m) => m.name === 'stockflow_orders_queue_length',
      );
      expect(queue?.values[0]?.value).toBe(0);
    }
  });
});
