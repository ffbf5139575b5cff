import { Router } from 'express';
import { NotFoundError } from '../../lib/errors.js';
import type { ApiFeature } from '../../lib/role.js';
import { loadOrder } from '../../lib/postgres/order-rows.js';
import { fromPostgres, type Pool } from '../../lib/postgres/pool.js';
import { ordersReadOpenApi } from './openapi.js';

/** GET /orders/{order_id}, from Postgres: an order accepted with 202 is there at once. */
export function ordersFeature(deps: { readonly pool: Pool }): ApiFeature {
  const router = Router();
  router.get('/orders/:order_id', async (req, res) => {
    const id = String(req.params.order_id);
    const order = await fromPostgres(loadOrder(deps.pool, id));
    if (!order) throw new NotFoundError(`no order ${id}`);
    res.set('Cache-Control', 'no-cache').json(order);
  });
  return { openapi: ordersReadOpenApi, router };
}
