import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../lib/logger.js';
import { once, scrapeGauges, type Registry } from '../lib/metrics.js';
import type { Pool } from '../lib/postgres/pool.js';

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

/** Held departures (dep_state pending): how many, and how long the oldest has waited. */
export async function heldDepartures(pool: Pool): Promise<{ held: number; oldestSeconds: number }> {
  // The partial index of pending departures holds exactly these rows.
  const r = await pool.query<{ n: number; age: number | null }>(
    `SELECT count(*)::float8 AS n, extract(epoch FROM now() - min(dep_pending_since))::float8 AS age
       FROM movements WHERE dep_state = 'pending'`,
  );
  return { held: r.rows[0]?.n ?? 0, oldestSeconds: Math.max(0, r.rows[0]?.age ?? 0) };
}

/**
 * The process role's gauges of held departures, read from Postgres at scrape (one query for
 * both), beside the grace they are held for: a departure held longer than the grace should have
 * been rejected by the sweeper; one near it is about to be. Every processor reports the same
 * figures: use max() across instances. A failed read keeps the last figures.
 */
export function heldDepartureMetrics(
  registry: Registry,
  pool: Pool,
  graceSeconds: number,
  logger?: Logger,
): void {
  scrapeGauges({
    registry,
    collector: 'held_departures',
    ...(logger ? { logger } : {}),
    read: () => heldDepartures(pool),
    initial: { held: 0, oldestSeconds: 0 },
    gauges: [
      {
        name: 'stockflow_departures_held',
        help: 'Departures held because their sender lacks the stock, waiting for it (at most DEPARTURE_GRACE_SECONDS).',
        value: (f) => f.held,
      },
      {
        name: 'stockflow_departures_held_oldest_age_seconds',
        help: 'How long the oldest held departure has waited; 0 when none is held.',
        value: (f) => f.oldestSeconds,
      },
    ],
  });
  once(
    registry,
    'stockflow_departure_grace_seconds',
    () =>
      new Gauge({
        name: 'stockflow_departure_grace_seconds',
        help: 'DEPARTURE_GRACE_SECONDS: how long a departure is held before it is rejected.',
        registers: [registry],
      }),
  ).set(graceSeconds);
}

/** The outbox: rows the relay has not published yet (counted up to a million), and the oldest's age. */
export async function outboxBacklog(pool: Pool): Promise<{ rows: number; oldestSeconds: number }> {
  const r = await pool.query<{ n: number; age: number | null }>(
    `SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox LIMIT 1000000) o)::float8 AS n,
            (SELECT extract(epoch FROM now() - created_at) FROM outbox ORDER BY id LIMIT 1)::float8 AS age`,
  );
  return { rows: r.rows[0]?.n ?? 0, oldestSeconds: Math.max(0, r.rows[0]?.age ?? 0) };
}

/** The relay role's gauges of the outbox, read from Postgres at scrape (one query for both). */
export function outboxMetrics(registry: Registry, pool: Pool, logger?: Logger): void {
  scrapeGauges({
    registry,
    collector: 'outbox',
    ...(logger ? { logger } : {}),
    read: () => outboxBacklog(pool),
    initial: { rows: 0, oldestSeconds: 0 },
    gauges: [
      {
        name: 'stockflow_outbox_backlog_messages',
        help: 'Outbox rows not published to Kafka yet (counted up to 1,000,000).',
        value: (f) => f.rows,
      },
      {
        name: 'stockflow_outbox_oldest_age_seconds',
        help: 'Age of the oldest outbox row not published yet; 0 when the outbox is empty.',
        value: (f) => f.oldestSeconds,
      },
    ],
  });
}
