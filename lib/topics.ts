import type { Admin } from 'kafkajs';
import { ensureTopics } from './kafka.js';

/** Every topic of the movement pipeline derives from the raw topic's name (`KAFKA_TOPIC`). */
export interface MovementTopics {
  /** CloudEvents JSON from upstream warehouses. */
  readonly raw: string;
  /** Valid events, Avro (Confluent wire format), keyed by movement_id. */
  readonly validated: string;
  /** Anything invalid: original bytes plus the reasons, in headers. */
  readonly dlq: string;
  /** Movement state after every change (JSON), keyed by movement_id. */
  readonly movementChanges: string;
  /** Every stock change with its resulting balance (JSON), keyed by warehouse/product. */
  readonly stockChanges: string;
}

export function movementTopics(raw: string): MovementTopics {
  return {
    raw,
    validated: `${raw}.validated`,
    dlq: `${raw}.dlq`,
    movementChanges: `${raw}.movement_changes`,
    stockChanges: `${raw}.stock_changes`,
  };
}

/** Creates the pipeline's topics that don't exist yet. */
export async function ensureMovementTopics(
  admin: Admin,
  topics: MovementTopics,
  partitions: number,
): Promise<void> {
  await ensureTopics(
    admin,
    [topics.raw, topics.validated, topics.dlq, topics.movementChanges, topics.stockChanges].map(
      (topic) => ({
        topic,
        numPartitions: partitions,
      }),
    ),
  );
}
