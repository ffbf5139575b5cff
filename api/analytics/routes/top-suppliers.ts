import { centsToDecimal, centsToNumber } from '../money.js';
import { parseLimit, parseOpenDayRange } from '../params.js';
import { topSuppliers } from '../queries/top-suppliers.js';
import { defineRoute } from '../serve.js';

/** GET /top_suppliers: sellers with the most distinct orders, all time unless days are given. */
export const topSuppliersRoute = defineRoute({
  path: '/top_suppliers',
  parse: (q) => ({ days: parseOpenDayRange(q), limit: parseLimit(q, 5, 100) }),
  compute: async (a, { days, limit }) => {
    const top = (await topSuppliers(a, days, limit)).sellers;
    return {
      json: {
        top_suppliers: top.map((s) => ({
          seller_id: s.seller_id,
          order_count: s.order_count,
          revenue: centsToNumber(s.revenue_cents),
        })),
      },
      table: {
        columns: ['seller_id', 'order_count', 'revenue'],
        rows: top.map((s) => [s.seller_id, s.order_count, centsToDecimal(s.revenue_cents)]),
      },
    };
  },
});
