import { parseOptionalProductId, parseOptionalUuid } from '../params.js';
import { inTransit } from '../queries/in-transit.js';
import { defineRoute } from '../serve.js';

/** GET /analytics/in-transit: units on the way now, per sender warehouse and product. */
export const inTransitRoute = defineRoute({
  path: '/analytics/in-transit',
  parse: (q) => ({
    warehouseId: parseOptionalUuid(q, 'warehouse_id'),
    productId: parseOptionalProductId(q, 'product_id'),
  }),
  compute: async (a, p) => {
    const goods = await inTransit(a, p);
    return {
      json: { in_transit: goods },
      table: {
        columns: ['sender_warehouse_id', 'product_id', 'quantity', 'movements'],
        rows: goods.map((g) => [g.sender_warehouse_id, g.product_id, g.quantity, g.movements]),
      },
    };
  },
});
