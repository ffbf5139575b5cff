import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { decodeRegistered } from '../lib/kafka/registry-decode.js';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { MovementEvent } from '../domain/movement-event.js';
import { applyBatch, stockKey, type StockKey } from '../domain/stock-engine.js';
import { validateMovementEvent } from '../domain/validate-movement.js';
import type { PartitionBatch } from '../lib/kafka/batch-types.js';
import { deadLetter } from '../lib/kafka/dead-letter.js';
import type { FieldIssue } from '../domain/field-issue.js';
import type { Logger } from '../lib/logger.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';
import { inTransaction, isTransientPgError, type Pool } from '../lib/postgres/pool.js';
import type { ProcessorMetrics } from './metrics.js';
import { retry } from '../lib/retry.js';
import type { MovementTopics } from '../lib/kafka/topics.js';
import {
  lockOffset,
  lockPendingAt,
  lockStateForEvents,
  saveBatch,
  saveOffset,
} from './movement-store.js';

function pgCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

export interface MovementProcessorDeps {
  readonly pool: Pool;
  readonly registry: SchemaRegistry;
  readonly producer: Producer;
  readonly topics: MovementTopics;
  readonly groupId: string;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly graceMs: number;
  readonly batchSize: number;
  readonly now?: () => number;
}

interface Decoded {
  readonly offset: bigint;
  readonly event?: MovementEvent;
}

/**
 * Applies validated events to Postgres with exactly-once effect: each chunk's
 * state changes, outbox messages and the partition's next offset commit in one
 * transaction, and offsets already recorded there are skipped on redelivery.
 */
export function movementBatchHandler(deps: MovementProcessorDeps) {
  const now = deps.now ?? Date.now;

  async function decode(
    batch: PartitionBatch,
  ): Promise<{ decoded: Decoded[]; dead: KafkaMessage[]; reasons: FieldIssue[][] }> {
    const decoded: Decoded[] = [];
    const dead: KafkaMessage[] = [];
    const reasons: FieldIssue[][] = [];
    for (const message of batch.messages) {
      let errors: FieldIssue[];
      // A registry that does not answer throws here: the batch fails and comes again.
      const value = await decodeRegistered(deps.registry, message.value ?? Buffer.alloc(0), {
        onRetry: (err, attempt) =>
          deps.logger.warn({ err, attempt, partition: batch.partition }, 'retrying schema fetch'),
      });
      if (value.ok) {
        const result = validateMovementEvent(value.value);
        if (result.ok) {
          decoded.push({ offset: BigInt(message.offset), event: result.event });
          continue;
        }
        errors = result.errors;
      } else {
        errors = [{ path: '', message: value.reason }];
      }
      // Invalid messages still occupy their offset: the chunk's offset moves past them.
      decoded.push({ offset: BigInt(message.offset) });
      dead.push(message);
      reasons.push(errors);
    }
    return { decoded, dead, reasons };
  }

  const retryOptions = (partition: number) => ({
    isTransient: isTransientPgError,
    maxAttempts: 8,
    onRetry: (err: unknown, attempt: number) => {
      deps.metrics.retries.inc({ reason: pgCode(err) });
      deps.logger.warn({ err, attempt, partition }, 'retrying movement batch');
    },
  });

  /** Returns the stock keys whose level rose, for `settleRaised`. */
  async function applyChunk(batch: PartitionBatch, chunk: readonly Decoded[]): Promise<StockKey[]> {
    const last = chunk[chunk.length - 1];
    if (!last) return [];
    return retry(
      () =>
        inTransaction(deps.pool, async (client) => {
          const next = await lockOffset(client, deps.groupId, batch.topic, batch.partition);
          const fresh = chunk.filter((d) => d.offset >= next);
          if (fresh.length === 0) return [];
          const events = fresh.flatMap((d) => (d.event ? [d.event] : []));
          const state = await lockStateForEvents(client, events);
          const result = applyBatch(events, state, { now: now(), graceMs: deps.graceMs });
          await saveBatch(client, result, deps.topics, state.movements);
          await saveOffset(client, deps.groupId, batch.topic, batch.partition, last.offset + 1n);
          deps.metrics.events.inc(
            { outcome: 'duplicate' },
            result.duplicates + (chunk.length - fresh.length),
          );
          deps.metrics.events.inc({ outcome: 'applied' }, events.length - result.duplicates);
          deps.logger.debug(
            {
              partition: batch.partition,
              offsets: [String(fresh[0]?.offset), String(last.offset)],
              events: events.length,
              duplicates: result.duplicates,
              event_ids: events.slice(0, 5).map((e) => `${e.data.movement_id}/${e.data.event}`),
            },
            'applied movement batch',
          );
          return result.changes
            .filter((c) => c.delta > 0)
            .map((c) => stockKey(c.warehouse_id, c.product_id));
        }),
      retryOptions(batch.partition),
    );
  }

  /**
   * After a commit that raised stock: serve departures another processor put
   * on hold at those keys while this batch waited for their stock lock (it
   * could not see them yet; now they are committed).
   */
  async function settleRaised(partition: number, keys: readonly StockKey[]): Promise<void> {
    if (keys.length === 0) return;
    await retry(
      () =>
        inTransaction(deps.pool, async (client) => {
          const state = await lockPendingAt(client, keys);
          if (state.movements.size === 0) return;
          const result = applyBatch([], state, { now: now(), graceMs: deps.graceMs });
          await saveBatch(client, result, deps.topics, state.movements);
        }),
      retryOptions(partition),
    );
  }

  return async (batch: PartitionBatch, heartbeat: () => Promise<void>): Promise<void> => {
    const { decoded, dead, reasons } = await decode(batch);
    if (dead.length > 0) {
      await sendAll(deps.producer, [
        {
          topic: deps.topics.dlq,
          messages: dead.map((message, i) =>
            deadLetter(
              { topic: batch.topic, partition: batch.partition, message },
              reasons[i] ?? [],
            ),
          ),
        },
      ]);
      deps.metrics.events.inc({ outcome: 'dead_letter' }, dead.length);
    }
    for (let i = 0; i < decoded.length; i += deps.batchSize) {
      const raised = await applyChunk(batch, decoded.slice(i, i + deps.batchSize));
      await settleRaised(batch.partition, raised);
      await heartbeat();
    }
  };
}
