import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Service } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { KafkaMetrics } from './metrics.js';

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
}

export interface BatchConsumerOptions {
  readonly name: string;
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  readonly metrics: KafkaMetrics;
  /** Handles one partition's batch; when it resolves, the batch counts as done and its offset is committed. */
  readonly handle: (batch: PartitionBatch, heartbeat: () => Promise<void>) => Promise<void>;
  readonly partitionsConsumedConcurrently?: number;
  /** Largest fetch per partition; bigger means bigger batches for the handler. */
  readonly maxBytesPerPartition?: number;
  /** Called when the consumer gives up (a non-retriable error): the process should exit. */
  readonly onFatal: (err: unknown) => void;
}

/**
 * A consumer that commits only what its handler finished. On SIGTERM `stop`
 * waits for the batch in flight, commits it and leaves the group, so a
 * restart neither loses nor repeats finished work.
 */
export function batchConsumer(options: BatchConsumerOptions): Service & { consumer: Consumer } {
  const { logger, metrics } = options;
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
    // kafkajs caps a whole fetch at 10 MiB by default: room for every partition's share.
    maxBytes:
      (options.maxBytesPerPartition ?? 4 * 1024 * 1024) *
      (options.partitionsConsumedConcurrently ?? 1),
    maxWaitTimeInMs: 100,
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) options.onFatal(event.payload.error);
    else
      logger.warn(
        { err: event.payload.error },
        `${options.name}: consumer restarting after an error`,
      );
  });
  return {
    name: options.name,
    consumer,
    async start() {
      await consumer.connect();
      for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        // Only offsets we resolve (after the handler finished) are ever committed.
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
          const end = metrics.batchDuration.startTimer({ role: options.name });
          await options.handle(
            { topic: batch.topic, partition: batch.partition, messages: batch.messages },
            () => payload.heartbeat(),
          );
          end();
          payload.resolveOffset(batch.lastOffset());
          await payload.commitOffsetsIfNecessary();
          await payload.heartbeat();
        },
      });
    },
    async stop() {
      await consumer.stop();
      await consumer.disconnect();
    },
  };
}
