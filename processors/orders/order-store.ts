// The Postgres side of the `orders` role. Every function takes a client inside
// an open transaction. Rows are locked in one global order: consumer offset,
// then orders by id, then stock by (warehouse, product), the order the
// movement processor keeps too, so the two never deadlock on each other.
import type { OrderFailure, OrderLine } from '../../domain/order.js';
import { parseCents } from '../../domain/order.js';
import type { OrderToSettle, Settled, StockChange } from '../../domain/order-batch.js';
import type { PoolClient } from '../../lib/postgres/pool.js';
import { ORDER_CHANGE_SQL, STOCK_CHANGE_SQL, jsonbObject } from '../change-payloads.js';

const STOCK_CHANGE_JSON = jsonbObject(STOCK_CHANGE_SQL);

// An order change message, built where the change is written (times exist only there), as its
// contract says (domain/change-schemas.ts).
const ORDER_CHANGE_JSON = jsonbObject(ORDER_CHANGE_SQL);

/** Moves pending orders to processing (others are left as they are); returns those moved. */
export async function markProcessing(
  client: PoolClient,
  ids: readonly string[],
  changesTopic: string,
): Promise<string[]> {
  const r = await client.query<{ order_id: string }>(
    `WITH moved AS (
       UPDATE orders o SET status = 'processing', updated_at = now()
        WHERE o.order_id = ANY($1::text[]) AND o.status = 'pending'
       RETURNING o.*
     ),
     c AS (SELECT 'pending'::text AS previous),
     history AS (
       INSERT INTO order_transitions (order_id, seq, status)
       SELECT m.order_id, (SELECT coalesce(max(t.seq), 0) + 1 FROM order_transitions t WHERE t.order_id = m.order_id), 'processing'
         FROM moved m
     ),
     out AS (
       INSERT INTO outbox (topic, key, payload)
       SELECT $2, o.order_id, ${ORDER_CHANGE_JSON} FROM moved o, c ORDER BY o.order_id
     )
     SELECT order_id FROM moved`,
    [[...ids], changesTopic],
  );
  return r.rows.map((row) => row.order_id);
}

/** Locks the unfinished orders among `ids`, with their lines, in id order. */
export async function lockUnfinished(
  client: PoolClient,
  ids: readonly string[],
): Promise<OrderToSettle[]> {
  const r = await client.query<{
    order_id: string;
    total_amount: string;
    warehouse_id: string | null;
  }>(
    `SELECT order_id, total_amount::text AS total_amount, warehouse_id FROM orders
      WHERE order_id = ANY($1::text[]) AND status IN ('pending', 'processing')
      ORDER BY order_id FOR UPDATE`,
    [[...ids]],
  );
  if (r.rows.length === 0) return [];
  const items = await client.query<{ order_id: string; product_id: string; quantity: number }>(
    `SELECT order_id, product_id, quantity FROM order_items
      WHERE order_id = ANY($1::text[]) ORDER BY order_id, line`,
    [r.rows.map((row) => row.order_id)],
  );
  const lines = new Map<string, OrderLine[]>();
  for (const i of items.rows) {
    const list = lines.get(i.order_id) ?? [];
    list.push({ product_id: i.product_id, quantity: i.quantity });
    lines.set(i.order_id, list);
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  return r.rows
    .map((row) => ({
      order_id: row.order_id,
      lines: lines.get(row.order_id) ?? [],
      total_cents: parseCents(row.total_amount) ?? -1n,
      warehouse_id: row.warehouse_id,
    }))
    .sort((a, b) => (order.get(a.order_id) ?? 0) - (order.get(b.order_id) ?? 0));
}

/** The catalog's unit prices of these products, in cents. */
export async function unitPrices(
  client: PoolClient,
  products: readonly string[],
): Promise<Map<string, bigint>> {
  const r = await client.query<{ product_id: string; unit_price: string }>(
    'SELECT product_id, unit_price::text AS unit_price FROM products WHERE product_id = ANY($1::text[])',
    [[...products]],
  );
  return new Map(r.rows.map((row) => [row.product_id, parseCents(row.unit_price) ?? 0n]));
}

/** Locks every stock row of these products, in (warehouse, product) order; product → warehouse → level. */
export async function lockStockOf(
  client: PoolClient,
  products: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const r = await client.query<{ warehouse_id: string; product_id: string; quantity: string }>(
    `SELECT warehouse_id, product_id, quantity FROM stock WHERE product_id = ANY($1::text[])
      ORDER BY warehouse_id, product_id FOR UPDATE`,
    [[...products]],
  );
  const levels = new Map<string, Map<string, number>>();
  for (const row of r.rows) {
    const at = levels.get(row.product_id) ?? new Map<string, number>();
    levels.set(row.product_id, at.set(row.warehouse_id, Number(row.quantity)));
  }
  return levels;
}

/**
 * Writes a settled batch: stock, the ledger and its change messages, order lines, statuses,
 * history and the finished totals. Returns each order's seconds from accepted to finished.
 */
export async function saveSettled(
  client: PoolClient,
  settled: readonly Settled[],
  changes: readonly StockChange[],
  levels: ReadonlyMap<string, ReadonlyMap<string, number>>,
  topics: { readonly stockChanges: string; readonly orderChanges: string },
): Promise<{ order_id: string; seconds: number }[]> {
  const rows = [...levels].flatMap(([p, at]) => [...at].map(([w, q]) => ({ w, p, q })));
  rows.sort((a, b) => (a.w === b.w ? (a.p < b.p ? -1 : 1) : a.w < b.w ? -1 : 1));
  if (rows.length > 0) {
    await client.query(
      `UPDATE stock s SET quantity = u.q, version = s.version + 1, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS u(w, p, q)
        WHERE s.warehouse_id = u.w AND s.product_id = u.p`,
      [rows.map((r) => r.w), rows.map((r) => r.p), rows.map((r) => r.q)],
    );
  }
  if (changes.length > 0) {
    await client.query(
      `WITH ledger AS (
         INSERT INTO stock_ledger (warehouse_id, product_id, reason, delta, balance, order_id, event_id, occurred_at)
         SELECT w, p, 'order', d, b, o, o, now()
           FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) WITH ORDINALITY AS x(w, p, d, b, o, n)
          ORDER BY n
         RETURNING *
       )
       INSERT INTO outbox (topic, key, payload)
       SELECT $6, warehouse_id::text || '/' || product_id, ${STOCK_CHANGE_JSON} FROM ledger ORDER BY id`,
      [
        changes.map((c) => c.warehouse_id),
        changes.map((c) => c.product_id),
        changes.map((c) => c.delta),
        changes.map((c) => c.balance),
        changes.map((c) => c.order_id),
        topics.stockChanges,
      ],
    );
  }
  const takes = settled.flatMap((s) =>
    s.status === 'completed' ? s.takes.map((t) => ({ id: s.order_id, ...t })) : [],
  );
  if (takes.length > 0) {
    await client.query(
      `UPDATE order_items i SET warehouse_id = x.w,
              unit_price = (SELECT p.unit_price FROM products p WHERE p.product_id = i.product_id)
         FROM unnest($1::text[], $2::text[], $3::uuid[]) AS x(o, p, w)
        WHERE i.order_id = x.o AND i.product_id = x.p`,
      [takes.map((t) => t.id), takes.map((t) => t.product_id), takes.map((t) => t.warehouse_id)],
    );
  }
  if (settled.length === 0) return [];
  const failures = settled.map((s) =>
    s.status === 'failed' ? JSON.stringify(s.failure satisfies OrderFailure) : null,
  );
  const r = await client.query<{ order_id: string; seconds: number }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS x(id, st, f)
     ),
     before AS (SELECT o.order_id, o.status AS previous FROM orders o JOIN input ON o.order_id = input.id),
     done AS (
       UPDATE orders o SET status = input.st, failure = input.f, updated_at = now(), completed_at = now()
         FROM input WHERE o.order_id = input.id
       RETURNING o.*, extract(epoch FROM now() - o.created_at)::float8 AS seconds
     ),
     history AS (
       INSERT INTO order_transitions (order_id, seq, status, reason)
       SELECT d.order_id, (SELECT coalesce(max(t.seq), 0) + 1 FROM order_transitions t WHERE t.order_id = d.order_id),
              d.status, d.failure
         FROM done d
     ),
     totals AS (
       UPDATE order_totals t SET orders = t.orders + x.n, processing_seconds = t.processing_seconds + x.s
         FROM (SELECT status, count(*) AS n, sum(seconds) AS s FROM done GROUP BY status) x
        WHERE t.status = x.status
     ),
     out AS (
       INSERT INTO outbox (topic, key, payload)
       SELECT $4, o.order_id, ${ORDER_CHANGE_JSON} FROM done o JOIN before c ON c.order_id = o.order_id ORDER BY o.order_id
     )
     SELECT order_id, seconds FROM done`,
    [settled.map((s) => s.order_id), settled.map((s) => s.status), failures, topics.orderChanges],
  );
  return r.rows;
}
