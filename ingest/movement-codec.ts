import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Message } from 'kafkajs';
import type { MovementEvent } from '../domain/movement-event.js';
import { movementAvroSchema, movementAvroType } from '../domain/movement-schema.js';
import { toWireFormat } from '../lib/kafka/confluent-wire.js';

/**
 * Registers the movement schema under the validated topic's subject
 * (TopicNameStrategy) with BACKWARD compatibility and returns its id. Safe to
 * call on every start: an identical schema returns the same id.
 */
export async function registerMovementSchema(
  registry: SchemaRegistry,
  validatedTopic: string,
): Promise<number> {
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(movementAvroSchema) },
    { subject: `${validatedTopic}-value`, compatibility: COMPATIBILITY.BACKWARD },
  );
  return id;
}

/** A validated event as it goes to the validated topic: Avro, keyed by movement_id so both legs share a partition. */
export function validatedMessage(schemaId: number, event: MovementEvent): Message {
  return {
    key: event.data.movement_id,
    value: toWireFormat(schemaId, movementAvroType.toBuffer(event)),
    headers: { 'ce-id': event.id, 'ce-type': event.type },
  };
}
