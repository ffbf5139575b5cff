import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Message } from 'kafkajs';
import { toWireFormat } from '../lib/kafka/confluent-wire.js';
import type { StreamDescriptor } from './stream.js';

/**
 * Registers the stream's schema under the validated topic's subject
 * (TopicNameStrategy) with BACKWARD compatibility and returns its id. Safe to
 * call on every start: an identical schema returns the same id.
 */
export async function registerStreamSchema(
  registry: SchemaRegistry,
  stream: Pick<StreamDescriptor<unknown>, 'avroSchema'>,
  validatedTopic: string,
): Promise<number> {
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(stream.avroSchema) },
    { subject: `${validatedTopic}-value`, compatibility: COMPATIBILITY.BACKWARD },
  );
  return id;
}

/** A valid item as it goes to the validated topic: Avro under the registered schema's id, keyed by the stream. */
export function encodeValidated<T>(
  stream: StreamDescriptor<T>,
  schemaId: number,
  value: T,
): Message {
  const message: Message = {
    key: stream.key(value),
    value: toWireFormat(schemaId, stream.avroType.toBuffer(value)),
  };
  const headers = stream.headers?.(value);
  return headers ? { ...message, headers: { ...headers } } : message;
}
