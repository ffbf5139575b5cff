import { parseInstantRange, parseLimit, splitRange } from '../params.js';
import { topProducts } from '../queries/top-products.js';
import { defineRoute } from '../serve.js';

/** GET /top_products: products with the most units sold in a period. */
export const topProductsRoute = defineRoute({
  path: '/top_products',
  parse: (q) => ({ range: parseInstantRange(q), limit: parseLimit(q, 10, 100) }),
  compute: async (a, { range, limit }) => {
    const top = await topProducts(a, splitRange(range), limit);
    return {
      json: { top_products: top },
      table: {
        columns: ['product_id', 'total_quantity'],
        rows: top.map((p) => [p.product_id, p.total_quantity]),
      },
    };
  },
});
