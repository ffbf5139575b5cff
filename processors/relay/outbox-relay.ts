import type { Message, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from '../../lib/lifecycle.js';
import { listen, type Listener } from './pg-listen.js';
import type { Logger } from '../../lib/logger.js';
import { inTransaction, type Pool } from '../../lib/postgres/pool.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import type { ProcessorMetrics } from '../metrics.js';

// One relay publishes at a time (a transaction-scoped advisory lock), so the
// outbox's order — and with it each key's order — carries over to Kafka.
const RELAY_LOCK = 0x5f0c_0b0c;

export interface OutboxRelayOptions {
  readonly pool: Pool;
  readonly producer: Producer;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly batchSize?: number;
  /** How long to wait between polls when no notification comes. */
  readonly idleMs?: number;
  /** Where to LISTEN for the outbox trigger's notifications (sql/postgres/0002). */
  readonly listenUrl?: string;
}

/** The channel sql/postgres/0002_outbox_wakes_relay.sql notifies on each outbox insert. */
export const OUTBOX_CHANNEL = 'stockflow_outbox';

/** Publishes one chunk of the outbox and deletes it in the same transaction; returns how many. */
export async function relayOnce(options: OutboxRelayOptions): Promise<number> {
  return inTransaction(options.pool, async (client) => {
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      RELAY_LOCK,
    ]);
    if (!lock.rows[0]?.ok) return 0;
    // The payload as Postgres' own JSON text: no parse and re-stringify per message.
    const rows = await client.query<{ id: string; topic: string; key: string; payload: string }>(
      'SELECT id, topic, key, payload::text AS payload FROM outbox ORDER BY id LIMIT $1',
      [options.batchSize ?? 5_000],
    );
    if (rows.rows.length === 0) return 0;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows.rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push({
        key: row.key,
        value: row.payload,
        headers: { 'stockflow.outbox_id': row.id },
      });
      byTopic.set(row.topic, list);
    }
    await sendAll(
      options.producer,
      [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    );
    // Published; only now may the rows go. A crash before this commit publishes them again (at least once).
    await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [
      rows.rows.map((r) => r.id),
    ]);
    for (const [topic, messages] of byTopic)
      options.metrics.outboxPublished.inc({ topic }, messages.length);
    return rows.rows.length;
  });
}

export function outboxRelay(options: OutboxRelayOptions): Service {
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let pendingWake = false;
  let listener: Listener | undefined;
  const onNotify = () => {
    pendingWake = true;
    wake?.();
  };
  return {
    name: 'outbox-relay',
    start() {
      running = true;
      if (options.listenUrl)
        listener = listen({
          connectionString: options.listenUrl,
          channel: OUTBOX_CHANNEL,
          onNotify,
          logger: options.logger,
        });
      loop = (async () => {
        while (running) {
          try {
            pendingWake = false;
            const sent = await relayOnce(options);
            if (sent > 0 || pendingWake) continue;
          } catch (err) {
            options.logger.warn({ err }, 'outbox relay failed; retrying');
            await sleep(500);
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, options.idleMs ?? 1_000).unref();
          });
          wake = undefined;
        }
      })();
      return Promise.resolve();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await listener?.close();
      // Drain what was committed before the producer goes away.
      while ((await relayOnce(options).catch(() => 0)) > 0);
    },
  };
}
