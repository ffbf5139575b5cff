import { batchConsumer } from '../lib/batch-consumer.js';
import { producerService, topicsService } from '../lib/kafka-services.js';
import { kafkaMetrics } from '../lib/metrics.js';
import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';
import { movementTopics } from '../lib/topics.js';
import { ingestBatchHandler } from './ingest-handler.js';
import { registerMovementSchema } from './movement-codec.js';

/** Raw CloudEvents JSON → validated Avro topic, or the DLQ. */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const { config } = rt;
  const topics = movementTopics(config.kafkaTopic);
  const metrics = kafkaMetrics(rt.metrics);
  const producer = producerService(rt.kafka, 'ingest-producer');
  let handler: ReturnType<typeof ingestBatchHandler> | undefined;
  const schema = {
    name: 'ingest-schema',
    async start() {
      const schemaId = await registerMovementSchema(rt.schemaRegistry, topics.validated);
      handler = ingestBatchHandler({ producer: producer.producer, topics, schemaId, metrics });
      rt.logger.info(
        { schemaId, subject: `${topics.validated}-value` },
        'movement schema registered',
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
  return Promise.resolve({
    services: [topicsService(rt.kafka, topics, config.kafkaPartitions), producer, schema, consumer],
    features: [],
  });
}
