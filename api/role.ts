import { analyticsFeature } from './analytics/routes.js';
import { movementsFeature } from './movements/routes.js';
import { ordersFeature } from './orders/routes.js';
import { orderTopics } from '../lib/kafka/topics.js';
import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';

/** The read API: movements, stock and orders from Postgres, analytics from ClickHouse (names from Postgres). */
export function createRole(rt: Runtime): Promise<RoleParts> {
  return Promise.resolve({
    services: [],
    features: [
      movementsFeature({ pool: rt.pool }),
      ordersFeature({
        pool: rt.pool,
        kafka: rt.kafka,
        acceptedTopic: orderTopics(rt.config.kafkaOrdersTopic).accepted,
        workerGroupId: `${rt.config.kafkaGroupId}.orders`,
      }),
      analyticsFeature({
        clickhouse: rt.clickhouse,
        database: rt.config.clickhouseDatabase,
        pool: rt.pool,
        cacheTtlSeconds: rt.config.cacheTtlSeconds,
      }),
    ],
    dependencies: ['postgres', 'clickhouse'],
  });
}
