import type { Message, Producer } from 'kafkajs';
import { SOURCE_HEADER, kafkaSource } from '../lib/kafka/provenance.js';
import type { Logger } from '../lib/logger.js';
import type { PartitionBatch } from '../lib/kafka/batch-types.js';
import { deadLetter } from '../lib/kafka/dead-letter.js';
import type { FieldIssue, ParseResult } from '../domain/field-issue.js';
import type { KafkaMetrics } from '../lib/metrics.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';

export interface ValidatingHandlerOptions<R extends ParseResult> {
  readonly producer: Producer;
  /** Parses one raw message value; never throws. */
  readonly parse: (bytes: Buffer | null) => R;
  /** The validated topic's message for a success, e.g. `(r) => saleMessage(schemaId, r.sale)`. */
  readonly toMessage: (valid: Extract<R, { readonly ok: true }>) => Message;
  readonly validatedTopic: string;
  readonly dlqTopic: string;
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
export function validatingHandler<R extends ParseResult>(options: ValidatingHandlerOptions<R>) {
  const { producer, parse, toMessage, validatedTopic, dlqTopic, metrics, logger } = options;
  const succeeded = (r: R): r is Extract<R, { readonly ok: true }> => r.ok;
  const errorsOf = (r: ParseResult): readonly FieldIssue[] => (r.ok ? [] : r.errors);
  return async (batch: PartitionBatch): Promise<void> => {
    const valid: Message[] = [];
    const dead: Message[] = [];
    for (const message of batch.messages) {
      const result = parse(message.value);
      if (succeeded(result)) {
        const m = toMessage(result);
        const source = kafkaSource(batch.topic, batch.partition, message.offset);
        valid.push({ ...m, headers: { ...m.headers, [SOURCE_HEADER]: source } });
      } else {
        const errors = errorsOf(result);
        logger.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            dlq: dlqTopic,
            errors: errors.slice(0, 3),
            error_count: errors.length,
          },
          'refused message sent to the dead-letter topic',
        );
        dead.push(deadLetter({ topic: batch.topic, partition: batch.partition, message }, errors));
      }
    }
    const topicMessages = [
      ...(valid.length ? [{ topic: validatedTopic, messages: valid }] : []),
      ...(dead.length ? [{ topic: dlqTopic, messages: dead }] : []),
    ];
    await sendAll(producer, topicMessages);
    metrics.consumed.inc({ topic: batch.topic, outcome: 'ok' }, valid.length);
    metrics.consumed.inc({ topic: batch.topic, outcome: 'dead_letter' }, dead.length);
    metrics.produced.inc({ topic: validatedTopic }, valid.length);
    metrics.produced.inc({ topic: dlqTopic }, dead.length);
  };
}
