// Orders that would complete: a small catalog, and order bodies priced exactly against it (both of
// seed 004's request shapes), for the orders benchmark and the `orders` load-test scenario.
import { formatCents } from '../../domain/order.js';

/** Where the benchmarks keep their stock: one warehouse holding every catalog product. */
export const BENCH_WAREHOUSE = '0b0b0b0b-0000-4000-8000-000000000001';

/** Units of each product in stock: more than any run orders, so no order fails for stock. */
export const BENCH_STOCK = 1_000_000_000;

/** The catalog: product id and unit price in cents. `bench` at 1.00 is `bench:orders`' one order. */
export const BENCH_CATALOG: readonly { readonly id: string; readonly cents: number }[] = [
  { id: 'bench', cents: 100 },
  { id: 'bench-tea', cents: 349 },
  { id: 'bench-mug', cents: 1250 },
  { id: 'bench-kettle', cents: 3999 },
  { id: 'bench-filter', cents: 75 },
  { id: 'bench-beans', cents: 1499 },
  { id: 'bench-grinder', cents: 8900 },
  { id: 'bench-scale', cents: 2425 },
];

/**
 * The `i`-th of a repeating set of order bodies, each priced to the cent against BENCH_CATALOG:
 * 0 is `{user_id: 'bench', item_ids: ['bench'], total_amount: 1}`; the others name one to three
 * products, half of them as `item_ids` (a repeated id is two units), half as `items` with
 * quantities, with the total as a number or as text.
 */
export function orderBody(i: number): Record<string, unknown> {
  if (i === 0) return { user_id: 'bench', item_ids: ['bench'], total_amount: 1 };
  const n = BENCH_CATALOG.length;
  const lines = Array.from({ length: 1 + (i % 3) }, (_, k) => ({
    product: BENCH_CATALOG[(i * 7 + k * 3) % n]!,
    quantity: 1 + ((i + k) % 4),
  }));
  const cents = lines.reduce((sum, l) => sum + BigInt(l.product.cents * l.quantity), 0n);
  const user_id = `load-user-${i % 997}`;
  if (i % 2 === 0)
    return {
      user_id,
      item_ids: lines.flatMap((l) => Array<string>(l.quantity).fill(l.product.id)),
      total_amount: Number(formatCents(cents)),
    };
  return {
    user_id,
    items: lines.map((l) => ({ product_id: l.product.id, quantity: l.quantity })),
    total_amount: formatCents(cents),
  };
}
