import type { Admin } from 'kafkajs';
import { ensureTopics } from './client.js';

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

/** The sales pipeline's topics, derived from the raw topic's name (`KAFKA_SALES_TOPIC`). */
export interface SalesTopics {
  /** Sale lines as JSON (seed 003) from upstream. */
  readonly raw: string;
  /** Valid sale lines, Avro (Confluent wire format), keyed by ID_ORDER. */
  readonly validated: string;
  /** Refused sale lines: original bytes plus the reasons, in headers. */
  readonly dlq: string;
}

export function salesTopics(raw: string): SalesTopics {
  return { raw, validated: `${raw}.validated`, dlq: `${raw}.dlq` };
}

/** The orders' topics, derived from the raw topic's name (`KAFKA_ORDERS_TOPIC`). */
export interface OrderTopics {
  /** Orders as JSON (seed 004) from upstream. */
  readonly raw: string;
  /** Valid orders, Avro (Confluent wire format), keyed by user_id. */
  readonly validated: string;
  /** Refused orders: original bytes plus the reasons, in headers. */
  readonly dlq: string;
  /** Orders taken over HTTP, from the outbox (JSON `{order_id}`), keyed by order_id. */
  readonly accepted: string;
  /** Every state change of every order (JSON), keyed by order_id. */
  readonly changes: string;
}

export function orderTopics(raw: string): OrderTopics {
  return {
    raw,
    validated: `${raw}.validated`,
    dlq: `${raw}.dlq`,
    accepted: `${raw}.accepted`,
    changes: `${raw}.changes`,
  };
}

export type TopicSet = MovementTopics | SalesTopics | OrderTopics;

/** Every topic name of a set. */
export function topicNames(set: TopicSet): string[] {
  const names = [set.raw, set.validated, set.dlq];
  if ('movementChanges' in set) names.push(set.movementChanges, set.stockChanges);
  if ('accepted' in set) names.push(set.accepted, set.changes);
  return names;
}

/** Creates the topics of the given sets that don't exist yet. */
export async function ensureTopicSets(
  admin: Admin,
  sets: readonly TopicSet[],
  partitions: number,
): Promise<void> {
  await ensureTopics(
    admin,
    sets.flatMap(topicNames).map((topic) => ({ topic, numPartitions: partitions })),
  );
}

/** Creates the pipeline's topics that don't exist yet. */
export async function ensureMovementTopics(
  admin: Admin,
  topics: MovementTopics,
  partitions: number,
): Promise<void> {
  await ensureTopicSets(admin, [topics], partitions);
}
