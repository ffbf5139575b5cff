import type { MovementEvent } from '../../domain/movement-event.js';
import { movementAvroSchema, movementAvroType } from '../../domain/movement-schema.js';
import { parseMovementEvent, validateMovementEvent } from '../../domain/validate-movement.js';
import { parsed, streamTopics, type StreamDescriptor } from '../stream.js';
import { eventsOpenApi } from './movements-openapi.js';

/** Warehouse movements (seed 001): CloudEvents JSON on `KAFKA_TOPIC` or POST /api/events. */
export const movementsStream: StreamDescriptor<MovementEvent> = {
  name: 'movements',
  plural: 'events',
  consumer: 'ingest',
  topics: (config) => streamTopics(config.kafkaTopic),
  avroSchema: movementAvroSchema,
  avroType: movementAvroType,
  parse: (bytes) => parsed(parseMovementEvent(bytes), (r) => r.event),
  validate: (item) => parsed(validateMovementEvent(item), (r) => r.event),
  // Both legs of a movement share a partition, so the processor sees them in order.
  key: (event) => event.data.movement_id,
  headers: (event) => ({ 'ce-id': event.id, 'ce-type': event.type }),
  http: { path: '/api/events', openapi: eventsOpenApi },
};
