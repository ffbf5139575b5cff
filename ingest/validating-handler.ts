import type { Message, Producer } from 'kafkajs';
import { SOURCE_HEADER, kafkaSource } from '../lib/kafka/provenance.js';
import type { Logger } from '../lib/logger.js';
import type { PartitionBatch } from '../lib/kafka/batch-types.js';
import { deadLetter } from '../lib/kafka/dead-letter.js';
import type { KafkaMetrics } from '../lib/metrics.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';
import type { Parsed, StreamTopics } from './stream.js';

export interface ValidatingHandlerOptions<T> {
  readonly producer: Producer;
  /** Parses one raw message value; never throws. */
  readonly parse: (bytes: Buffer | null) => Parsed<T>;
  /** The validated topic's message for a valid value. */
  readonly toMessage: (value: T) => Message;
  readonly topics: StreamTopics;
  readonly metrics: KafkaMetrics;
  /** Each refused message is logged with its position and first errors, so an operator can find it in the DLQ. */
  readonly logger: Logger;
}

/**
 * Validates one partition's raw JSON messages: valid ones go (encoded by
 * `toMessage`) to the validated topic, everything else — malformed JSON
 * included — to the DLQ with its original bytes, every error and its source
 * position. Both are acknowledged by all replicas before the batch's offsets
 * are committed, so nothing is lost; a bad message never holds up its partition.
 */
export function validatingHandler<T>(options: ValidatingHandlerOptions<T>) {
  const { producer, parse, toMessage, topics, metrics, logger } = options;
  return async (batch: PartitionBatch): Promise<void> => {
    const valid: Message[] = [];
    const dead: Message[] = [];
    for (const message of batch.messages) {
      const result = parse(message.value);
      if (result.ok) {
        const m = toMessage(result.value);
        const source = kafkaSource(batch.topic, batch.partition, message.offset);
        valid.push({ ...m, headers: { ...m.headers, [SOURCE_HEADER]: source } });
      } else {
        const { errors } = result;
        logger.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            dlq: topics.dlq,
            errors: errors.slice(0, 3),
            error_count: errors.length,
          },
          'refused message sent to the dead-letter topic',
        );
        dead.push(deadLetter({ topic: batch.topic, partition: batch.partition, message }, errors));
      }
    }
    const topicMessages = [
      ...(valid.length ? [{ topic: topics.validated, messages: valid }] : []),
      ...(dead.length ? [{ topic: topics.dlq, messages: dead }] : []),
    ];
    await sendAll(producer, topicMessages);
    metrics.consumed.inc({ topic: batch.topic, outcome: 'ok' }, valid.length);
    metrics.consumed.inc({ topic: batch.topic, outcome: 'dead_letter' }, dead.length);
    metrics.produced.inc({ topic: topics.validated }, valid.length);
    metrics.produced.inc({ topic: topics.dlq }, dead.length);
  };
}
