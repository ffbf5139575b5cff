import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

/**
 * Metric families are defined once per registry: roles sharing a process (and
 * so a registry) get the same instance instead of a duplicate-name error.
 */
export function once<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** A fresh registry per process (and per test): nothing registers globally. */
export function createRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
}

export function httpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: once(
      registry,
      'http_requests_total',
      () =>
        new Counter({
          name: 'http_requests_total',
          help: 'HTTP requests by method, route template and status code.',
          labelNames: ['method', 'route', 'status'],
          registers: [registry],
        }),
    ),
    duration: once(
      registry,
      'http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'http_request_duration_seconds',
          help: 'HTTP request duration by method, route template and status code.',
          labelNames: ['method', 'route', 'status'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        }),
    ),
  };
}

export interface KafkaMetrics {
  readonly consumed: Counter<'topic' | 'outcome'>;
  readonly produced: Counter<'topic'>;
  readonly batchDuration: Histogram<'role'>;
}

export function kafkaMetrics(registry: Registry): KafkaMetrics {
  return {
    consumed: once(
      registry,
      'kafka_consumer_messages_total',
      () =>
        new Counter({
          name: 'kafka_consumer_messages_total',
          help: 'Messages consumed, by topic and outcome (ok, dead_letter, retried).',
          labelNames: ['topic', 'outcome'],
          registers: [registry],
        }),
    ),
    produced: once(
      registry,
      'kafka_producer_messages_total',
      () =>
        new Counter({
          name: 'kafka_producer_messages_total',
          help: 'Messages produced, by topic.',
          labelNames: ['topic'],
          registers: [registry],
        }),
    ),
    batchDuration: once(
      registry,
      'kafka_batch_duration_seconds',
      () =>
        new Histogram({
          name: 'kafka_batch_duration_seconds',
          help: 'Time to handle one consumed batch, by role.',
          labelNames: ['role'],
          buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    ),
  };
}

/**
 * Orders taken, by where they came from: `http` when POST /orders has made one durable (ingest),
 * `kafka` when the orders role has stored one from the raw topic. One family for both, so a
 * process running both roles counts them in one place.
 */
export function ordersAccepted(registry: Registry): Counter<'source'> {
  return once(
    registry,
    'stockflow_orders_accepted_total',
    () =>
      new Counter({
        name: 'stockflow_orders_accepted_total',
        help: 'Orders accepted (durable, pending), by source: http or kafka.',
        labelNames: ['source'],
        registers: [registry],
      }),
  );
}
