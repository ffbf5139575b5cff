import type { Producer, TopicMessages } from 'kafkajs';
import type { FieldIssue } from '../domain/field-issue.js';
import { DependencyUnavailableError, ValidationError } from '../lib/errors.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';
import type { Parsed } from './stream.js';

/**
 * Validates an HTTP body that is one item or an array of them, all or
 * nothing: returns every item's value, or throws one ValidationError (400)
 * listing every error of every item, paths prefixed by the item's index for an
 * array (`/2/data/quantity`). `plural` names the items in the message ("events").
 */
export function acceptBatch<T>(
  body: unknown,
  validate: (item: unknown) => Parsed<T>,
  plural: string,
): T[] {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const accepted: T[] = [];
  const issues: FieldIssue[] = [];
  items.forEach((item, i) => {
    const result = validate(item);
    if (result.ok) accepted.push(result.value);
    else
      issues.push(
        ...result.errors.map((e) => ({
          ...e,
          path: Array.isArray(body) ? `/${i}${e.path}` : e.path,
        })),
      );
  });
  if (issues.length > 0) {
    throw new ValidationError(
      `${items.length - accepted.length} of ${items.length} ${plural} are invalid; none was accepted`,
      issues,
    );
  }
  return accepted;
}

/** Sends everything (acks from all replicas); a Kafka failure is a 503 asking the caller to retry. */
export async function sendOrUnavailable(
  producer: Producer,
  topicMessages: readonly TopicMessages[],
  plural: string,
): Promise<void> {
  try {
    await sendAll(producer, topicMessages);
  } catch (err) {
    throw new DependencyUnavailableError('kafka', `could not write the ${plural} to Kafka; retry`, {
      cause: err,
    });
  }
}
