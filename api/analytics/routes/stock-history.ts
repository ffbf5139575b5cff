import { NotFoundError } from '../../../lib/errors.js';
import {
  dayOf,
  GRANULARITIES,
  parseGranularity,
  parseInstantRange,
  parseProductId,
  parseUuid,
} from '../params.js';
import { stockExists, stockHistory } from '../queries/stock-history.js';
import { defineRoute } from '../serve.js';

/** `YYYY-MM-DDTHH:MM:SSZ` of epoch seconds. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * GET /analytics/stock-history: one stock level over time (the balance at the end of each
 * period, units in and out); 404 when the warehouse never held the product.
 */
export const stockHistoryRoute = defineRoute({
  path: '/analytics/stock-history',
  parse: (q) => ({
    warehouseId: parseUuid(q, 'warehouse_id'),
    productId: parseProductId(q, 'product_id'),
    range: parseInstantRange(q),
    granularity: parseGranularity(q, GRANULARITIES, 'day'),
  }),
  compute: async (a, p) => {
    const key = { warehouseId: p.warehouseId, productId: p.productId };
    const history = await stockHistory(a, key, p.range, p.granularity);
    if (history.length === 0 && !(await stockExists(a, key))) {
      throw new NotFoundError(`warehouse ${p.warehouseId} never held product ${p.productId}`);
    }
    const rows = history.map((h) => ({
      period: p.granularity === 'hour' ? isoSeconds(h.period) : dayOf(h.period * 1000),
      balance: h.balance,
      inbound: h.inbound,
      outbound: h.outbound,
    }));
    return {
      json: { stock_history: rows },
      table: {
        columns: ['period', 'balance', 'inbound', 'outbound'],
        rows: rows.map((r) => [r.period, r.balance, r.inbound, r.outbound]),
      },
    };
  },
});
