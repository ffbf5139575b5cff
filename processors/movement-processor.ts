import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { MovementEvent } from '../domain/movement-event.js';
import { applyBatch } from '../domain/stock-engine.js';
import { validateMovementEvent } from '../domain/validate-movement.js';
import type { PartitionBatch } from '../lib/batch-consumer.js';
import { deadLetter } from '../lib/dead-letter.js';
import type { FieldIssue } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { sendAll } from '../lib/produce-chunked.js';
import { inTransaction, isTransientPgError, type Pool } from '../lib/postgres.js';
import type { ProcessorMetrics } from '../lib/processor-metrics.js';
import { retry } from '../lib/retry.js';
import type { MovementTopics } from '../lib/topics.js';
import { lockOffset, lockStateForEvents, saveBatch, saveOffset } from './movement-store.js';

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
  /** Called after each commit, so the outbox relay publishes without waiting for its next poll. */
  readonly onCommitted: () => void;
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
      try {
        const value: unknown = await deps.registry.decode(message.value ?? Buffer.alloc(0));
        const result = validateMovementEvent(value);
        if (result.ok) {
          decoded.push({ offset: BigInt(message.offset), event: result.event });
          continue;
        }
        errors = result.errors;
      } catch (err) {
        errors = [{ path: '', message: `not a decodable Avro message: ${(err as Error).message}` }];
      }
      // Invalid messages still occupy their offset: the chunk's offset moves past them.
      decoded.push({ offset: BigInt(message.offset) });
      dead.push(message);
      reasons.push(errors);
    }
    return { decoded, dead, reasons };
  }

  async function applyChunk(batch: PartitionBatch, chunk: readonly Decoded[]): Promise<void> {
    const last = chunk[chunk.length - 1];
    if (!last) return;
    await retry(
      () =>
        inTransaction(deps.pool, async (client) => {
          const next = await lockOffset(client, deps.groupId, batch.topic, batch.partition);
          const fresh = chunk.filter((d) => d.offset >= next);
          if (fresh.length === 0) return;
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
        }),
      {
        isTransient: isTransientPgError,
        maxAttempts: 8,
        onRetry: (err, attempt) => {
          deps.metrics.retries.inc({
            reason: pgCode(err),
          });
          deps.logger.warn({ err, attempt, partition: batch.partition }, 'retrying movement batch');
        },
      },
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
      await applyChunk(batch, decoded.slice(i, i + deps.batchSize));
      deps.onCommitted();
      await heartbeat();
    }
  };
}
