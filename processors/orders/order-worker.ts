import { createHash } from 'node:crypto';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage, Producer } from 'kafkajs';
import { validateOrder, type OrderRequest } from '../../domain/order.js';
import { productId } from '../../domain/product-id.js';
import { SOURCE_HEADER, kafkaSource } from '../../lib/kafka/provenance.js';
import { decodeRegistered } from '../../lib/kafka/registry-decode.js';
import { insertOrders } from '../../lib/postgres/order-rows.js';
import { settleOrders } from '../../domain/order-batch.js';
import type { FieldIssue } from '../../domain/field-issue.js';
import type { PartitionBatch } from '../../lib/kafka/batch-types.js';
import { deadLetter } from '../../lib/kafka/dead-letter.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import type { OrderTopics } from '../../lib/kafka/topics.js';
import type { Logger } from '../../lib/logger.js';
import { inTransaction, isTransientPgError, type Pool } from '../../lib/postgres/pool.js';
import { retry } from '../../lib/retry.js';
import { lockOffset, saveOffset } from '../movement-store.js';
import type { OrderMetrics } from './metrics.js';
import {
  lockStockOf,
  lockUnfinished,
  markProcessing,
  saveSettled,
  unitPrices,
} from './order-store.js';

export interface OrderWorkerDeps {
  readonly pool: Pool;
  readonly registry: SchemaRegistry;
  readonly producer: Producer;
  readonly topics: OrderTopics;
  readonly stockChangesTopic: string;
  readonly groupId: string;
  readonly logger: Logger;
  readonly metrics: OrderMetrics;
  readonly batchSize: number;
}

interface Handed {
  readonly offset: bigint;
  readonly orderId?: string;
  /** An order from Kafka, stored by the worker itself (the intake stored the others). */
  readonly create?: OrderRequest;
}

/**
 * An order from the validated topic is named by where it entered stockflow
 * (the raw message's position, carried in its source header): a redelivery,
 * or ingest producing the same raw message twice, names the same order.
 */
function kafkaOrderId(message: KafkaMessage, topic: string, partition: number): string {
  const source =
    message.headers?.[SOURCE_HEADER]?.toString() ?? kafkaSource(topic, partition, message.offset);
  return `ORD-K-${createHash('sha256').update(source).digest('hex').slice(0, 24)}`;
}

/** `{"order_id": "…"}`, as the intake's outbox hands an order over; anything else is refused. */
function handedOrder(
  message: KafkaMessage,
): { ok: true; id: string } | { ok: false; errors: FieldIssue[] } {
  try {
    const value: unknown = JSON.parse(message.value?.toString('utf8') ?? '');
    const id = (value as { order_id?: unknown } | null)?.order_id;
    if (typeof id === 'string' && id.length > 0 && id.length <= 100) return { ok: true, id };
  } catch {
    // refused below
  }
  return { ok: false, errors: [{ path: '/order_id', message: 'expected {"order_id": "<id>"}' }] };
}

/**
 * Processes handed-over orders with exactly-once effect. Per chunk, one
 * transaction moves them pending → processing (visible while the second
 * runs); a second prices and reserves them and records the partition's next
 * offset, so a redelivery after a crash skips what committed and finishes
 * what was left processing. Nothing stays processing: its offset was not
 * recorded, so it comes again.
 */
export function orderBatchHandler(deps: OrderWorkerDeps) {
  const retryOptions = (partition: number) => ({
    isTransient: isTransientPgError,
    maxAttempts: 8,
    onRetry: (err: unknown, attempt: number) => {
      const code = (err as { code?: unknown } | null)?.code;
      deps.metrics.retries.inc({ reason: typeof code === 'string' ? code : 'unknown' });
      deps.logger.warn({ err, attempt, partition }, 'retrying order batch');
    },
  });

  /** A validated order, checked again as the intake checks one (the registry may hold a later schema). */
  async function fromValidated(
    message: KafkaMessage,
  ): Promise<{ ok: true; order: OrderRequest } | { ok: false; errors: readonly FieldIssue[] }> {
    // A registry that does not answer throws here: the batch fails and comes again.
    const value = await decodeRegistered(deps.registry, message.value ?? Buffer.alloc(0), {
      onRetry: (err, attempt) => deps.logger.warn({ err, attempt }, 'retrying schema fetch'),
    });
    if (!value.ok) return { ok: false, errors: [{ path: '', message: value.reason }] };
    const v = value.value as {
      user_id?: unknown;
      lines?: unknown;
      total_amount?: unknown;
      warehouse_id?: unknown;
    };
    const result = validateOrder(
      {
        user_id: v.user_id,
        items: v.lines,
        total_amount: v.total_amount,
        warehouse_id: v.warehouse_id,
      },
      productId,
    );
    return result.ok ? { ok: true, order: result.order } : result;
  }

  async function settleChunk(batch: PartitionBatch, chunk: readonly Handed[]): Promise<void> {
    const last = chunk[chunk.length - 1];
    if (!last) return;
    const fresh = async (client: Parameters<Parameters<typeof inTransaction>[1]>[0]) => {
      const next = await lockOffset(client, deps.groupId, batch.topic, batch.partition);
      return [
        ...new Set(
          chunk.filter((h) => h.offset >= next).flatMap((h) => (h.orderId ? [h.orderId] : [])),
        ),
      ];
    };
    const fromKafka = await retry(
      () =>
        inTransaction(deps.pool, async (client) => {
          const ids = await fresh(client);
          const next = await lockOffset(client, deps.groupId, batch.topic, batch.partition);
          const creates = chunk.flatMap((h) =>
            h.create && h.orderId && h.offset >= next
              ? [{ order_id: h.orderId, request: h.create }]
              : [],
          );
          const stored = creates.length > 0 ? await insertOrders(client, creates, null) : [];
          if (ids.length > 0) await markProcessing(client, ids, deps.topics.changes);
          return stored.length;
        }),
      retryOptions(batch.partition),
    );
    if (fromKafka > 0) deps.metrics.accepted.inc({ source: 'kafka' }, fromKafka);
    const settled = await retry(
      () =>
        inTransaction(deps.pool, async (client) => {
          const next = await lockOffset(client, deps.groupId, batch.topic, batch.partition);
          if (last.offset < next) return undefined;
          const ids = await fresh(client);
          const orders = await lockUnfinished(client, ids);
          const products = [
            ...new Set(orders.flatMap((o) => o.lines.map((l) => l.product_id))),
          ].sort();
          const prices = await unitPrices(client, products);
          const stock = await lockStockOf(client, products);
          const result = settleOrders(orders, prices, stock);
          const timed = await saveSettled(client, result.orders, result.changes, result.levels, {
            stockChanges: deps.stockChangesTopic,
            orderChanges: deps.topics.changes,
          });
          await saveOffset(client, deps.groupId, batch.topic, batch.partition, last.offset + 1n);
          return { result, created: timed };
        }),
      retryOptions(batch.partition),
    );
    if (!settled) return;
    for (const o of settled.result.orders) {
      deps.metrics.finished.inc({
        status: o.status,
        reason: o.status === 'failed' ? o.failure.code : '',
      });
    }
    for (const c of settled.created) deps.metrics.processingSeconds.observe(c.seconds);
  }

  return async (batch: PartitionBatch, heartbeat: () => Promise<void>): Promise<void> => {
    const handed: Handed[] = [];
    const dead: { message: KafkaMessage; errors: FieldIssue[] }[] = [];
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (batch.topic === deps.topics.validated) {
        const order = await fromValidated(message);
        if (order.ok) {
          handed.push({
            offset,
            orderId: kafkaOrderId(message, batch.topic, batch.partition),
            create: order.order,
          });
        } else {
          handed.push({ offset });
          dead.push({ message, errors: [...order.errors] });
        }
        continue;
      }
      const h = handedOrder(message);
      if (h.ok) handed.push({ offset, orderId: h.id });
      else {
        handed.push({ offset });
        dead.push({ message, errors: h.errors });
      }
    }
    if (dead.length > 0) {
      await sendAll(deps.producer, [
        {
          topic: deps.topics.dlq,
          messages: dead.map((d) =>
            deadLetter(
              { topic: batch.topic, partition: batch.partition, message: d.message },
              d.errors,
            ),
          ),
        },
      ]);
      deps.metrics.consumed.inc({ topic: batch.topic, outcome: 'dead_letter' }, dead.length);
    }
    for (let i = 0; i < handed.length; i += deps.batchSize) {
      await settleChunk(batch, handed.slice(i, i + deps.batchSize));
      await heartbeat();
    }
  };
}
