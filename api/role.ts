import { analyticsFeature } from './analytics/routes.js';
import { eventsFeature } from '../ingest/events-route.js';
import { movementsFeature } from './movements/routes.js';
import { registerMovementSchema } from '../ingest/movement-codec.js';
import { registerSaleSchema } from '../ingest/sale-codec.js';
import { salesFeature } from '../ingest/sales-route.js';
import { producerService, topicsService } from '../lib/kafka/services.js';
import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';
import { movementTopics, salesTopics } from '../lib/kafka/topics.js';

/** The HTTP API: movement and stock reads (Postgres), and POST /api/events and POST /ingest into Kafka. */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const topics = movementTopics(rt.config.kafkaTopic);
  const sales = salesTopics(rt.config.kafkaSalesTopic);
  const producer = producerService(rt.kafka, 'api-producer');
  let schemaId: number | undefined;
  let saleSchemaId: number | undefined;
  const schema = {
    name: 'api-schema',
    async start() {
      schemaId = await registerMovementSchema(rt.schemaRegistry, topics.validated);
      saleSchemaId = await registerSaleSchema(rt.schemaRegistry, sales.validated);
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
  const salesRoute = salesFeature({
    producer: producer.producer,
    topics: sales,
    schemaId: () => {
      if (saleSchemaId === undefined) throw new Error('the sale schema is not registered yet');
      return saleSchemaId;
    },
  });
  return Promise.resolve({
    services: [
      topicsService(rt.kafka, [topics, sales], rt.config.kafkaPartitions),
      producer,
      schema,
    ],
    features: [
      movementsFeature({ pool: rt.pool }),
      events,
      salesRoute,
      analyticsFeature({
        clickhouse: rt.clickhouse,
        database: rt.config.clickhouseDatabase,
        cacheTtlSeconds: rt.config.cacheTtlSeconds,
      }),
    ],
  });
}
