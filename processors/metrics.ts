import { Counter } from 'prom-client';
import { once, type Registry } from '../lib/metrics.js';

export interface ProcessorMetrics {
  readonly events: Counter<'outcome'>;
  readonly retries: Counter<'reason'>;
  readonly outboxPublished: Counter<'topic'>;
}

export function processorMetrics(registry: Registry): ProcessorMetrics {
  return {
    events: once(
      registry,
      'stockflow_processor_events_total',
      () =>
        new Counter({
          name: 'stockflow_processor_events_total',
          help: 'Movement events the processor handled: applied, duplicate (skipped), dead_letter.',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    retries: once(
      registry,
      'stockflow_processor_retries_total',
      () =>
        new Counter({
          name: 'stockflow_processor_retries_total',
          help: 'Batch transactions retried after a transient Postgres error.',
          labelNames: ['reason'],
          registers: [registry],
        }),
    ),
    outboxPublished: once(
      registry,
      'stockflow_outbox_published_total',
      () =>
        new Counter({
          name: 'stockflow_outbox_published_total',
          help: 'Outbox messages published to Kafka.',
          labelNames: ['topic'],
          registers: [registry],
        }),
    ),
  };
}
