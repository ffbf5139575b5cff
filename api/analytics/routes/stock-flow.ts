import {
  parseDayRange,
  parseGranularity,
  parseLimit,
  parseOptionalProductId,
  parseOptionalUuid,
} from '../params.js';
import { stockFlow } from '../queries/stock-flow.js';
import { defineRoute } from '../serve.js';

/** GET /analytics/stock-flow: units in and out per period, warehouse and product. */
export const stockFlowRoute = defineRoute({
  path: '/analytics/stock-flow',
  parse: (q) => ({
    days: parseDayRange(q),
    granularity: parseGranularity(
      q,
      ['day', 'week', 'month'],
      'day',
      'is not available: stock flow is kept per day, so the finest period is a day',
    ),
    warehouseId: parseOptionalUuid(q, 'warehouse_id'),
    productId: parseOptionalProductId(q, 'product_id'),
    limit: parseLimit(q, 1000, 10_000),
  }),
  compute: async (a, p) => {
    const flow = await stockFlow(
      a,
      p.days,
      p.granularity,
      { warehouseId: p.warehouseId, productId: p.productId },
      p.limit,
    );
    return {
      json: { stock_flow: flow },
      table: {
        columns: ['period', 'warehouse_id', 'product_id', 'inbound', 'outbound'],
        rows: flow.map((f) => [f.period, f.warehouse_id, f.product_id, f.inbound, f.outbound]),
      },
    };
  },
});
