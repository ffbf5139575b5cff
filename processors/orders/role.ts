import { batchConsumer } from '../../lib/kafka/batch-consumer.js';
import { consumerLagService } from '../../lib/kafka/consumer-lag.js';
import { producerService, topicsService } from '../../lib/kafka/services.js';
import { movementTopics, orderTopics } from '../../lib/kafka/topics.js';
import { kafkaMetrics } from '../../lib/metrics.js';
import type { RoleParts } from '../../lib/role.js';
import type { Runtime } from '../../lib/runtime.js';
import { orderMetrics } from './metrics.js';
import { orderBatchHandler } from './order-worker.js';

/**
 * Orders handed over by the intake, and orders from Kafka (validated by ingest) → priced against the catalog, their items
 * reserved from stock, completed or failed; several instances share the work
 * as one consumer group.
 */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const { config } = rt;
  const topics = orderTopics(config.kafkaOrdersTopic);
  const movements = movementTopics(config.kafkaTopic);
  const groupId = `${config.kafkaGroupId}.orders`;
  const producer = producerService(rt.kafka, 'orders-producer');
  const metrics = orderMetrics(rt.metrics, rt.pool);
  // From 0, so the first dead letters are an increase Prometheus can see (rate() needs one).
  for (const topic of [topics.accepted, topics.validated]) {
    metrics.consumed.inc({ topic, outcome: 'dead_letter' }, 0);
  }
  const consumer = batchConsumer({
    name: 'orders',
    kafka: rt.kafka,
    groupId,
    topics: [topics.accepted, topics.validated],
    logger: rt.logger,
    metrics: kafkaMetrics(rt.metrics),
    partitionsConsumedConcurrently: config.kafkaPartitions,
    handle: orderBatchHandler({
      pool: rt.pool,
      registry: rt.schemaRegistry,
      producer: producer.producer,
      topics,
      stockChangesTopic: movements.stockChanges,
      groupId,
      logger: rt.logger,
      metrics,
      batchSize: config.orderBatchSize,
    }),
    onFatal: (err) => rt.fatal.abort(err),
  });
  return Promise.resolve({
    services: [
      topicsService(rt.kafka, [topics, movements], config.kafkaPartitions),
      producer,
      consumerLagService({
        registry: rt.metrics,
        kafka: rt.kafka,
        logger: rt.logger,
        groupId,
        topics: [topics.accepted, topics.validated],
      }),
      consumer,
    ],
    features: [],
    dependencies: ['kafka', 'schema_registry', 'postgres'],
  });
}
