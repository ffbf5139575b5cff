import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { pipelined } from './batch-pipeline.js';
import { backlogKey, type ConsumerBacklog } from './consumer-backlog.js';
import type { Service } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { KafkaMetrics } from './metrics.js';
import type { PartitionLeases } from './partition-leases.js';

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
  /**
   * Handles one partition's batch; when it resolves, the batch counts as done and its offset is
   * committed. It may resolve earlier with `done`, once the batch is under way: a pipelined
   * consumer then fetches on meanwhile.
   */
  readonly handle: (
    batch: PartitionBatch,
    heartbeat: () => Promise<void>,
  ) => Promise<void | { readonly done: Promise<void> }>;
  /**
   * Let KafkaJS fetch (and decode) a partition's next batch while `handle` still works on this
   * one. KafkaJS fetches again only once every handler of the last fetch returned, so without
   * this the fetch and the handlers' slow part (say, a ClickHouse insert) take turns. One batch
   * per partition is in flight: the next one of that partition waits for it. Offsets are
   * committed as their batches finish; a failed batch is fetched again from its first offset.
   * `leases` keep a partition's new owner off it until the old owner's work on it has finished.
   */
  readonly pipelined?: { readonly leases: PartitionLeases };
  readonly partitionsConsumedConcurrently?: number;
  /** Largest fetch per partition; bigger means bigger batches for the handler. */
  readonly maxBytesPerPartition?: number;
  /** Told what each batch leaves waiting, for work that should yield while a backlog drains. */
  readonly backlog?: ConsumerBacklog;
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
  const { backlog } = options;
  if (backlog) {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assigned = new Set<string>();
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
        for (const partition of partitions) assigned.add(backlogKey(topic, partition));
      }
      backlog.retain(assigned);
    });
  }
  const pipeline = options.pipelined
    ? pipelined(consumer, options, options.pipelined.leases)
    : undefined;
  return {
    name: options.name,
    consumer,
    async start() {
      await consumer.connect();
      for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        // Only offsets we resolve (after the handler finished) are ever committed; a pipelined
        // consumer resolves earlier, to fetch on, and commits each batch itself once it is done.
        autoCommit: !pipeline,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
          if (pipeline) return pipeline.eachBatch(payload);
          const { topic, partition, messages } = batch;
          backlog?.fetched(topic, partition, messages.length, Number(batch.offsetLag()));
          const end = metrics.batchDuration.startTimer({ role: options.name });
          try {
            const started = await options.handle({ topic, partition, messages }, () =>
              payload.heartbeat(),
            );
            await started?.done;
          } finally {
            backlog?.settled(topic, partition, messages.length);
          }
          end();
          payload.resolveOffset(batch.lastOffset());
          await payload.commitOffsetsIfNecessary();
          await payload.heartbeat();
        },
      });
    },
    async stop() {
      await pipeline?.drain();
      await consumer.stop();
      await consumer.disconnect();
      await pipeline?.close();
    },
  };
}
