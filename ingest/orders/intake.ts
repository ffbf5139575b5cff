import { createHash, randomFillSync } from 'node:crypto';
import { Router } from 'express';
import type { Counter } from 'prom-client';
import { validateOrder } from '../../domain/order.js';
import { productId } from '../../domain/product-id.js';
import {
  ConflictError,
  IdempotencyKeyReusedError,
  OverloadedError,
  ValidationError,
} from '../../lib/errors.js';
import type { OrderTopics } from '../../lib/kafka/topics.js';
import type { ApiFeature } from '../../lib/role.js';
import { claimKey, recordKey } from '../../lib/postgres/idempotency-keys.js';
import { insertOrders } from '../../lib/postgres/order-rows.js';
import { fromPostgres, inTransaction, type Pool } from '../../lib/postgres/pool.js';
import { orderBatcher } from './order-batcher.js';
import { ordersIntakeOpenApi } from './openapi.js';

export interface OrderIntakeDeps {
  readonly pool: Pool;
  readonly topics: OrderTopics;
  /** Requests taken at once; beyond it, 503 with Retry-After rather than an unbounded wait. */
  readonly maxInFlight: number;
  readonly idempotencyHours: number;
  /** The pool's size: half of it may store batches of orders at once. */
  readonly poolSize: number;
  /** Counts each order made durable here, as source="http" (lib/metrics.ts ordersAccepted). */
  readonly accepted: Counter<'source'>;
}

// Random bytes for ids, drawn 4 KiB at a time: a randomBytes(6) per order was a getrandom call
// each, 3% of the intake's CPU in a profile at 2,500 orders/s.
const ID_BYTES = 6;
const entropy = Buffer.alloc(4096 - (4096 % ID_BYTES));
let used = entropy.length;

/** Unique under any concurrency: the time keeps ids roughly in order, 48 random bits keep them apart. */
export function newOrderId(now = Date.now()): string {
  if (used === entropy.length) {
    randomFillSync(entropy);
    used = 0;
  }
  const hex = entropy.toString('hex', used, used + ID_BYTES);
  used += ID_BYTES;
  return `ORD-${now}-${hex}`;
}

/**
 * POST /orders (and /orders/, the seed's path): checks the order, stores it
 * pending with the outbox message that hands it to the `orders` role, in one
 * transaction (shared with the orders arriving meanwhile, see
 * order-batcher.ts; an Idempotency-Key gets one of its own), and answers 202
 * only after that commit. So a 202 order is
 * durable and GET /orders/{id} finds it at once.
 */
export function orderIntakeFeature(deps: OrderIntakeDeps): ApiFeature {
  const router = Router();
  let inFlight = 0;
  const batcher = orderBatcher(deps.pool, deps.topics.accepted, {
    maxBatch: 500,
    // Leaves pooled connections for keyed requests and other routes.
    concurrency: Math.max(1, Math.floor(deps.poolSize / 2)),
  });
  router.post(['/orders', '/orders/'], async (req, res) => {
    if (inFlight >= deps.maxInFlight) {
      throw new OverloadedError(`${inFlight} orders are being taken; retry shortly`, 1);
    }
    inFlight++;
    try {
      const checked = validateOrder(req.body, productId);
      if (!checked.ok) throw new ValidationError('the order is invalid', checked.errors);
      const key = req.get('Idempotency-Key');
      if (key === undefined) {
        const order = await fromPostgres(
          batcher.store({ order_id: newOrderId(), request: checked.order }),
        );
        deps.accepted.inc({ source: 'http' });
        res
          .status(202)
          .location(`/orders/${encodeURIComponent(order.order_id)}`)
          .json(order);
        return;
      }
      const hash = createHash('sha256').update(JSON.stringify(req.body)).digest('hex');
      const answer = await fromPostgres(
        inTransaction(deps.pool, async (client) => {
          {
            const claim = await claimKey(client, key, hash, deps.idempotencyHours);
            if (claim.state === 'in_flight') {
              throw new ConflictError('a request with this Idempotency-Key is still in flight');
            }
            if (claim.state === 'mismatch') {
              throw new IdempotencyKeyReusedError(
                'this Idempotency-Key was used for a different request',
              );
            }
            if (claim.state === 'replay') {
              return { replayed: true, status: claim.statusCode, body: claim.response };
            }
          }
          const [order] = await insertOrders(
            client,
            [{ order_id: newOrderId(), request: checked.order }],
            deps.topics.accepted,
          );
          await recordKey(client, key, hash, 202, order);
          return { replayed: false, status: 202, body: order };
        }),
      );
      if (!answer.replayed) deps.accepted.inc({ source: 'http' });
      const orderId = (answer.body as { order_id: string }).order_id;
      res.status(answer.status).location(`/orders/${encodeURIComponent(orderId)}`);
      res.set('Idempotent-Replayed', String(answer.replayed));
      res.json(answer.body);
    } finally {
      inFlight--;
    }
  });
  return { openapi: ordersIntakeOpenApi, router };
}
