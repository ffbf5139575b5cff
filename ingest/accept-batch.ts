import type { Producer, TopicMessages } from 'kafkajs';
import type { FieldIssue, ParseResult } from '../domain/field-issue.js';
import { DependencyUnavailableError, ValidationError } from '../lib/errors.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';

/**
 * Validates an HTTP body that is one item or an array of them, all or
 * nothing: returns every item's success, or throws one ValidationError (400)
 * listing every error of every item, paths prefixed by the item's index for an
 * array (`/2/data/quantity`). `plural` names the items in the message ("events").
 */
export function acceptBatch<R extends ParseResult>(
  body: unknown,
  validate: (item: unknown) => R,
  plural: string,
): Extract<R, { readonly ok: true }>[] {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const accepted: Extract<R, { readonly ok: true }>[] = [];
  const issues: FieldIssue[] = [];
  const succeeded = (r: R): r is Extract<R, { readonly ok: true }> => r.ok;
  const errorsOf = (r: ParseResult): readonly FieldIssue[] => (r.ok ? [] : r.errors);
  items.forEach((item, i) => {
    const result = validate(item);
    if (succeeded(result)) accepted.push(result);
    else
      issues.push(
        ...errorsOf(result).map((e) => ({
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
