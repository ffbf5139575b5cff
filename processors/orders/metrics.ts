import { Counter, Histogram } from 'prom-client';
import { once, type Registry } from '../../lib/metrics.js';

export interface OrderMetrics {
  readonly finished: Counter<'status' | 'reason'>;
  readonly processingSeconds: Histogram;
  readonly retries: Counter<'reason'>;
}

export function orderMetrics(registry: Registry): OrderMetrics {
  return {
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
  };
}
