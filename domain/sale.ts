// A sale line as upstream shops send it (seed 003): one product of one order,
// with the seed's upper-case field names. Pure types and constants: no I/O.

/**
 * The categories a sale may carry, the one list everything else derives from
 * (the Avro enum, the OpenAPI enum, the validator's message). A new category
 * is added at the end: the Avro enum gains a symbol, a BACKWARD-compatible change.
 */
export const SALE_CATEGORIES = [
  'clothing',
  'shoes',
  'bags',
  'accessories',
  'jewelry',
  'beauty',
  'sports',
  'electronics',
  'home',
  'toys',
  'books',
  'food',
] as const;

export type SaleCategory = (typeof SALE_CATEGORIES)[number];

/** A validated sale line: identifiers as strings, the payment instant in epoch ms, money exact. */
export interface Sale {
  readonly ID_ORDER: string;
  readonly ID_PRODUCT: string;
  readonly ID_BUYER: string;
  readonly ID_SELLER: string;
  readonly ID_SELLER_COUNTRY: string;
  readonly ID_BUYER_COUNTRY: string;
  /** When the order was paid: epoch milliseconds, UTC. */
  readonly DATE_PAYMENT: number;
  /** Empty when upstream sent none. */
  readonly BRAND: string;
  readonly CATEGORY: SaleCategory;
  /** Canonical decimal with exactly two fractional digits, e.g. `57.27`, `3.00`. */
  readonly REVENUE: string;
  /** Units sold, at least 1. */
  readonly QUANTITY: number;
}

const CANONICAL_MONEY = /^(0|[1-9]\d*)\.(\d{2})$/;

/** The revenue in cents, exactly (never through a float): `57.27` → `5727n`. */
export function revenueCents(sale: Pick<Sale, 'REVENUE'>): bigint {
  const m = CANONICAL_MONEY.exec(sale.REVENUE);
  if (m === null) throw new Error(`not a canonical amount: ${JSON.stringify(sale.REVENUE)}`);
  return BigInt(m[1] ?? '') * 100n + BigInt(m[2] ?? '');
}
