import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { BatchConsumerOptions } from './batch-types.js';
import type { PartitionLeases } from '../postgres/partition-leases.js';

// The pipelined mode of lib/kafka/batch-consumer.ts: KafkaJS fetches the next batches while the last
// ones' slow part still runs, each partition's batches one after another, offsets committed as
// batches finish, and partition leases guarding rebalances.

/** The pipelined mode of `batchConsumer` (see `BatchConsumerOptions.pipelined`). */
export function pipelined(
  consumer: Consumer,
  options: BatchConsumerOptions,
  leases: PartitionLeases,
) {
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
    const rows = batch.messages.length;
    options.backlog?.fetched(topic, partition, rows, Number(batch.offsetLag()));
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
          options.backlog?.settled(topic, partition, rows);
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
          options.backlog?.settled(topic, partition, rows);
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
