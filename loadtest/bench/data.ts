// Deterministic data for the analytics benchmark: sale lines over one year (orders of 1–4
// lines, skewed products, sellers and buyers, 40 countries, the 12 categories), stock changes
// with consistent balances and movement changes, generated fast enough for 10 million lines.
import { salesTable } from '../../processors/sink/sink-tables.js';
import { SALE_CATEGORIES, type Sale } from '../../domain/sale.js';
import { seededRandom } from '../../testkit/random.js';

export const YEAR_START = Date.UTC(2025, 0, 1) / 1000; // epoch seconds
export const YEAR_DAYS = 365;
export const DAY = 86_400;
export const YEAR_END = YEAR_START + YEAR_DAYS * DAY; // exclusive

export const PRODUCTS = 50_000;
export const SELLERS = 2_000;
export const BUYERS = 200_000;
export const COUNTRIES = [
  'RU', 'KZ', 'BY', 'UZ', 'AM', 'KG', 'DE', 'FR', 'PL', 'UA', 'US', 'GB', 'IT', 'ES', 'NL', 'SE',
  'FI', 'NO', 'DK', 'CZ', 'SK', 'HU', 'RO', 'BG', 'GR', 'TR', 'GE', 'AZ', 'LT', 'LV', 'EE', 'PT',
  'IE', 'AT', 'CH', 'BE', 'CN', 'JP', 'KR', 'IN',
] as const; // prettier-ignore

/** A stable 32-bit hash of an integer: per-entity attributes without tables. */
export function hash(n: number, salt = 0): number {
  let h = Math.imul(n ^ (salt * 0x9e3779b9), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
const unit = (n: number, salt: number): number => hash(n, salt) / 4_294_967_296;
/** An index below `n`, `u²`-skewed towards 0 (a few big ones, a long tail). */
const skewed = (u: number, n: number): number => Math.min(n - 1, Math.floor(u * u * n));

export const productId = (p: number): string => String(3_000_000 + p);
export const sellerId = (s: number): string => String(500_000 + s);
export const buyerId = (b: number): string => String(10_000_000 + b);
const sellerCountry = (s: number): string => COUNTRIES[skewed(unit(s, 1), COUNTRIES.length)]!;
const buyerCountry = (b: number): string => COUNTRIES[skewed(unit(b, 2), COUNTRIES.length)]!;
const productCategory = (p: number): string =>
  SALE_CATEGORIES[skewed(unit(p, 3), SALE_CATEGORIES.length)]!;
const productBrand = (p: number): string => `Brand ${hash(p, 4) % 800}`;
/** 1.00 to ~2000.00, most below 200. */
const productPriceCents = (p: number): number => 100 + Math.floor(unit(p, 5) ** 3 * 200_000);

/** One sale line as the raw `sales` table holds it (less the Kafka columns). */
export interface SaleLine {
  readonly order_id: string;
  readonly product_id: string;
  readonly buyer_id: string;
  readonly seller_id: string;
  readonly seller_country: string;
  readonly buyer_country: string;
  /** Epoch seconds. */
  readonly paid_at: number;
  readonly brand: string;
  readonly category: string;
  readonly revenue_cents: number;
  readonly quantity: number;
}

/**
 * Sale lines in payment order: `total` lines spread evenly over the year, so consecutive batches
 * fall into one or two monthly partitions, as a live feed would. `next()` gives the next line.
 */
export class SalesGenerator {
  readonly #rand: () => number;
  readonly #total: number;
  #line = 0;
  #order = 0;
  #left = 0; // lines left in the current order
  #orderFields = { order_id: '', buyer: 0, seller: 0, paid_at: 0 };

  constructor(total: number, seed = 42) {
    this.#total = total;
    this.#rand = seededRandom(seed);
  }

  get produced(): number {
    return this.#line;
  }

  next(): SaleLine {
    const r = this.#rand;
    if (this.#left === 0) {
      this.#left = 1 + Math.floor(r() * r() * 4); // 1–4 lines, mostly 1–2
      const u = r();
      this.#orderFields = {
        order_id: String(100_000_000 + this.#order++),
        // 30% of orders from a skewed set of frequent buyers, the rest uniform.
        buyer: u < 0.3 ? skewed(r(), BUYERS) : Math.floor(r() * BUYERS),
        seller: skewed(r(), SELLERS),
        paid_at:
          YEAR_START +
          Math.min(
            YEAR_DAYS * DAY - 1,
            Math.floor((this.#line / this.#total) * YEAR_DAYS * DAY + r() * 60),
          ),
      };
    }
    this.#left--;
    this.#line++;
    const o = this.#orderFields;
    const product = r() < 0.5 ? skewed(r(), PRODUCTS) : Math.floor(r() * PRODUCTS);
    const quantity = r() < 0.8 ? 1 : 2 + Math.floor(r() * 4);
    return {
      order_id: o.order_id,
      product_id: productId(product),
      buyer_id: buyerId(o.buyer),
      seller_id: sellerId(o.seller),
      seller_country: sellerCountry(o.seller),
      buyer_country: buyerCountry(o.buyer),
      paid_at: o.paid_at,
      brand: productBrand(product),
      category: productCategory(product),
      revenue_cents: productPriceCents(product) * quantity,
      quantity,
    };
  }
}

const money = (cents: number): string =>
  `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** The line as a validated sale (the Avro record the sink reads). */
export function toSale(line: SaleLine): Sale {
  return {
    ID_ORDER: line.order_id,
    ID_PRODUCT: line.product_id,
    ID_BUYER: line.buyer_id,
    ID_SELLER: line.seller_id,
    ID_SELLER_COUNTRY: line.seller_country,
    ID_BUYER_COUNTRY: line.buyer_country,
    DATE_PAYMENT: line.paid_at * 1000,
    BRAND: line.brand,
    CATEGORY: line.category as Sale['CATEGORY'],
    REVENUE: money(line.revenue_cents),
    QUANTITY: line.quantity,
  };
}

/** The line as an upstream sends it (seed 003's JSON): a UTC date-time, revenue a number. */
export function toSaleRequest(line: SaleLine): Record<string, string | number> {
  const sale = toSale(line);
  return {
    ...sale,
    DATE_PAYMENT: new Date(sale.DATE_PAYMENT).toISOString().slice(0, 19).replace('T', ' '),
    REVENUE: line.revenue_cents / 100,
  };
}

/** Columns of the raw `sales` table in the order `salesTsv` writes them: the sink's own order. */
export const SALES_COLUMNS = salesTable.columns;

/**
 * The next `count` lines as TabSeparated rows of the raw `sales` table (ASCII only, no value holds
 * a tab, newline or backslash; DateTime as epoch seconds). Positions as if produced round-robin to
 * 3 partitions of `topic`. Written straight into a Buffer: joining 200k strings is 4× slower.
 */
export function salesTsv(gen: SalesGenerator, count: number, topic: string): Buffer {
  let buf = Buffer.allocUnsafe(count * 160);
  let at = 0;
  for (let k = 0; k < count; k++) {
    const i = gen.produced;
    const s = gen.next();
    const partition = i % 3;
    const offset = Math.floor(i / 3);
    const line = `${topic}:${partition}:${offset}\t${s.order_id}\t${s.product_id}\t${s.buyer_id}\t${s.seller_id}\t${s.seller_country}\t${s.buyer_country}\t${s.paid_at}\t${s.brand}\t${s.category}\t${s.revenue_cents}\t${s.quantity}\t${topic}\t${partition}\t${offset}\n`;
    if (at + line.length > buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    at += buf.write(line, at, 'latin1');
  }
  return buf.subarray(0, at);
}

// ---------------------------------------------------------------------------------------------
// Stock and movements

export const WAREHOUSES = 20;
export const STOCK_PRODUCTS = 500;
const uuid = (kind: number, n: number): string =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
export const warehouseUuid = (w: number): string => uuid(0xa0, w);
export const stockProductUuid = (p: number): string => uuid(0xb0, p);
const movementUuid = (m: number): string => uuid(0xc0, m);

/** TabSeparated rows of `stock_changes`: `perKey` changes per (warehouse, product), balances consistent. */
export function stockChangesTsv(perKey: number, seed = 7): { tsv: string; rows: number } {
  const rand = seededRandom(seed);
  const changes: { key: string; occurred: number; line: string }[] = [];
  let movement = 0;
  for (let w = 0; w < WAREHOUSES; w++) {
    for (let p = 0; p < STOCK_PRODUCTS; p++) {
      const [warehouse, product] = [warehouseUuid(w), stockProductUuid(p)];
      let t = YEAR_START + Math.floor(rand() * 3 * DAY);
      let balance = 0;
      for (let k = 0; k < perKey; k++) {
        const r = rand();
        let reason: string;
        let delta: number;
        if (k === 0 || r > 0.95) {
          reason = 'inventory';
          delta = 50 + Math.floor(rand() * 200) - balance;
        } else if (r < 0.45 || balance === 0) {
          reason = 'arrival';
          delta = 1 + Math.floor(rand() * 40);
        } else {
          reason = 'departure';
          delta = -(1 + Math.floor(rand() * Math.min(balance, 30)));
        }
        balance += delta;
        const occurred = Math.min(t, YEAR_END - 1);
        changes.push({
          key: `${warehouse}\t${product}`,
          occurred,
          line: `\t${warehouse}\t${product}\t${reason}\t${delta}\t${balance}\t${movementUuid(movement++)}\t${occurred}\t${occurred + 2}`,
        });
        // Spread perKey changes over the year.
        t += Math.floor(600 + rand() * ((2 * YEAR_DAYS * DAY) / perKey));
      }
    }
  }
  // Ledger ids follow time, as the processor's do.
  changes.sort((a, b) => a.occurred - b.occurred);
  const lines = changes.map(
    (c, i) => `${i + 1}${c.line}\tbench_stock_changes\t0\t${i}\n`, // ledger_id first
  );
  return { tsv: lines.join(''), rows: lines.length };
}

/** Epoch seconds for a TSV DateTime: 18.16 reads `0` followed by more text as a broken date. */
const dt = (s: number): string => String(s).padStart(5, '0');

/**
 * TabSeparated rows of `movement_changes` for `movements` movements between the warehouses over
 * the year: 70% in_transit → completed, 10% arrived_first → completed (some losing units), 10%
 * still in transit, 10% pending_stock → rejected.
 */
export function movementChangesTsv(movements: number, seed = 9): { tsv: string; rows: number } {
  const rand = seededRandom(seed);
  const lines: string[] = [];
  const row = (
    id: string,
    version: number,
    status: string,
    previous: string,
    product: string,
    sender: string,
    receiver: string,
    departed: number,
    arrived: number,
    sent: number,
    received: number,
    changed: number,
  ) =>
    lines.push(
      `${id}\t${version}\t${status}\t${previous}\t${product}\t${sender}\t${receiver}\t${dt(departed)}\t${dt(arrived)}\t${sent}\t${received}\t${dt(changed)}\tbench_movement_changes\t0\t${lines.length}\n`,
    );
  for (let m = 0; m < movements; m++) {
    const id = movementUuid(0x100000 + m);
    const s = skewed(rand(), WAREHOUSES);
    const r = (s + 1 + Math.floor(rand() * (WAREHOUSES - 1))) % WAREHOUSES;
    const [sender, receiver] = [warehouseUuid(s), warehouseUuid(r)];
    const product = stockProductUuid(skewed(rand(), STOCK_PRODUCTS));
    const departed = YEAR_START + Math.floor((m / movements) * (YEAR_DAYS - 5) * DAY);
    const arrived = departed + 1800 + Math.floor(rand() * rand() * 4 * DAY);
    const sent = 1 + Math.floor(rand() * 50);
    const received = rand() < 0.05 ? Math.max(1, sent - 1 - Math.floor(rand() * 3)) : sent;
    const kind = rand();
    if (kind < 0.7) {
      row(id, 1, 'in_transit', '', product, sender, receiver, departed, 0, sent, 0, departed);
      row(id, 2, 'completed', 'in_transit', product, sender, receiver, departed, arrived, sent, received, arrived); // prettier-ignore
    } else if (kind < 0.8) {
      row(id, 1, 'arrived_first', '', product, '', receiver, 0, arrived, 0, received, arrived);
      row(id, 2, 'completed', 'arrived_first', product, sender, receiver, departed, arrived, sent, received, arrived + 5); // prettier-ignore
    } else if (kind < 0.9) {
      row(id, 1, 'in_transit', '', product, sender, receiver, departed, 0, sent, 0, departed);
    } else {
      row(id, 1, 'pending_stock', '', product, sender, receiver, departed, 0, sent, 0, departed);
      row(id, 2, 'rejected', 'pending_stock', product, sender, receiver, departed, 0, sent, 0, departed + 300); // prettier-ignore
    }
  }
  return { tsv: lines.join(''), rows: lines.length };
}
