import { Router } from 'express';
import type { Kafka } from 'kafkajs';
import { NotFoundError } from '../../lib/errors.js';
import type { ApiFeature } from '../../lib/role.js';
import { loadOrder } from '../../lib/postgres/order-rows.js';
import { fromPostgres, type Pool } from '../../lib/postgres/pool.js';
import { ordersReadOpenApi } from './openapi.js';
import { orderMetrics, queueStatus, workerLag } from './queries.js';

export interface OrdersFeatureDeps {
  readonly pool: Pool;
  /** For the workers' consumer lag: the accepted topic's ends. Without it (or Kafka), lag is `null`. */
  readonly kafka?: Kafka;
  readonly acceptedTopic?: string;
  readonly workerGroupId?: string;
  /** How long one computed metrics or status answer is served again (ms). */
  readonly memoMs?: number;
}

/** One computation per `ms` however many ask: under load the answers stay a few statements a second. */
function memo<T>(ms: number, compute: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) {
      const value = compute();
      last = { at: now, value };
      value.catch(() => (last = undefined));
    }
    return last.value;
  };
}

/**
 * GET /orders/metrics, /orders/status (also with the seed's trailing slash)
 * and /orders/{order_id}, from Postgres. The literal paths are routed before
 * the id, so neither is ever taken for an order id.
 */
export function ordersFeature(deps: OrdersFeatureDeps): ApiFeature {
  const router = Router();
  const memoMs = deps.memoMs ?? 1000;
  const metrics = memo(memoMs, () => fromPostgres(orderMetrics(deps.pool)));
  const ends = async (): Promise<Map<number, bigint> | null> => {
    const { kafka, acceptedTopic } = deps;
    if (!kafka || !acceptedTopic) return null;
    const admin = kafka.admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(acceptedTopic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    } catch {
      // The queue is Postgres's; only the lag needs Kafka, and is null while it is away.
      return null;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const status = memo(memoMs, async () => {
    const queue = await fromPostgres(queueStatus(deps.pool));
    const topicEnds = await ends();
    const lag =
      topicEnds && deps.workerGroupId && deps.acceptedTopic
        ? await fromPostgres(
            workerLag(deps.pool, deps.workerGroupId, deps.acceptedTopic, topicEnds),
          )
        : null;
    return {
      ...queue,
      consumer_lag: lag && {
        total: lag.reduce((n, p) => n + p.lag, 0),
        partitions: lag,
      },
    };
  });
  router.get('/orders/metrics', async (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(await metrics());
  });
  router.get(['/orders/status', '/orders/status/'], async (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(await status());
  });
  router.get('/orders/:order_id', async (req, res) => {
    const id = String(req.params.order_id);
    const order = await fromPostgres(loadOrder(deps.pool, id));
    if (!order) throw new NotFoundError(`no order ${id}`);
    res.set('Cache-Control', 'no-cache').json(order);
  });
  return { openapi: ordersReadOpenApi, router };
}
