// The change topics' contract: what the processor and the orders role publish
// (through the outbox and the relay) after every change to a movement, a stock
// level or an order, and what the ClickHouse sink and any other consumer may
// rely on. The payload is JSON — the relay publishes Postgres' own JSON text
// without re-encoding it — shaped as these Avro records: every field present, a
// nullable field as JSON null or its plain value. schemas/movement-change.avsc,
// schemas/stock-change.avsc and schemas/order-change.avsc are the same records
// for other teams; a unit test keeps them equal.
import avro from 'avsc';
import type { FieldIssue } from './field-issue.js';
import type { AnomalyCode, DepartureState, MovementStatus } from './movement.js';
import { ORDER_STATUSES, type OrderStatus } from './order.js';
import type { StockChange } from './stock-engine.js';

const nullable = (type: unknown) => ['null', type];
const isoTime = (doc: string) => ({
  type: 'string',
  doc: `${doc}: ISO 8601 with offset, e.g. '2025-02-18T14:34:56+00:00'.`,
});

export const movementChangeAvroSchema = {
  type: 'record',
  name: 'MovementChange',
  namespace: 'dev.stockflow.changes',
  doc: 'A movement after one change (key: movement_id), published on <KAFKA_TOPIC>.movement_changes. Versions of one movement grow by one with every change.',
  fields: [
    { name: 'movement_id', type: 'string', doc: 'Lower-case UUID of the movement.' },
    {
      name: 'status',
      type: {
        type: 'enum',
        name: 'MovementStatus',
        symbols: ['in_transit', 'completed', 'arrived_first', 'pending_stock', 'rejected'],
      },
    },
    {
      name: 'previous_status',
      type: nullable('MovementStatus'),
      doc: 'The status before this change; null for a movement seen for the first time.',
    },
    { name: 'product_id', type: 'string' },
    {
      name: 'sender_warehouse_id',
      type: nullable('string'),
      doc: 'Null until the departure is seen.',
    },
    { name: 'sender_source', type: nullable('string'), doc: "The departure's warehouse code." },
    { name: 'departed_at', type: nullable(isoTime('When the goods left')) },
    { name: 'departure_quantity', type: nullable('int') },
    {
      name: 'departure_state',
      type: nullable({
        type: 'enum',
        name: 'DepartureState',
        symbols: ['applied', 'pending', 'rejected'],
      }),
    },
    {
      name: 'receiver_warehouse_id',
      type: nullable('string'),
      doc: 'Null until the arrival is seen.',
    },
    { name: 'receiver_source', type: nullable('string'), doc: "The arrival's warehouse code." },
    { name: 'arrived_at', type: nullable(isoTime('When the goods arrived')) },
    { name: 'arrival_quantity', type: nullable('int') },
    {
      name: 'anomalies',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Anomaly',
          fields: [
            {
              name: 'code',
              type: {
                type: 'enum',
                name: 'AnomalyCode',
                symbols: [
                  'conflicting_leg',
                  'product_mismatch',
                  'same_warehouse',
                  'arrival_before_departure',
                  'arrival_for_rejected_departure',
                ],
              },
            },
            { name: 'detail', type: 'string' },
            { name: 'event_id', type: 'string', doc: 'The event that revealed it.' },
          ],
        },
      },
    },
    { name: 'version', type: 'int', doc: 'Starts at 1; the API serves it as the ETag.' },
    { name: 'changed_at', ...isoTime('When the processor committed the change') },
  ],
} as const;

export const stockChangeAvroSchema = {
  type: 'record',
  name: 'StockChange',
  namespace: 'dev.stockflow.changes',
  doc: 'One entry of the stock ledger (key: warehouse_id/product_id), published on <KAFKA_TOPIC>.stock_changes.',
  fields: [
    { name: 'ledger_id', type: 'long', doc: 'Grows with every entry; unique.' },
    { name: 'warehouse_id', type: 'string' },
    { name: 'product_id', type: 'string' },
    {
      name: 'reason',
      type: {
        type: 'enum',
        name: 'StockReason',
        symbols: ['departure', 'arrival', 'inventory', 'order'],
      },
    },
    { name: 'delta', type: 'long', doc: 'Signed change of the quantity.' },
    { name: 'balance', type: 'long', doc: 'The quantity after it; never below zero.' },
    {
      name: 'movement_id',
      type: 'string',
      doc: "The movement, the stock count's id, or the order (reason order).",
    },
    { name: 'event_id', type: 'string', doc: 'The event that caused it.' },
    { name: 'occurred_at', ...isoTime('When it happened at the warehouse') },
    { name: 'recorded_at', ...isoTime('When the processor recorded it') },
  ],
} as const;

export const orderChangeAvroSchema = {
  type: 'record',
  name: 'OrderChange',
  namespace: 'dev.stockflow.changes',
  doc: 'An order after one change of its status (key: order_id), published on <KAFKA_ORDERS_TOPIC>.changes by the orders role: pending → processing, then completed or failed. Each status happens at most once per order, so (order_id, status) identifies a change. The intake publishes none for pending: the first change of an order is the one that leaves pending.',
  fields: [
    { name: 'order_id', type: 'string' },
    {
      name: 'status',
      type: { type: 'enum', name: 'OrderStatus', symbols: [...ORDER_STATUSES] },
    },
    {
      name: 'previous_status',
      type: nullable('OrderStatus'),
      doc: 'The status before this change; null for an order seen for the first time.',
    },
    { name: 'user_id', type: 'string' },
    {
      name: 'total_amount',
      type: 'string',
      doc: "The order's total as exact decimal text with two places, e.g. '99.99'.",
    },
    {
      name: 'warehouse_id',
      type: nullable('string'),
      doc: 'The warehouse the order asked to be served from; null: wherever holds the most.',
    },
    {
      name: 'failure_code',
      type: nullable('string'),
      doc: 'Why it failed (price_mismatch, unknown_product, insufficient_stock); null unless failed.',
    },
    { name: 'created_at', ...isoTime('When the order was accepted (durable)') },
    { name: 'changed_at', ...isoTime('When this change was committed') },
    {
      name: 'completed_at',
      type: nullable(isoTime('When the order was finished, completed or failed; null before')),
    },
  ],
} as const;

export interface MovementChange {
  readonly movement_id: string;
  readonly status: MovementStatus;
  readonly previous_status: MovementStatus | null;
  readonly product_id: string;
  readonly sender_warehouse_id: string | null;
  readonly sender_source: string | null;
  readonly departed_at: string | null;
  readonly departure_quantity: number | null;
  readonly departure_state: DepartureState | null;
  readonly receiver_warehouse_id: string | null;
  readonly receiver_source: string | null;
  readonly arrived_at: string | null;
  readonly arrival_quantity: number | null;
  readonly anomalies: readonly { code: AnomalyCode; detail: string; event_id: string }[];
  readonly version: number;
  readonly changed_at: string;
}

/** A ledger line as published: the engine's change, with the ledger's id and when it was recorded. */
export interface StockChangeMessage extends StockChange {
  readonly ledger_id: number;
  readonly recorded_at: string;
}

export interface OrderChange {
  readonly order_id: string;
  readonly status: OrderStatus;
  readonly previous_status: OrderStatus | null;
  readonly user_id: string;
  readonly total_amount: string;
  readonly warehouse_id: string | null;
  readonly failure_code: string | null;
  readonly created_at: string;
  readonly changed_at: string;
  readonly completed_at: string | null;
}

export const movementChangeAvroType = avro.Type.forSchema(
  movementChangeAvroSchema as unknown as avro.Schema,
);
export const stockChangeAvroType = avro.Type.forSchema(
  stockChangeAvroSchema as unknown as avro.Schema,
);
export const orderChangeAvroType = avro.Type.forSchema(
  orderChangeAvroSchema as unknown as avro.Schema,
);

const TIME_FIELDS = new Set([
  'departed_at',
  'arrived_at',
  'changed_at',
  'occurred_at',
  'recorded_at',
  'created_at',
  'completed_at',
]);

/**
 * Checks a decoded change message against its record, strictly: every field
 * present with its type, no undeclared field, every time parseable, and what
 * `rules` say of a value that fits the record. Returns the message typed, or
 * every problem with its path.
 */
function contract<T>(type: avro.Type, rules: (value: T) => FieldIssue[] = () => []) {
  const fields = new Set((type as avro.types.RecordType).fields.map((f) => f.name));
  return (value: unknown): { ok: true; value: T } | { ok: false; errors: FieldIssue[] } => {
    const errors: FieldIssue[] = [];
    const valid = type.isValid(value, {
      noUndeclaredFields: true,
      errorHook(path, any: unknown, at) {
        if (path.length === 0 && typeof any === 'object' && any !== null && !Array.isArray(any)) {
          // The record itself: what avsc refuses here is a field it does not declare.
          for (const name of Object.keys(any).filter((k) => !fields.has(k)))
            errors.push({ path: `/${name}`, message: 'is not a field of the record' });
          return;
        }
        errors.push({
          path: path.length ? `/${path.join('/')}` : '',
          message:
            any === undefined
              ? 'is missing'
              : `should be ${expected(at)}, got ${JSON.stringify(any)?.slice(0, 60)}`,
        });
      },
    });
    if (!valid) {
      if (errors.length === 0) errors.push({ path: '', message: 'is not a JSON object' });
      return { ok: false, errors };
    }
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (TIME_FIELDS.has(name) && typeof v === 'string' && !Number.isFinite(Date.parse(v)))
        errors.push({
          path: `/${name}`,
          message: `should be a time, got ${JSON.stringify(v.slice(0, 40))}`,
        });
    }
    if (errors.length === 0) errors.push(...rules(value as T));
    return errors.length ? { ok: false, errors } : { ok: true, value: value as T };
  };
}

/** A type as an error message names it: `null or int`, `one of applied, pending, rejected`. */
function expected(type: avro.Type): string {
  if (avro.Type.isType(type, 'union'))
    return (type as avro.types.UnwrappedUnionType).types.map(expected).join(' or ');
  if (avro.Type.isType(type, 'enum'))
    return `one of ${(type as avro.types.EnumType).symbols.join(', ')}`;
  if (avro.Type.isType(type, 'array')) return 'an array';
  if (avro.Type.isType(type, 'record')) return 'an object';
  return type.typeName;
}

export const checkMovementChange = contract<MovementChange>(movementChangeAvroType);
export const checkStockChange = contract<StockChangeMessage>(stockChangeAvroType);

// numeric(14,2)::text: at most 12 digits before the point, always two after it.
const AMOUNT = /^\d{1,12}\.\d{2}$/;
const FINAL: ReadonlySet<OrderStatus> = new Set(['completed', 'failed']);

/** What the record cannot say: an exact amount, a finished time exactly on finished orders. */
function orderChangeRules(c: OrderChange): FieldIssue[] {
  const errors: FieldIssue[] = [];
  if (!AMOUNT.test(c.total_amount)) {
    errors.push({
      path: '/total_amount',
      message: `should be decimal text with two places, got ${JSON.stringify(c.total_amount.slice(0, 40))}`,
    });
  }
  if (FINAL.has(c.status) !== (c.completed_at !== null)) {
    errors.push({
      path: '/completed_at',
      message: FINAL.has(c.status)
        ? `is missing for a ${c.status} order`
        : `should be null for a ${c.status} order`,
    });
  }
  if ((c.status === 'failed') !== (c.failure_code !== null)) {
    errors.push({
      path: '/failure_code',
      message:
        c.status === 'failed' ? 'is missing for a failed order' : 'should be null unless failed',
    });
  }
  return errors;
}

export const checkOrderChange = contract<OrderChange>(orderChangeAvroType, orderChangeRules);
