import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger.js';

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

/** Scrape-time reads in flight, per registry: the errors counter waits for them. */
const readsInFlight = new WeakMap<Registry, Set<Promise<unknown>>>();

/** Reads that metrics make at scrape time (Postgres, ClickHouse, Kafka's admin) and that failed. */
export function collectErrors(registry: Registry): Counter<'collector'> {
  return once(
    registry,
    'stockflow_metrics_collect_errors_total',
    () =>
      new Counter({
        name: 'stockflow_metrics_collect_errors_total',
        help: 'Reads made at scrape time that failed, by collector; the scrape goes on without (or with the last) figures.',
        labelNames: ['collector'],
        registers: [registry],
        async collect() {
          // A scrape collects every metric at once, in one synchronous pass: after one turn the
          // reads of this scrape have all started, and their failures count in this scrape.
          await Promise.resolve();
          await Promise.allSettled([...(readsInFlight.get(registry) ?? [])]);
        },
      }),
  );
}

export interface ScrapeReadOptions<T> {
  readonly registry: Registry;
  /** Names the read in stockflow_metrics_collect_errors_total and in the log. */
  readonly collector: string;
  readonly logger?: Logger;
  readonly read: () => Promise<T>;
  /**
   * Bounds the read (3 s by default): a scrape must not hang on a dependency that does not
   * answer. The reads of a scrape run at once, so the slowest bounds the scrape; keep it under
   * Prometheus' scrape_timeout (10 s by default, the scrape interval when that is shorter), or
   * the whole scrape fails and every series of the process goes stale.
   */
  readonly timeoutMs?: number;
}

/**
 * One read per scrape, shared by every metric of a collector: the metrics' `collect()` run at
 * once in a scrape, and all get the read that is in flight. A failed (or late) read resolves
 * with `undefined`, counts in stockflow_metrics_collect_errors_total and is logged (once a
 * minute at most): the rest of the scrape is unharmed.
 */
export function scrapeRead<T>(options: ScrapeReadOptions<T>): () => Promise<T | undefined> {
  const errors = collectErrors(options.registry);
  const timeoutMs = options.timeoutMs ?? 3_000;
  let inFlight: Promise<T | undefined> | undefined;
  let loggedAt = 0;
  let pending = readsInFlight.get(options.registry);
  if (!pending) readsInFlight.set(options.registry, (pending = new Set()));
  const tracked = pending;
  const start = (): Promise<T | undefined> => {
    const p = run();
    tracked.add(p);
    void p.finally(() => tracked.delete(p));
    return p;
  };
  const run = async (): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        options.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      errors.inc({ collector: options.collector });
      if (Date.now() - loggedAt > 60_000) {
        loggedAt = Date.now();
        options.logger?.warn({ err, collector: options.collector }, 'metrics read failed');
      }
      return undefined;
    } finally {
      clearTimeout(timer);
      inFlight = undefined;
    }
  };
  return () => (inFlight ??= start());
}

/**
 * Gauges whose figures come from one scrape-time read (scrapeRead: shared by the gauges of a
 * scrape, bounded, failures counted): each gauge takes its figure from the last read that
 * succeeded, so a failed read keeps the last figures.
 */
export function scrapeGauges<T>(
  options: ScrapeReadOptions<T> & {
    readonly initial: T;
    readonly gauges: readonly { name: string; help: string; value: (figures: T) => number }[];
  },
): void {
  let last = options.initial;
  const read = scrapeRead({
    ...options,
    read: async () => (last = await options.read()),
  });
  for (const g of options.gauges) {
    once(
      options.registry,
      g.name,
      () =>
        new Gauge({
          name: g.name,
          help: g.help,
          registers: [options.registry],
          async collect() {
            await read();
            this.set(g.value(last));
          },
        }),
    );
  }
}
