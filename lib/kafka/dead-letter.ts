import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { FieldIssue } from '../../domain/field-issue.js';

/** Header names a dead letter carries next to the untouched original bytes. */
export const DLQ_HEADERS = {
  errors: 'stockflow.dlq.errors',
  topic: 'stockflow.dlq.source.topic',
  partition: 'stockflow.dlq.source.partition',
  offset: 'stockflow.dlq.source.offset',
  failedAt: 'stockflow.dlq.failed_at',
} as const;

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** The original message, byte for byte, with every error and where it came from. */
export function deadLetter(
  source: DeadLetterSource,
  errors: readonly FieldIssue[],
  now = new Date(),
): Message {
  const headers: IHeaders = {
    ...(source.message.headers ?? {}),
    [DLQ_HEADERS.errors]: JSON.stringify(errors),
    [DLQ_HEADERS.topic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: source.message.offset,
    [DLQ_HEADERS.failedAt]: now.toISOString(),
  };
  return { key: source.message.key, value: source.message.value, headers };
}
