import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
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
          const end = metrics.batchDuration.startTimer({ role: options.name });
          const started = await options.handle(
            { topic: batch.topic, partition: batch.partition, messages: batch.messages },
            () => payload.heartbeat(),
          );
          await started?.done;
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

/** The pipelined mode of `batchConsumer` (see `BatchConsumerOptions.pipelined`). */
function pipelined(consumer: Consumer, options: BatchConsumerOptions, leases: PartitionLeases) {
  const { logger, metrics } = options;
  const key = (topic: string, partition: number) => `${topic}\0${partition}`;
  /**
   * Per partition: its last batch, settled once done (and committed) or failed (and sought back
   * to its first offset). Kept after a rebalance, so that a partition this process gets back
   * waits for its own earlier work.
   */
  const inFlight = new Map<string, Promise<boolean>>();
  const leased = new Map<string, { topic: string; partition: number }>();
  const running = new Set<Promise<void>>();
  let draining = false;

  // After a rebalance: a lost partition's lease goes once its last batch has settled.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
      for (const partition of partitions) assigned.add(key(topic, partition));
    }
    for (const [k, { topic, partition }] of leased) {
      if (assigned.has(k)) continue;
      leased.delete(k);
      leases.release(topic, partition, inFlight.get(k)).catch((err: unknown) => {
        logger.error(
          { err, topic, partition },
          `${options.name}: releasing a partition lease failed`,
        );
      });
    }
  });

  async function accept(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const k = key(topic, partition);
    const previous = inFlight.get(k);
    if (previous) {
      const done = await previous;
      if (inFlight.get(k) === previous) inFlight.delete(k);
      // It failed and sought back to its first offset: this batch comes again after it.
      if (!done) return;
    }
    const cancelled = () => draining || !payload.isRunning() || payload.isStale();
    if (cancelled() || !(await leases.acquire(topic, partition, cancelled))) return;
    leased.set(k, { topic, partition });
    const first = batch.firstOffset();
    const last = batch.lastOffset();
    if (first === null) return;
    const end = metrics.batchDuration.startTimer({ role: options.name });
    const started = options.handle({ topic, partition, messages: batch.messages }, () =>
      payload.heartbeat(),
    );
    // Fetching on waits for the batch to be under way (its CPU-bound part done), not done.
    await started.then(
      () => undefined,
      () => undefined,
    );
    const work = started
      .then((s) => s?.done)
      .then(
        async () => {
          end();
          await consumer
            .commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }])
            .catch((err: unknown) => {
              // Only a redelivery follows, and the handler skips what it already did.
              logger.warn({ err, topic, partition }, `${options.name}: offset commit failed`);
            });
          return true;
        },
        (err: unknown) => {
          end();
          logger.error(
            { err, topic, partition, offset: first },
            `${options.name}: batch failed; fetching it again`,
          );
          try {
            consumer.seek({ topic, partition, offset: first });
          } catch (seekErr) {
            // Not running any more: the uncommitted offsets come again after a restart.
            logger.warn({ err: seekErr, topic, partition }, `${options.name}: seek failed`);
          }
          return false;
        },
      );
    inFlight.set(k, work);
    payload.resolveOffset(last);
    await payload.heartbeat();
  }

  return {
    eachBatch(payload: EachBatchPayload): Promise<void> {
      const call = accept(payload);
      running.add(call);
      return call.finally(() => running.delete(call));
    },
    /** Stops taking batches and waits for those in flight (their commits included). */
    async drain(): Promise<void> {
      draining = true;
      try {
        consumer.pause(options.topics.map((topic) => ({ topic })));
      } catch {
        // Never ran: nothing to drain.
      }
      while (running.size > 0 || inFlight.size > 0) {
        await Promise.allSettled([...running]);
        const works = [...inFlight.values()];
        inFlight.clear();
        await Promise.all(works);
      }
    },
    close: () => leases.close(),
  };
}
