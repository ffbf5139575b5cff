import type { Kafka, KafkaMessage } from 'kafkajs';
import type { ConsumerBacklog } from './consumer-backlog.js';
import type { Logger } from '../logger.js';
import type { KafkaMetrics } from '../metrics.js';
import type { PartitionLeases } from '../postgres/partition-leases.js';

// The contract of a batch consumer, shared by its plain mode (batch-consumer.ts) and its
// pipelined mode (batch-pipeline.ts), so neither imports the other's module for its types.

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
