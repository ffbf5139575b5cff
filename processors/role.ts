import { batchConsumer } from '../lib/kafka/batch-consumer.js';
import { consumerLagService } from '../lib/kafka/consumer-lag.js';
import { producerService, topicsService } from '../lib/kafka/services.js';
import { kafkaMetrics } from '../lib/metrics.js';
import { heldDepartureMetrics, processorMetrics } from './metrics.js';
import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';
import { movementTopics } from '../lib/kafka/topics.js';
import { movementBatchHandler } from './movement-processor.js';
import { pendingSweeper } from './pending-sweeper.js';

/**
 * Validated events → movements and exact stock in Postgres, with their change
 * messages in the outbox (the `relay` role publishes them).
 */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const { config } = rt;
  const topics = movementTopics(config.kafkaTopic);
  const metrics = processorMetrics(rt.metrics);
  // From 0, so the first dead letters are an increase Prometheus can see (rate() needs one).
  metrics.events.inc({ outcome: 'dead_letter' }, 0);
  const graceMs = config.departureGraceSeconds * 1000;
  heldDepartureMetrics(rt.metrics, rt.pool, config.departureGraceSeconds, rt.logger);
  // For the DLQ: what fails to decode here never reached Postgres.
  const producer = producerService(rt.kafka, 'processor-producer');
  const sweeper = pendingSweeper({ pool: rt.pool, topics, logger: rt.logger, graceMs });
  const consumer = batchConsumer({
    name: 'processor',
    kafka: rt.kafka,
    groupId: `${config.kafkaGroupId}.process`,
    topics: [topics.validated],
    logger: rt.logger,
    metrics: kafkaMetrics(rt.metrics),
    partitionsConsumedConcurrently: config.kafkaPartitions,
    handle: movementBatchHandler({
      pool: rt.pool,
      registry: rt.schemaRegistry,
      producer: producer.producer,
      topics,
      groupId: `${config.kafkaGroupId}.process`,
      logger: rt.logger,
      metrics,
      graceMs,
      batchSize: config.processorBatchSize,
    }),
    onFatal: (err) => rt.fatal.abort(err),
  });
  // Stopped in reverse: the consumer drains first, then the sweeper, then the producer closes.
  return Promise.resolve({
    services: [
      topicsService(rt.kafka, topics, config.kafkaPartitions),
      producer,
      sweeper,
      consumerLagService({
        registry: rt.metrics,
        kafka: rt.kafka,
        logger: rt.logger,
        groupId: `${config.kafkaGroupId}.process`,
        topics: [topics.validated],
      }),
      consumer,
    ],
    features: [],
    dependencies: ['kafka', 'schema_registry', 'postgres'],
  });
}
