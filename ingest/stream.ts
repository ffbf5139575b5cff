import type { Type } from 'avsc';
import type { FieldIssue } from '../domain/field-issue.js';
import type { Config } from '../lib/config.js';
import type { OpenApiPart } from '../lib/http/openapi.js';

/** What a stream's parser returns for one item: its value, or every reason it was refused. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly FieldIssue[] };

/** The three topics every stream has; their names derive from the raw topic's. */
export interface StreamTopics {
  /** JSON as upstream sends it. */
  readonly raw: string;
  /** Valid items, Avro in the Confluent wire format. */
  readonly validated: string;
  /** Refused items: original bytes plus the reasons, in headers. */
  readonly dlq: string;
}

/**
 * Everything that makes one upstream stream (movements, sales, …) distinct. The
 * ingest role runs one pipeline over every descriptor: raw topic → parse →
 * validated topic or DLQ, the schema registered under the validated topic's
 * subject, and an HTTP endpoint into the same validated topic. A new stream
 * adds a descriptor, not a copy of the pipeline.
 */
export interface StreamDescriptor<T> {
  /** Names the stream in logs: "movements". */
  readonly name: string;
  /** What its items are called in error messages: "events". */
  readonly plural: string;
  /**
   * The ingest consumer's name; its consumer group is `${KAFKA_GROUP_ID}.${consumer}`. Fixed once
   * deployed: a new name is a new group, which starts again from the earliest offset.
   */
  readonly consumer: string;
  readonly topics: (config: Config) => StreamTopics;
  /** The validated topic's Avro schema (schemas/*.avsc holds the same, for upstream teams). */
  readonly avroSchema: object;
  readonly avroType: Type;
  /** One raw Kafka message value; never throws (malformed JSON is a refusal like any other). */
  readonly parse: (bytes: Buffer | null) => Parsed<T>;
  /** One already-decoded JSON item, as an HTTP body carries it. */
  readonly validate: (item: unknown) => Parsed<T>;
  /** The validated message's key: what must share a partition. */
  readonly key: (value: T) => string;
  readonly headers?: (value: T) => Readonly<Record<string, string>>;
  /** The HTTP door to the validated topic, for upstreams without Kafka. */
  readonly http?: { readonly path: string; readonly openapi: OpenApiPart };
}

// Descriptors of different item types in one list: the pipeline never looks inside T.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStream = StreamDescriptor<any>;

/** The stream's topic names derived from its raw topic. */
export function streamTopics(raw: string): StreamTopics {
  return { raw, validated: `${raw}.validated`, dlq: `${raw}.dlq` };
}

/** A domain validator's result with its value under one name. */
export function parsed<R extends { ok: boolean }, T>(
  result: R,
  valueOf: (ok: Extract<R, { ok: true }>) => T,
): Parsed<T> {
  const ok = (r: R): r is Extract<R, { ok: true }> => r.ok;
  return ok(result)
    ? { ok: true, value: valueOf(result) }
    : (result as unknown as { ok: false; errors: readonly FieldIssue[] });
}
