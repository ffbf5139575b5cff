import { eventsFeature } from '../ingest/events-route.js';
import { movementsFeature } from './movements/routes.js';
import { registerMovementSchema } from '../ingest/movement-codec.js';
import { producerService, topicsService } from '../lib/kafka-services.js';
import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';
import { movementTopics } from '../lib/topics.js';

/** The HTTP API: movement and stock reads (Postgres), and POST /api/events into Kafka. */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const topics = movementTopics(rt.config.kafkaTopic);
  const producer = producerService(rt.kafka, 'api-producer');
  let schemaId: number | undefined;
  const schema = {
    name: 'api-schema',
    async start() {
      schemaId = await registerMovementSchema(rt.schemaRegistry, topics.validated);
    },
    stop: () => Promise.resolve(),
  };
  const events = eventsFeature({
    producer: producer.producer,
    topics,
    schemaId: () => {
      if (schemaId === undefined) throw new Error('the movement schema is not registered yet');
      return schemaId;
    },
  });
  return Promise.resolve({
    services: [topicsService(rt.kafka, topics, rt.config.kafkaPartitions), producer, schema],
    features: [movementsFeature({ pool: rt.pool }), events],
  });
}
