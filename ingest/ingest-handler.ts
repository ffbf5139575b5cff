import type { Message, Producer } from 'kafkajs';
import { parseMovementEvent } from '../domain/validate-movement.js';
import type { PartitionBatch } from '../lib/batch-consumer.js';
import { deadLetter } from '../lib/dead-letter.js';
import type { KafkaMetrics } from '../lib/metrics.js';
import { sendAll } from '../lib/produce-chunked.js';
import type { MovementTopics } from '../lib/topics.js';
import { validatedMessage } from './movement-codec.js';

export interface IngestDeps {
  readonly producer: Producer;
  readonly topics: MovementTopics;
  readonly schemaId: number;
  readonly metrics: KafkaMetrics;
}

/**
 * Validates one partition's raw CloudEvents: valid ones go Avro-encoded to the
 * validated topic, everything else — malformed JSON included — to the DLQ with
 * its original bytes and every error. Both are acknowledged by all replicas
 * before the batch's offsets are committed, so nothing is lost; a bad event
 * never holds up its partition.
 */
export function ingestBatchHandler(deps: IngestDeps) {
  return async (batch: PartitionBatch): Promise<void> => {
    const valid: Message[] = [];
    const dead: Message[] = [];
    for (const message of batch.messages) {
      const result = parseMovementEvent(message.value);
      if (result.ok) valid.push(validatedMessage(deps.schemaId, result.event));
      else
        dead.push(
          deadLetter({ topic: batch.topic, partition: batch.partition, message }, result.errors),
        );
    }
    const topicMessages = [
      ...(valid.length ? [{ topic: deps.topics.validated, messages: valid }] : []),
      ...(dead.length ? [{ topic: deps.topics.dlq, messages: dead }] : []),
    ];
    await sendAll(deps.producer, topicMessages);
    deps.metrics.consumed.inc({ topic: batch.topic, outcome: 'ok' }, valid.length);
    deps.metrics.consumed.inc({ topic: batch.topic, outcome: 'dead_letter' }, dead.length);
    deps.metrics.produced.inc({ topic: deps.topics.validated }, valid.length);
    deps.metrics.produced.inc({ topic: deps.topics.dlq }, dead.length);
  };
}
