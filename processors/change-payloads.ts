import type { MovementChange, OrderChange, StockChangeMessage } from '../domain/change-schemas.js';

// The change messages' JSON, built by Postgres in the statement that writes the
// change (the ledger id and times exist only there). Typed by the contract in
// domain/change-schemas.ts: a field added to, renamed in or missing from the
// contract fails to compile here, and a unit test checks the names against
// the Avro records.

/** Each field of a movement change, as an expression over the saved row `s` and its input `i`. */
export const MOVEMENT_CHANGE_SQL: Readonly<Record<keyof MovementChange, string>> = {
  movement_id: 's.movement_id',
  status: 's.status',
  previous_status: 'i.previous_status',
  product_id: 's.product_id',
  sender_warehouse_id: 's.dep_warehouse_id',
  sender_source: 's.dep_source',
  departed_at: 's.departed_at',
  departure_quantity: 's.dep_quantity',
  departure_state: 's.dep_state',
  receiver_warehouse_id: 's.arr_warehouse_id',
  receiver_source: 's.arr_source',
  arrived_at: 's.arrived_at',
  arrival_quantity: 's.arr_quantity',
  anomalies: 's.anomalies',
  version: 's.version',
  changed_at: 's.updated_at',
};

/** Each field of a stock change, as an expression over the inserted ledger row. */
export const STOCK_CHANGE_SQL: Readonly<Record<keyof StockChangeMessage, string>> = {
  ledger_id: 'id',
  warehouse_id: 'warehouse_id',
  product_id: 'product_id',
  reason: 'reason',
  delta: 'delta',
  balance: 'balance',
  // An order's reservation has no movement: its order id stands there.
  movement_id: 'coalesce(movement_id::text, order_id)',
  event_id: 'event_id',
  occurred_at: 'occurred_at',
  recorded_at: 'recorded_at',
};

/**
 * Each field of an order change, as an expression over the changed order row `o` and `c`, whose
 * `previous` is the status before the change.
 */
export const ORDER_CHANGE_SQL: Readonly<Record<keyof OrderChange, string>> = {
  order_id: 'o.order_id',
  status: 'o.status',
  previous_status: 'c.previous',
  user_id: 'o.user_id',
  total_amount: 'o.total_amount::text',
  warehouse_id: 'o.warehouse_id',
  failure_code: "o.failure->>'code'",
  created_at: 'o.created_at',
  changed_at: 'o.updated_at',
  completed_at: 'o.completed_at',
};

/** `jsonb_build_object('a', expr, …)` over the fields (constants of this module, never input). */
export function jsonbObject(fields: Readonly<Record<string, string>>): string {
  return `jsonb_build_object(${Object.entries(fields)
    .map(([name, expr]) => `'${name}', ${expr}`)
    .join(', ')})`;
}
