import type { KafkaMessage } from 'kafkajs';
import {
  checkMovementChange,
  checkOrderChange,
  checkStockChange,
} from '../../domain/change-schemas.js';
import type { FieldIssue } from '../../domain/field-issue.js';
import { parseCents } from '../../domain/order.js';
import { revenueCents } from '../../domain/sale.js';
import { ch, sql, type Sql } from '../../lib/clickhouse/sql.js';
import { SOURCE_HEADER } from '../../lib/kafka/provenance.js';
import type { AvroTsvBatch, AvroTsvColumn } from './avro-tsv.js';

// What the ClickHouse sink writes, per kind of source topic: the raw table,
// how a message becomes a row, and the identity that makes a row a duplicate.

export type SinkKind = 'sale' | 'stock_change' | 'movement_change' | 'order_change';

export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type Row = Record<string, string | number>;

export interface SinkTable {
  readonly kind: SinkKind;
  readonly table: string;
  /** Every column `toRow` fills, in the order inserts send them. */
  readonly columns: readonly [string, ...string[]];
  /** The DateTime columns among them (epoch seconds in rows). */
  readonly dateTimeColumns: readonly string[];
  /** Turns a decoded message into a row, or says why it can't. */
  toRow(value: unknown, message: KafkaMessage, position: Position): Row | string;
  identity(row: Row): string;
  /**
   * Which identities of the batch are already stored: a query on a small primary-key index that
   * reads the batch's identities from the external table `batch` (processors/sink/external-table.ts).
   */
  seenQuery(db: string): Sql;
  /** The identity columns: of `batch`, and of seenQuery's answer. */
  readonly seenColumns: readonly [string, ...string[]];
  /** Their ClickHouse types, as `batch`'s structure. */
  readonly seenStructure: string;
  /**
   * For Avro sources: each of `columns` as avro-tsv.ts writes it straight from the message, the
   * fast path to the same row `toRow` makes. Only for a table whose identity is its one seen
   * column, the `identity` column here.
   */
  readonly avro?: {
    readonly columns: readonly AvroTsvColumn[];
    readonly identity: (message: KafkaMessage, batch: AvroTsvBatch) => string;
  };
}

/** Epoch seconds of a time the contract has already checked. */
const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** The reason a change message is dead-lettered: it does not fit its contract (domain/change-schemas.ts). */
const misfit = (what: string, errors: readonly FieldIssue[]): string =>
  `${what} does not fit its contract: ${errors
    .slice(0, 3)
    .map((e) => `${e.path} ${e.message}`)
    .join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`;
const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const header = (m: KafkaMessage, name: string): string | undefined => {
  const v = m.headers?.[name];
  return v === undefined
    ? undefined
    : Buffer.isBuffer(v)
      ? v.toString()
      : Array.isArray(v)
        ? text(v[0]?.toString())
        : v;
};

const KAFKA_COLUMNS = ['_topic', '_partition', '_offset'] as const;

/** Where the sale entered stockflow: the same line produced twice upstream of here is one line. */
const saleSource = (message: KafkaMessage, batch: AvroTsvBatch): string =>
  header(message, SOURCE_HEADER) ?? `${batch.topic}:${batch.partition}:${message.offset}`;

export const salesTable: SinkTable = {
  kind: 'sale',
  table: 'sales',
  columns: [
    'source_id',
    'order_id',
    'product_id',
    'buyer_id',
    'seller_id',
    'seller_country',
    'buyer_country',
    'paid_at',
    'brand',
    'category',
    'revenue_cents',
    'quantity',
    ...KAFKA_COLUMNS,
  ],
  dateTimeColumns: ['paid_at'],
  toRow(value, message, position) {
    const s = value as Record<string, unknown>;
    let cents: number;
    try {
      cents = Number(revenueCents({ REVENUE: text(s.REVENUE) }));
    } catch {
      return `REVENUE ${text(s.REVENUE).slice(0, 40)} is not a canonical amount`;
    }
    // One literal with every column: spreading a helper's object into it cost a third of toRow.
    return {
      source_id: saleSource(message, position),
      order_id: text(s.ID_ORDER),
      product_id: text(s.ID_PRODUCT),
      buyer_id: text(s.ID_BUYER),
      seller_id: text(s.ID_SELLER),
      seller_country: text(s.ID_SELLER_COUNTRY),
      buyer_country: text(s.ID_BUYER_COUNTRY),
      paid_at: Math.floor(int(s.DATE_PAYMENT) / 1000),
      brand: text(s.BRAND),
      category: text(s.CATEGORY),
      revenue_cents: cents,
      quantity: int(s.QUANTITY),
      _topic: position.topic,
      _partition: position.partition,
      _offset: position.offset,
    };
  },
  identity: (row) => String(row.source_id),
  seenQuery: (db) =>
    sql`SELECT source_id FROM ${ch.identifier(db)}.sales_seen WHERE source_id IN (SELECT source_id FROM batch)`,
  seenColumns: ['source_id'],
  seenStructure: 'source_id String',
  avro: {
    columns: [
      { from: 'identity' },
      { from: 'field', field: 'ID_ORDER', as: 'text' },
      { from: 'field', field: 'ID_PRODUCT', as: 'text' },
      { from: 'field', field: 'ID_BUYER', as: 'text' },
      { from: 'field', field: 'ID_SELLER', as: 'text' },
      { from: 'field', field: 'ID_SELLER_COUNTRY', as: 'text' },
      { from: 'field', field: 'ID_BUYER_COUNTRY', as: 'text' },
      { from: 'field', field: 'DATE_PAYMENT', as: 'epochMsToSeconds' },
      { from: 'field', field: 'BRAND', as: 'text' },
      { from: 'field', field: 'CATEGORY', as: 'text' },
      { from: 'field', field: 'REVENUE', as: 'moneyCents' },
      { from: 'field', field: 'QUANTITY', as: 'int' },
      { from: 'topic' },
      { from: 'partition' },
      { from: 'offset' },
    ],
    identity: saleSource,
  },
};

export const stockChangesTable: SinkTable = {
  kind: 'stock_change',
  table: 'stock_changes',
  columns: [
    'ledger_id',
    'warehouse_id',
    'product_id',
    'reason',
    'delta',
    'balance',
    'movement_id',
    'occurred_at',
    'recorded_at',
    ...KAFKA_COLUMNS,
  ],
  dateTimeColumns: ['occurred_at', 'recorded_at'],
  toRow(value, _message, position) {
    const checked = checkStockChange(value);
    if (!checked.ok) return misfit('stock change', checked.errors);
    const c = checked.value;
    return {
      ledger_id: c.ledger_id,
      warehouse_id: c.warehouse_id,
      product_id: c.product_id,
      reason: c.reason,
      delta: c.delta,
      balance: c.balance,
      movement_id: c.movement_id,
      occurred_at: seconds(c.occurred_at),
      recorded_at: seconds(c.recorded_at),
      _topic: position.topic,
      _partition: position.partition,
      _offset: position.offset,
    };
  },
  identity: (row) => String(row.ledger_id),
  seenQuery: (db) =>
    sql`SELECT ledger_id FROM ${ch.identifier(db)}.stock_changes_seen WHERE ledger_id IN (SELECT ledger_id FROM batch)`,
  seenColumns: ['ledger_id'],
  seenStructure: 'ledger_id UInt64',
};

export const movementChangesTable: SinkTable = {
  kind: 'movement_change',
  table: 'movement_changes',
  columns: [
    'movement_id',
    'version',
    'status',
    'previous_status',
    'product_id',
    'sender_warehouse_id',
    'receiver_warehouse_id',
    'departed_at',
    'arrived_at',
    'departure_quantity',
    'arrival_quantity',
    'changed_at',
    ...KAFKA_COLUMNS,
  ],
  dateTimeColumns: ['departed_at', 'arrived_at', 'changed_at'],
  toRow(value, _message, position) {
    const checked = checkMovementChange(value);
    if (!checked.ok) return misfit('movement change', checked.errors);
    const m = checked.value;
    // A leg not seen yet is null in the contract and the column's empty value here ('' or 0, the
    // epoch for a time): the table's columns are not Nullable, and the views read them so.
    return {
      movement_id: m.movement_id,
      version: m.version,
      status: m.status,
      previous_status: m.previous_status ?? '',
      product_id: m.product_id,
      sender_warehouse_id: m.sender_warehouse_id ?? '',
      receiver_warehouse_id: m.receiver_warehouse_id ?? '',
      departed_at: m.departed_at === null ? 0 : seconds(m.departed_at),
      arrived_at: m.arrived_at === null ? 0 : seconds(m.arrived_at),
      departure_quantity: m.departure_quantity ?? 0,
      arrival_quantity: m.arrival_quantity ?? 0,
      changed_at: seconds(m.changed_at),
      _topic: position.topic,
      _partition: position.partition,
      _offset: position.offset,
    };
  },
  identity: (row) => `${String(row.movement_id)}:${String(row.version)}`,
  seenQuery: (db) =>
    sql`SELECT movement_id, version FROM ${ch.identifier(db)}.movement_changes
      WHERE (movement_id, version) IN (SELECT movement_id, version FROM batch)`,
  seenColumns: ['movement_id', 'version'],
  seenStructure: 'movement_id String, version UInt32',
};

export const orderChangesTable: SinkTable = {
  kind: 'order_change',
  table: 'order_changes',
  columns: [
    'order_id',
    'status',
    'previous_status',
    'user_id',
    'total_cents',
    'warehouse_id',
    'failure_code',
    'created_at',
    'changed_at',
    'completed_at',
    'processing_ms',
    ...KAFKA_COLUMNS,
  ],
  dateTimeColumns: ['created_at', 'changed_at', 'completed_at'],
  toRow(value, _message, position) {
    const checked = checkOrderChange(value);
    if (!checked.ok) return misfit('order change', checked.errors);
    const o = checked.value;
    // The contract has checked the amount's text: two places, at most 12 digits before them.
    const cents = Number(parseCents(o.total_amount));
    const created = Date.parse(o.created_at);
    const completed = o.completed_at === null ? null : Date.parse(o.completed_at);
    // Null is the column's empty value here, as for movement changes ('', or the epoch for a
    // time). The times go in as seconds (DateTime); the processing time keeps the milliseconds
    // of the contract's times (each read to the millisecond, as Date.parse reads it).
    return {
      order_id: o.order_id,
      status: o.status,
      previous_status: o.previous_status ?? '',
      user_id: o.user_id,
      total_cents: cents,
      warehouse_id: o.warehouse_id ?? '',
      failure_code: o.failure_code ?? '',
      created_at: Math.floor(created / 1000),
      changed_at: seconds(o.changed_at),
      completed_at: completed === null ? 0 : Math.floor(completed / 1000),
      processing_ms: completed === null ? 0 : completed - created,
      _topic: position.topic,
      _partition: position.partition,
      _offset: position.offset,
    };
  },
  // A status happens at most once per order: the pair names the change.
  identity: (row) => `${String(row.order_id)}\t${String(row.status)}`,
  seenQuery: (db) =>
    sql`SELECT order_id, status FROM ${ch.identifier(db)}.order_changes_seen
      WHERE (order_id, status) IN (SELECT order_id, status FROM batch)`,
  seenColumns: ['order_id', 'status'],
  seenStructure: 'order_id String, status String',
};
