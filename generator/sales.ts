import { Rng, weightTable } from './random.js';
import { STREAM, paymentDate, streamSeed } from './timeline.js';
import type { GenerateOptions, GeneratedMessage } from './types.js';
import type { Product, World } from './world.js';

// Sale lines in the upstream format of seed 003, lazily: orders of 1–5 lines
// (distinct products), one buyer and one payment time per order, quantities
// 1–5 (mostly 1), each line's seller, brand and category those of its product,
// and REVENUE = unit price × quantity, in integer cents: no float arithmetic.

/** The keys of a sale line, in order. */
export const SALE_KEYS = [
  'ID_ORDER',
  'ID_PRODUCT',
  'ID_BUYER',
  'ID_SELLER',
  'ID_SELLER_COUNTRY',
  'ID_BUYER_COUNTRY',
  'DATE_PAYMENT',
  'BRAND',
  'CATEGORY',
  'REVENUE',
  'QUANTITY',
] as const;

const LINES_PER_ORDER = weightTable([55, 25, 12, 5, 3]); // 1..5
const QUANTITY = weightTable([70, 18, 7, 3, 2]); // 1..5

/** Integer cents as decimal text with two places: 5727 → "57.27". Integer arithmetic only. */
export function centsText(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new Error(`bad cents ${cents}`);
  const rest = cents % 100;
  return `${(cents - rest) / 100}.${rest < 10 ? '0' : ''}${rest}`;
}

/** A sale line's text from its product and the rest of its fields: JSON, or a CSV record. */
export type SaleEncoder = (product: Product, fields: LineFields) => string;

export function* saleMessages(
  world: World,
  options: GenerateOptions,
  encode: SaleEncoder = saleJson,
): Generator<GeneratedMessage> {
  const topic = options.salesTopic;
  const rng = new Rng(streamSeed(options, STREAM.sales));
  const n = options.sales;
  const start = options.from.getTime();
  const gap = (options.to.getTime() - start) / Math.max(1, n);
  let orderId = rng.int(30_000_000, 39_999_999);
  let clock = start;

  for (let line = 0; line < n;) {
    const lines = Math.min(n - line, rng.weighted(LINES_PER_ORDER) + 1);
    const at = Math.max(clock, Math.floor(start + (line + rng.next()) * gap));
    clock = at;
    orderId += rng.int(1, 3);
    const buyer = world.buyers[rng.weighted(world.buyerWeights)];
    if (buyer === undefined) throw new Error('no buyers');
    const date = paymentDate(at);
    const chosen = new Set<number>();
    while (chosen.size < Math.min(lines, world.products.length)) {
      chosen.add(rng.weighted(world.productWeights));
    }
    let first = true;
    for (const p of chosen) {
      const product = world.products[p];
      const seller = product === undefined ? undefined : world.sellers[product.seller];
      if (product === undefined || seller === undefined) throw new Error(`no product ${p}`);
      const quantity = rng.weighted(QUANTITY) + 1;
      const value = encode(product, {
        order: String(orderId),
        buyer: buyer.id,
        buyerCountry: buyer.country,
        seller: seller.id,
        sellerCountry: seller.country,
        date,
        quantity,
      });
      yield {
        topic,
        key: String(orderId),
        value,
        kind: 'sale',
        duplicate: false,
        at,
        ...(first ? { newOrder: true } : {}),
      };
      first = false;
    }
    line += chosen.size;
  }
}

export interface LineFields {
  readonly order: string;
  readonly buyer: string;
  readonly buyerCountry: string;
  readonly seller: string;
  readonly sellerCountry: string;
  readonly date: string;
  readonly quantity: number;
}

/** Written by hand so REVENUE is exactly the cents' decimal text. */
function saleJson(product: Product, f: LineFields): string {
  const s = JSON.stringify;
  return (
    `{"ID_ORDER":${s(f.order)},"ID_PRODUCT":${s(product.saleId)},"ID_BUYER":${s(f.buyer)},` +
    `"ID_SELLER":${s(f.seller)},"ID_SELLER_COUNTRY":${s(f.sellerCountry)},` +
    `"ID_BUYER_COUNTRY":${s(f.buyerCountry)},"DATE_PAYMENT":${s(f.date)},` +
    `"BRAND":${s(product.brand)},"CATEGORY":${s(product.category)},` +
    `"REVENUE":${centsText(product.priceCents * f.quantity)},"QUANTITY":${f.quantity}}`
  );
}
