// Fact files (sales, stock counts, movement legs): each row becomes the item a
// live upstream would send, checked by that stream's own validator, so a file
// and a live event land the same way. Pure, given the warehouses' codes.
import { createHash } from 'node:crypto';
import { EVENT_TYPES } from '../../domain/movement-event.js';
import { saleAvroSchema } from '../../domain/sale-schema.js';
import type { ColumnIssue } from '../../domain/reference-rows.js';
import type { AnyStream } from '../stream.js';
import { movementsStream, salesStream } from '../streams/index.js';

/** What a fact row needs from outside the file. */
export interface FactLookups {
  /** A warehouse's code (`WH-…`) by its id, from the warehouses reference data. */
  readonly warehouseCode: (warehouseId: string) => string | undefined;
}

export interface FactKind {
  readonly kind: 'sales' | 'stock_counts' | 'movements';
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly stream: AnyStream;
  /** The row as its stream's item, or why it cannot be one. */
  readonly toItem: (
    record: Readonly<Record<string, string>>,
    at: { readonly sha256: string; readonly line: number },
    lookups: FactLookups,
  ) => { ok: true; item: unknown } | { ok: false; errors: ColumnIssue[] };
}

/** A UUID that the file's content and the line decide: a re-import names the same count. */
export function lineUuid(sha256: string, line: number): string {
  const h = createHash('sha256').update(`${sha256}:${line}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const INTEGER = /^-?\d+$/;
/** A number column as JSON would carry it; anything else stays text for the validator to refuse. */
const numeric = (v: string): number | string => (INTEGER.test(v.trim()) ? Number(v.trim()) : v);
const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** The sale fields a line may leave out (seed 003's nullable columns, and QUANTITY). */
const SALE_OPTIONAL: readonly string[] = ['BRAND', 'CATEGORY', 'QUANTITY'];

export const salesKind: FactKind = {
  kind: 'sales',
  required: saleAvroSchema.fields.map((f) => f.name).filter((n) => !SALE_OPTIONAL.includes(n)),
  optional: SALE_OPTIONAL,
  stream: salesStream,
  toItem(record) {
    const item: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(record)) {
      if (SALE_OPTIONAL.includes(column) && !present(value)) continue;
      if (column === 'QUANTITY') {
        item[column] = numeric(value);
      } else {
        item[column] = value;
      }
    }
    return { ok: true, item };
  },
};

/** An inventory or leg event as seed 001 sends it, with `source` from the row or the warehouse. */
function movementItem(
  record: Readonly<Record<string, string>>,
  data: { movement_id: string; event: 'inventory' | 'departure' | 'arrival'; timestamp: string },
  id: string,
  lookups: FactLookups,
): { ok: true; item: unknown } | { ok: false; errors: ColumnIssue[] } {
  const warehouse = (record.warehouse_id ?? '').trim().toLowerCase();
  const source = present(record.source) ? record.source.trim() : lookups.warehouseCode(warehouse);
  if (!source) {
    return {
      ok: false,
      errors: [
        {
          column: 'warehouse_id',
          message: `warehouse ${JSON.stringify(warehouse)} has no known code: import it in a warehouses file first, or give a source column`,
        },
      ],
    };
  }
  const inventory = data.event === 'inventory';
  const kind = inventory ? EVENT_TYPES.inventory : EVENT_TYPES.movement;
  const time = Date.parse(data.timestamp);
  return {
    ok: true,
    item: {
      id,
      source,
      specversion: '1.0',
      type: kind.type,
      datacontenttype: 'application/json',
      dataschema: kind.dataschema,
      time: Number.isNaN(time) ? data.timestamp : time,
      subject: `${source}:${data.event.toUpperCase()}`,
      destination: 'ru.retail.warehouses',
      data: {
        movement_id: data.movement_id,
        warehouse_id: warehouse,
        timestamp: data.timestamp,
        event: data.event,
        product_id: (record.product_id ?? '').trim(),
        quantity: numeric(record.quantity ?? ''),
      },
    },
  };
}

export const stockCountsKind: FactKind = {
  kind: 'stock_counts',
  required: ['warehouse_id', 'product_id', 'quantity', 'counted_at'],
  optional: ['source'],
  stream: movementsStream,
  toItem: (record, at, lookups) =>
    movementItem(
      record,
      {
        movement_id: lineUuid(at.sha256, at.line),
        event: 'inventory',
        timestamp: (record.counted_at ?? '').trim(),
      },
      `file:${at.sha256.slice(0, 16)}:${at.line}`,
      lookups,
    ),
};

export const movementsKind: FactKind = {
  kind: 'movements',
  required: ['movement_id', 'event', 'warehouse_id', 'product_id', 'quantity', 'timestamp'],
  optional: ['source'],
  stream: movementsStream,
  toItem(record, at, lookups) {
    const event = (record.event ?? '').trim();
    if (event !== 'departure' && event !== 'arrival') {
      return {
        ok: false,
        errors: [
          {
            column: 'event',
            message: `must be departure or arrival, got ${JSON.stringify(event)}`,
          },
        ],
      };
    }
    return movementItem(
      record,
      {
        movement_id: (record.movement_id ?? '').trim(),
        event,
        timestamp: (record.timestamp ?? '').trim(),
      },
      `file:${at.sha256.slice(0, 16)}:${at.line}`,
      lookups,
    );
  },
};

export const FACT_KINDS = {
  sales: salesKind,
  stock_counts: stockCountsKind,
  movements: movementsKind,
} as const satisfies Record<string, FactKind>;

export type FactKindName = keyof typeof FACT_KINDS;

/** The file column a validator's JSON path is about ('' when it is about no one column). */
export function columnOf(path: string, header: readonly string[], kind: FactKind['kind']): string {
  const last = path.split('/').pop() ?? '';
  if (header.includes(last)) return last;
  if (kind !== 'sales' && path === '/time')
    return kind === 'stock_counts' ? 'counted_at' : 'timestamp';
  if (kind !== 'sales' && path === '/source')
    return header.includes('source') ? 'source' : 'warehouse_id';
  return '';
}
