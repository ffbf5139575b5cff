import { parseSale } from '../domain/validate-sale.js';
import { batchConsumer } from '../lib/kafka/batch-consumer.js';
import { producerService, topicsService } from '../lib/kafka/services.js';
import { kafkaMetrics } from '../lib/metrics.js';
import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';
import { movementTopics, salesTopics } from '../lib/kafka/topics.js';
import { parseMovementEvent } from '../domain/validate-movement.js';
import { registerMovementSchema, validatedMessage } from './movement-codec.js';
import { registerSaleSchema, saleMessage } from './sale-codec.js';
import { validatingHandler } from './validating-handler.js';

/** Raw JSON (CloudEvents movements, seed 003 sales) → validated Avro topics, or the DLQs. */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const { config } = rt;
  const topics = movementTopics(config.kafkaTopic);
  const sales = salesTopics(config.kafkaSalesTopic);
  const metrics = kafkaMetrics(rt.metrics);
  const producer = producerService(rt.kafka, 'ingest-producer');
  let handler: ReturnType<typeof validatingHandler> | undefined;
  let salesHandler: ReturnType<typeof validatingHandler> | undefined;
  const schema = {
    name: 'ingest-schema',
    async start() {
      const schemaId = await registerMovementSchema(rt.schemaRegistry, topics.validated);
      handler = validatingHandler({
        producer: producer.producer,
        parse: parseMovementEvent,
        toMessage: (valid) => validatedMessage(schemaId, valid.event),
        validatedTopic: topics.validated,
        dlqTopic: topics.dlq,
        metrics,
        logger: rt.logger,
      });
      rt.logger.info(
        { schemaId, subject: `${topics.validated}-value` },
        'movement schema registered',
      );
      const saleSchemaId = await registerSaleSchema(rt.schemaRegistry, sales.validated);
      salesHandler = validatingHandler({
        producer: producer.producer,
        parse: parseSale,
        toMessage: (valid) => saleMessage(saleSchemaId, valid.sale),
        validatedTopic: sales.validated,
        dlqTopic: sales.dlq,
        metrics,
        logger: rt.logger,
      });
      rt.logger.info(
        { schemaId: saleSchemaId, subject: `${sales.validated}-value` },
        'sale schema registered',
      );
    },
    stop: () => Promise.resolve(),
  };
  const consumer = batchConsumer({
    name: 'ingest',
    kafka: rt.kafka,
    groupId: `${config.kafkaGroupId}.ingest`,
    topics: [topics.raw],
    logger: rt.logger,
    metrics,
    partitionsConsumedConcurrently: config.kafkaPartitions,
    handle: (batch) => {
      if (!handler) throw new Error('ingest started before its schema was registered');
      return handler(batch);
    },
    onFatal: (err) => rt.fatal.abort(err),
  });
  const salesConsumer = batchConsumer({
    name: 'ingest-sales',
    kafka: rt.kafka,
    groupId: `${config.kafkaGroupId}.ingest-sales`,
    topics: [sales.raw],
    logger: rt.logger,
    metrics,
    partitionsConsumedConcurrently: config.kafkaPartitions,
    handle: (batch) => {
      if (!salesHandler) throw new Error('ingest-sales started before its schema was registered');
      return salesHandler(batch);
    },
    onFatal: (err) => rt.fatal.abort(err),
  });
  return Promise.resolve({
    services: [
      topicsService(rt.kafka, [topics, sales], config.kafkaPartitions),
      producer,
      schema,
      consumer,
      salesConsumer,
    ],
    features: [],
  });
}
