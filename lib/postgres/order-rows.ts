// Orders as stored (migration 0007) and as every answer shows them: the intake
// answers 202 with the same body GET /orders/{id} gives, so both read it here.
import type { OrderFailure, OrderRequest, OrderStatus } from '../../domain/order.js';
import { formatCents } from '../../domain/order.js';
import type { Pool, PoolClient } from './pool.js';

export interface OrderItemView {
  readonly product_id: string;
  readonly quantity: number;
  /** The catalog's unit price once the order was priced; `null` before. */
  readonly unit_price: number | null;
  /** Where its units were reserved; `null` until they were. */
  readonly warehouse_id: string | null;
}

export interface OrderTransitionView {
  readonly status: OrderStatus;
  readonly at: string;
  readonly reason: OrderFailure | null;
}

/** An order as the API shows it (seed 004's fields first). */
export interface OrderView {
  readonly order_id: string;
  readonly status: OrderStatus;
  readonly created_at: string;
  readonly user_id: string;
  readonly total_amount: number;
  readonly completed_at: string | null;
  readonly updated_at: string;
  readonly warehouse_id: string | null;
  readonly failure: OrderFailure | null;
  readonly items: readonly OrderItemView[];
  readonly transitions: readonly OrderTransitionView[];
}

interface OrderRow {
  order_id: string;
  status: OrderStatus;
  user_id: string;
  total_amount: string;
  warehouse_id: string | null;
  failure: OrderFailure | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  items: {
    product_id: string;
    quantity: number;
    unit_price: string | null;
    warehouse_id: string | null;
  }[];
  transitions: { status: OrderStatus; at: string; reason: OrderFailure | null }[];
}

// numeric(14,2) is at most 12 digits before the point: exact as a JSON number's text.
const money = (text: string): number => Number(text);

function toView(row: OrderRow): OrderView {
  return {
    order_id: row.order_id,
    status: row.status,
    created_at: row.created_at.toISOString(),
    user_id: row.user_id,
    total_amount: money(row.total_amount),
    completed_at: row.completed_at?.toISOString() ?? null,
    updated_at: row.updated_at.toISOString(),
    warehouse_id: row.warehouse_id,
    failure: row.failure,
    items: row.items.map((i) => ({
      product_id: i.product_id,
      quantity: i.quantity,
      unit_price: i.unit_price === null ? null : money(i.unit_price),
      warehouse_id: i.warehouse_id,
    })),
    transitions: row.transitions.map((t) => ({
      status: t.status,
      at: new Date(t.at).toISOString(),
      reason: t.reason,
    })),
  };
}

const ORDER_SELECT = `
  SELECT o.order_id, o.status, o.user_id, o.total_amount::text AS total_amount, o.warehouse_id,
         o.failure, o.created_at, o.updated_at, o.completed_at,
         (SELECT coalesce(json_agg(json_build_object('product_id', i.product_id, 'quantity', i.quantity,
                   'unit_price', i.unit_price::text, 'warehouse_id', i.warehouse_id) ORDER BY i.line), '[]')
            FROM order_items i WHERE i.order_id = o.order_id) AS items,
         (SELECT coalesce(json_agg(json_build_object('status', t.status, 'at', t.at, 'reason', t.reason)
                   ORDER BY t.seq), '[]')
            FROM order_transitions t WHERE t.order_id = o.order_id) AS transitions
    FROM orders o`;

/** One order with its items and history, or undefined. */
export async function loadOrder(
  db: Pool | PoolClient,
  orderId: string,
): Promise<OrderView | undefined> {
  const r = await db.query<OrderRow>(`${ORDER_SELECT} WHERE o.order_id = $1`, [orderId]);
  const row = r.rows[0];
  return row ? toView(row) : undefined;
}

export interface NewOrder {
  readonly order_id: string;
  readonly request: OrderRequest;
}

/**
 * Inserts pending orders with their items and first transition, all in the
 * caller's transaction; an order id already stored is left alone (a
 * redelivered order from Kafka). With `handOverTopic`, also the outbox message
 * that hands each to the `orders` role. Returns the inserted ones as the API
 * shows them.
 */
export async function insertOrders(
  client: PoolClient,
  orders: readonly NewOrder[],
  handOverTopic: string | null,
): Promise<OrderView[]> {
  const r = await client.query<{ order_id: string; created_at: Date }>(
    `INSERT INTO orders (order_id, user_id, status, total_amount, warehouse_id)
     SELECT id, u, 'pending', t::numeric, w FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[]) AS x(id, u, t, w)
     ON CONFLICT (order_id) DO NOTHING
     RETURNING order_id, created_at`,
    [
      orders.map((o) => o.order_id),
      orders.map((o) => o.request.user_id),
      orders.map((o) => formatCents(o.request.total_cents)),
      orders.map((o) => o.request.warehouse_id),
    ],
  );
  const created = new Map(r.rows.map((row) => [row.order_id, row.created_at]));
  const inserted = orders.filter((o) => created.has(o.order_id));
  if (inserted.length === 0) return [];
  const ids = inserted.map((o) => o.order_id);
  const lines = inserted.flatMap((o) =>
    o.request.lines.map((l, i) => ({ id: o.order_id, line: i + 1, ...l })),
  );
  await client.query(
    `INSERT INTO order_items (order_id, line, product_id, quantity)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[])`,
    [
      lines.map((l) => l.id),
      lines.map((l) => l.line),
      lines.map((l) => l.product_id),
      lines.map((l) => l.quantity),
    ],
  );
  const at = await client.query<{ order_id: string; at: Date }>(
    `INSERT INTO order_transitions (order_id, seq, status)
     SELECT id, 1, 'pending' FROM unnest($1::text[]) AS x(id) RETURNING order_id, at`,
    [ids],
  );
  if (handOverTopic !== null) {
    await client.query(
      `INSERT INTO outbox (topic, key, payload)
       SELECT $2, id, jsonb_build_object('order_id', id) FROM unnest($1::text[]) AS x(id)`,
      [ids, handOverTopic],
    );
  }
  const pendingAt = new Map(at.rows.map((row) => [row.order_id, row.at]));
  return inserted.map((o) => {
    const createdAt = created.get(o.order_id)!.toISOString();
    return {
      order_id: o.order_id,
      status: 'pending',
      created_at: createdAt,
      user_id: o.request.user_id,
      total_amount: money(formatCents(o.request.total_cents)),
      completed_at: null,
      updated_at: createdAt,
      warehouse_id: o.request.warehouse_id,
      failure: null,
      items: o.request.lines.map((l) => ({ ...l, unit_price: null, warehouse_id: null })),
      transitions: [
        { status: 'pending', at: pendingAt.get(o.order_id)!.toISOString(), reason: null },
      ],
    };
  });
}

export interface QueueGauge {
  /** Orders accepted and not finished (pending or processing). */
  readonly unfinished: number;
  /** Age of the oldest of them, in seconds; 0 with none. */
  readonly oldestSeconds: number;
}

/** The queue's length and its oldest order's age, from the partial index of unfinished orders. */
export async function queueGauge(pool: Pool): Promise<QueueGauge> {
  const r = await pool.query<{ n: number; age: number | null }>(
    `SELECT count(*)::float8 AS n, extract(epoch FROM now() - min(created_at))::float8 AS age
       FROM orders WHERE status IN ('pending', 'processing')`,
  );
  const row = r.rows[0];
  return { unfinished: row?.n ?? 0, oldestSeconds: row?.age ?? 0 };
}
