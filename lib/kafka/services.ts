import type { Kafka, Producer } from 'kafkajs';
import type { Service } from '../lifecycle.js';
import { javaCompatiblePartitioner } from './partitioner.js';
import { ensureTopicSets, type TopicSet } from './topics.js';

/** An idempotent producer (acks from all replicas, no duplicates from its own retries), keyed like the Java client. */
export function producerService(kafka: Kafka, name: string): Service & { producer: Producer } {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner,
  });
  return {
    name,
    producer,
    start: () => producer.connect(),
    stop: () => producer.disconnect(),
  };
}

/** Creates the pipelines' topics once, before anything consumes or produces. */
export function topicsService(
  kafka: Kafka,
  topics: TopicSet | readonly TopicSet[],
  partitions: number,
): Service {
  const sets: readonly TopicSet[] = Array.isArray(topics) ? topics : [topics];
  return {
    name: 'topics',
    async start() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopicSets(admin, sets, partitions);
      } finally {
        await admin.disconnect();
      }
    },
    stop: () => Promise.resolve(),
  };
}
