import { isoSeconds } from '../timeline.js';
import type { EventEncoder } from '../movement-messages.js';
import { SALE_KEYS, centsText, type SaleEncoder } from '../sales.js';
import { csvRow } from './csv-text.js';

// The generator's events as rows of the fact files the import job takes (the
// headers of examples/stock_counts.csv, movements.csv and sales.csv): the same
// events `npm run generate` publishes, written as a file instead.

export const STOCK_COUNT_HEADER = ['warehouse_id', 'product_id', 'quantity', 'counted_at'] as const;
export const MOVEMENT_HEADER = [
  'movement_id',
  'event',
  'warehouse_id',
  'source',
  'product_id',
  'quantity',
  'timestamp',
] as const;
export const SALE_HEADER = SALE_KEYS;

/**
 * A stock count as a row of stock_counts.csv (the import names the count by the file and line),
 * a leg as one of movements.csv, its `source` the warehouse's code as the event carries it.
 */
export const eventRecord: EventEncoder = (kind, f) =>
  kind === 'inventory'
    ? csvRow([f.warehouse.id, f.productId, f.quantity, isoSeconds(f.at)])
    : csvRow([
        f.movementId,
        kind,
        f.warehouse.id,
        f.warehouse.code,
        f.productId,
        f.quantity,
        isoSeconds(f.at),
      ]);

/** A sale line as a row of sales.csv, columns in SALE_KEYS order. */
export const saleRecord: SaleEncoder = (p, f) =>
  csvRow([
    f.order,
    p.saleId,
    f.buyer,
    f.seller,
    f.sellerCountry,
    f.buyerCountry,
    f.date,
    p.brand,
    p.category,
    centsText(p.priceCents * f.quantity),
    f.quantity,
  ]);
