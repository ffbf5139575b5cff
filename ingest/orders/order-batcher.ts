import type { NewOrder, OrderView } from '../../lib/postgres/order-rows.js';
import { insertOrders } from '../../lib/postgres/order-rows.js';
import { inTransaction, type Pool } from '../../lib/postgres/pool.js';

interface Waiting {
  readonly order: NewOrder;
  readonly resolve: (view: OrderView) => void;
  readonly reject: (err: unknown) => void;
}

export interface OrderBatcherOptions {
  /** Most orders one transaction stores. */
  readonly maxBatch: number;
  /** Transactions storing orders at once (each holds one pooled connection). */
  readonly concurrency: number;
}

/**
 * Group commit for the intake: orders that arrive while a transaction is
 * storing others wait and go together in the next one, so under load one
 * commit (one WAL flush) makes hundreds of orders durable instead of one. A
 * request still answers only after the transaction holding its order
 * committed; if it fails, every order in it gets the error.
 */
export function orderBatcher(pool: Pool, handOverTopic: string, options: OrderBatcherOptions) {
  const queue: Waiting[] = [];
  let running = 0;

  async function flush(): Promise<void> {
    running++;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, options.maxBatch);
        try {
          const views = await inTransaction(pool, (client) =>
            insertOrders(
              client,
              batch.map((w) => w.order),
              handOverTopic,
            ),
          );
          const byId = new Map(views.map((v) => [v.order_id, v]));
          for (const w of batch) {
            const view = byId.get(w.order.order_id);
            if (view) w.resolve(view);
            else w.reject(new Error(`order ${w.order.order_id} was not stored`));
          }
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      running--;
    }
  }

  return {
    /** Stores the order with others waiting; resolves once its transaction committed. */
    store(order: NewOrder): Promise<OrderView> {
      return new Promise<OrderView>((resolve, reject) => {
        queue.push({ order, resolve, reject });
        if (running < options.concurrency) void flush();
      });
    },
  };
}
