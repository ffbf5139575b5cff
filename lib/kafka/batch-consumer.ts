import type { Consumer } from 'kafkajs';
import { pipelined } from './batch-pipeline.js';
import { backlogKey } from './consumer-backlog.js';
import type { Service } from '../lifecycle.js';
import type { BatchConsumerOptions } from './batch-types.js';

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
