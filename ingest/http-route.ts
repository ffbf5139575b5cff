import { Router } from 'express';
import type { Message, Producer } from 'kafkajs';
import { SOURCE_HEADER, httpSource } from '../lib/kafka/provenance.js';
import type { KafkaMetrics } from '../lib/metrics.js';
import type { ApiFeature } from '../lib/role.js';
import { acceptBatch, sendOrUnavailable } from './accept-batch.js';
import type { StreamDescriptor, StreamTopics } from './stream.js';

export interface IngestRouteDeps<T> {
  readonly stream: StreamDescriptor<T> & {
    readonly http: NonNullable<StreamDescriptor<T>['http']>;
  };
  readonly topics: StreamTopics;
  readonly producer: Producer;
  /** The validated topic's message for a valid value (known once the schema is registered). */
  readonly toMessage: (value: T) => Message;
  /** Counts what it produces, as the Kafka path does (kafka_producer_messages_total). */
  readonly metrics: KafkaMetrics;
}

/**
 * POST `stream.http.path`: one item or an array, validated as the Kafka path
 * validates them, all or nothing, straight to the validated topic. 202 means
 * every item is durably in Kafka. Each message carries where it entered
 * (request id and index), so a retried request's lines are recognisable downstream.
 */
export function ingestRoute<T>(deps: IngestRouteDeps<T>): ApiFeature {
  const { stream, topics, producer, toMessage, metrics } = deps;
  const router = Router();
  router.post(stream.http.path, async (req, res) => {
    const values = acceptBatch(req.body, stream.validate, stream.plural);
    const messages = values.map((value, i): Message => {
      const m = toMessage(value);
      return { ...m, headers: { ...m.headers, [SOURCE_HEADER]: httpSource(req.id, i) } };
    });
    await sendOrUnavailable(producer, [{ topic: topics.validated, messages }], stream.plural);
    metrics.produced.inc({ topic: topics.validated }, messages.length);
    res.status(202).json({ accepted: values.length });
  });
  return { openapi: stream.http.openapi, router };
}
