import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Message } from 'kafkajs';
import type { Sale } from '../domain/sale.js';
import { saleAvroSchema, saleAvroType } from '../domain/sale-schema.js';
import { toWireFormat } from '../lib/kafka/confluent-wire.js';

/**
 * Registers the sale schema under the validated sales topic's subject
 * (TopicNameStrategy) with BACKWARD compatibility and returns its id. Safe to
 * call on every start: an identical schema returns the same id.
 */
export async function registerSaleSchema(
  registry: SchemaRegistry,
  validatedTopic: string,
): Promise<number> {
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(saleAvroSchema) },
    { subject: `${validatedTopic}-value`, compatibility: COMPATIBILITY.BACKWARD },
  );
  return id;
}

/** A validated sale as it goes to the validated topic: Avro, keyed by ID_ORDER so an order's lines share a partition. */
export function saleMessage(schemaId: number, sale: Sale): Message {
  return { key: sale.ID_ORDER, value: toWireFormat(schemaId, saleAvroType.toBuffer(sale)) };
}
