import { Counter, Histogram } from 'prom-client';
import {
  kafkaMetrics,
  once,
  ordersAccepted,
  scrapeGauges,
  type Registry,
} from '../../lib/metrics.js';
import { queueGauge } from '../../lib/postgres/order-rows.js';
import type { Pool } from '../../lib/postgres/pool.js';

export interface OrderMetrics {
  /** Orders stored from the raw Kafka topic (label source="kafka"). */
  readonly accepted: Counter<'source'>;
  readonly finished: Counter<'status' | 'reason'>;
  readonly processingSeconds: Histogram;
  readonly retries: Counter<'reason'>;
  /** kafka_consumer_messages_total, for the messages the worker sends to the DLQ. */
  readonly consumed: Counter<'topic' | 'outcome'>;
}

/**
 * The orders role's metrics. The queue's gauges read Postgres when scraped (one count on the
 * partial index of unfinished orders), so every worker reports the same figure: use max() across
 * instances. A scrape while Postgres is away keeps the last figures and counts in
 * stockflow_metrics_collect_errors_total; /ready says Postgres is down.
 */
export function orderMetrics(registry: Registry, pool: Pool): OrderMetrics {
  scrapeGauges({
    registry,
    collector: 'orders_queue',
    read: () => queueGauge(pool),
    initial: { unfinished: 0, oldestSeconds: 0 },
    gauges: [
      {
        name: 'stockflow_orders_queue_length',
        help: 'Orders accepted and not finished yet (pending or processing).',
        value: (f) => f.unfinished,
      },
      {
        name: 'stockflow_orders_oldest_pending_age_seconds',
        help: 'Age of the oldest order not finished yet; 0 when none waits.',
        value: (f) => f.oldestSeconds,
      },
    ],
  });
  return {
    accepted: ordersAccepted(registry),
    finished: once(
      registry,
      'stockflow_orders_finished_total',
      () =>
        new Counter({
          name: 'stockflow_orders_finished_total',
          help: 'Orders the orders role finished: status completed or failed, with the failure reason.',
          labelNames: ['status', 'reason'],
          registers: [registry],
        }),
    ),
    processingSeconds: once(
      registry,
      'stockflow_order_processing_seconds',
      () =>
        new Histogram({
          name: 'stockflow_order_processing_seconds',
          help: 'From an order accepted (durable) to its final status.',
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
          registers: [registry],
        }),
    ),
    retries: once(
      registry,
      'stockflow_order_retries_total',
      () =>
        new Counter({
          name: 'stockflow_order_retries_total',
          help: 'Order batch transactions retried after a transient Postgres error.',
          labelNames: ['reason'],
          registers: [registry],
        }),
    ),
    consumed: kafkaMetrics(registry).consumed,
  };
}
