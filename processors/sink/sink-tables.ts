import type { KafkaMessage } from 'kafkajs';
import { revenueCents } from '../../domain/sale.js';
import { ch, joinSql, sql, type Sql } from '../../lib/clickhouse-sql.js';
import { SOURCE_HEADER } from '../../lib/provenance.js';

// What the ClickHouse sink writes, per kind of source topic: the raw table,
// how a message becomes a row, and the identity that makes a row a duplicate.

export type SinkKind = 'sale' | 'stock_change' | 'movement_change';

export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type Row = Record<string, string | number>;

export interface SinkTable {
  readonly kind: SinkKind;
  readonly table: string;
  /** Turns a decoded message into a row, or says why it can't. */
  toRow(value: unknown, message: KafkaMessage, position: Position): Row | string;
  identity(row: Row): string;
  /** Which of these identities are already stored (a query on a small primary-key index). */
  seenQuery(db: string, rows: readonly Row[]): Sql;
  /** The column holding the identity in seenQuery's answer. */
  readonly seenColumns: readonly string[];
}

const seconds = (iso: unknown): number => {
  const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
};
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
const kafkaColumns = (p: Position): Row => ({
  _topic: p.topic,
  _partition: p.partition,
  _offset: p.offset,
});

export const salesTable: SinkTable = {
  kind: 'sale',
  table: 'sales',
  toRow(value, message, position) {
    const s = value as Record<string, unknown>;
    let cents: number;
    try {
      cents = Number(revenueCents({ REVENUE: text(s.REVENUE) }));
    } catch {
      return `REVENUE ${text(s.REVENUE).slice(0, 40)} is not a canonical amount`;
    }
    return {
      // Where the sale entered stockflow: the same line produced twice upstream of here is one line.
      source_id:
        header(message, SOURCE_HEADER) ??
        `${position.topic}:${position.partition}:${position.offset}`,
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
      ...kafkaColumns(position),
    };
  },
  identity: (row) => String(row.source_id),
  seenQuery: (db, rows) =>
    sql`SELECT source_id FROM ${ch.identifier(db)}.sales_seen WHERE source_id IN (${joinSql(
      rows.map((r) => ch.string(String(r.source_id))),
      sql`, `,
    )})`,
  seenColumns: ['source_id'],
};

export const stockChangesTable: SinkTable = {
  kind: 'stock_change',
  table: 'stock_changes',
  toRow(value, _message, position) {
    const c = value as Record<string, unknown>;
    const ledger = Number(c.ledger_id);
    if (!Number.isSafeInteger(ledger) || ledger <= 0) return 'stock change without a ledger_id';
    return {
      ledger_id: ledger,
      warehouse_id: text(c.warehouse_id),
      product_id: text(c.product_id),
      reason: text(c.reason),
      delta: int(c.delta),
      balance: int(c.balance),
      movement_id: text(c.movement_id),
      occurred_at: seconds(c.occurred_at),
      recorded_at: seconds(c.recorded_at),
      ...kafkaColumns(position),
    };
  },
  identity: (row) => String(row.ledger_id),
  seenQuery: (db, rows) =>
    sql`SELECT ledger_id FROM ${ch.identifier(db)}.stock_changes_seen WHERE ledger_id IN (${joinSql(
      rows.map((r) => ch.uint(Number(r.ledger_id))),
      sql`, `,
    )})`,
  seenColumns: ['ledger_id'],
};

export const movementChangesTable: SinkTable = {
  kind: 'movement_change',
  table: 'movement_changes',
  toRow(value, _message, position) {
    const m = value as Record<string, unknown>;
    const version = Number(m.version);
    if (typeof m.movement_id !== 'string' || !Number.isSafeInteger(version))
      return 'movement change without id and version';
    return {
      movement_id: m.movement_id,
      version,
      status: text(m.status),
      previous_status: text(m.previous_status),
      product_id: text(m.product_id),
      sender_warehouse_id: text(m.sender_warehouse_id),
      receiver_warehouse_id: text(m.receiver_warehouse_id),
      departed_at: seconds(m.departed_at),
      arrived_at: seconds(m.arrived_at),
      departure_quantity: int(m.departure_quantity),
      arrival_quantity: int(m.arrival_quantity),
      changed_at: seconds(m.changed_at),
      ...kafkaColumns(position),
    };
  },
  identity: (row) => `${String(row.movement_id)}:${String(row.version)}`,
  seenQuery: (db, rows) =>
    sql`SELECT movement_id, version FROM ${ch.identifier(db)}.movement_changes WHERE (movement_id, version) IN (${joinSql(
      rows.map((r) => sql`(${ch.string(String(r.movement_id))}, ${ch.uint(Number(r.version))})`),
      sql`, `,
    )})`,
  seenColumns: ['movement_id', 'version'],
};
