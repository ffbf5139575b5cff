// The orders intake as the orders benchmark and the `orders` load-test scenario run it: the local
// stack up, an isolated pipeline whose catalog and stock make every bench order complete, and a
// stockflow process each for ingest (POST /orders) and the relay (the outbox to Kafka). No orders worker:
// what is measured is taking an order, durable before its 202.
import { BENCH_CATALOG, BENCH_STOCK, BENCH_WAREHOUSE } from './order-bodies.js';
import { servePipeline } from './serve-pipeline.js';
import type { Pipeline } from '../../testkit/pipeline-harness.js';
import type { ServingStockflow } from '../../testkit/stockflow-process.js';

export interface OrdersIntake {
  readonly pipeline: Pipeline;
  /** The environment of the pipeline's stockflow processes (for starting an orders worker). */
  readonly env: Record<string, string>;
  readonly intake: ServingStockflow;
  /** Orders stored so far, whatever their status. */
  orders(): Promise<number>;
  /** Stops the intake and removes the pipeline's topics and databases. */
  close(): Promise<void>;
}

export interface OrdersIntakeOptions {
  /** Node options of the intake process, e.g. `--cpu-prof` (bench:orders --profile). */
  readonly nodeOptions?: readonly string[];
}

export async function startOrdersIntake(options: OrdersIntakeOptions = {}): Promise<OrdersIntake> {
  const served = await servePipeline({
    settings: { KAFKA_PARTITIONS: '3', DATABASE_POOL_SIZE: '20' },
    // Bench setup, not a test: the catalog and stock enough for every order, written directly.
    async prepare(p) {
      for (const product of BENCH_CATALOG) {
        await p.runtime.pool.query(
          `INSERT INTO products (product_id, name, unit_price) VALUES ($1, $1, $2::numeric / 100)`,
          [product.id, product.cents],
        );
        await p.runtime.pool.query(
          `INSERT INTO stock (warehouse_id, product_id, quantity) VALUES ($1, $2, $3)`,
          [BENCH_WAREHOUSE, product.id, BENCH_STOCK],
        );
      }
    },
    // The intake and the outbox relay in processes of their own, as docker-compose.yml runs them:
    // the relay publishes four outbox messages per order (its hand-over, two changes, a stock
    // change), and in the intake's process its Kafka work would lengthen the intake's tail.
    processes: [
      { args: ['ingest'], ...(options.nodeOptions ? { nodeOptions: options.nodeOptions } : {}) },
      { args: ['relay'] },
    ],
  });
  const p = served.pipeline;
  return {
    pipeline: p,
    env: served.env,
    intake: served.processes[0]!,
    async orders() {
      const r = await p.runtime.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      return r.rows[0]!.n;
    },
    close: () => served.close(),
  };
}
