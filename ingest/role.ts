import type { Message } from 'kafkajs';
import { batchConsumer } from '../lib/kafka/batch-consumer.js';
import { consumerLagService } from '../lib/kafka/consumer-lag.js';
import { producerService, topicsService } from '../lib/kafka/services.js';
import { importDeps } from './imports/daily-job.js';
import { importMetrics } from './imports/metrics.js';
import { importsFeature, runningImports } from './imports/routes.js';
import { orderIntakeFeature } from './orders/intake.js';
import { orderTopics } from '../lib/kafka/topics.js';
import { kafkaMetrics, ordersAccepted } from '../lib/metrics.js';
import type { ApiFeature, RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';
import type { Service } from '../lib/lifecycle.js';
import { encodeValidated, registerStreamSchema } from './codec.js';
import { ingestRoute } from './http-route.js';
import type { AnyStream } from './stream.js';
import { STREAMS } from './streams/index.js';
import { validatingHandler } from './validating-handler.js';

/**
 * Every stream's raw JSON → its validated Avro topic, or its DLQ; and each
 * stream's HTTP endpoint into the same validated topic. One pipeline, run once
 * per stream descriptor.
 */
export function createRole(
  rt: Runtime,
  streams: readonly AnyStream[] = STREAMS,
): Promise<RoleParts> {
  const { config } = rt;
  const metrics = kafkaMetrics(rt.metrics);
  const producer = producerService(rt.kafka, 'ingest-producer');
  const schemaIds = new Map<AnyStream, number>();
  const toMessage =
    (stream: AnyStream) =>
    (value: unknown): Message => {
      const id = schemaIds.get(stream);
      if (id === undefined) throw new Error(`the ${stream.name} schema is not registered yet`);
      return encodeValidated(stream, id, value);
    };
  const schemas: Service = {
    name: 'ingest-schemas',
    async start() {
      for (const stream of streams) {
        const { validated } = stream.topics(config);
        const schemaId = await registerStreamSchema(rt.schemaRegistry, stream, validated);
        schemaIds.set(stream, schemaId);
        rt.logger.info(
          { schemaId, subject: `${validated}-value` },
          `${stream.name} schema registered`,
        );
      }
    },
    stop: () => Promise.resolve(),
  };
  const lags = streams.map((stream) =>
    consumerLagService({
      registry: rt.metrics,
      kafka: rt.kafka,
      logger: rt.logger,
      groupId: `${config.kafkaGroupId}.${stream.consumer}`,
      topics: [stream.topics(config).raw],
    }),
  );
  const consumers = streams.map((stream) => {
    const topics = stream.topics(config);
    // From 0, so the first dead letters are an increase Prometheus can see (rate() needs one).
    for (const outcome of ['ok', 'dead_letter'])
      metrics.consumed.inc({ topic: topics.raw, outcome }, 0);
    const handle = validatingHandler({
      producer: producer.producer,
      parse: stream.parse,
      toMessage: toMessage(stream),
      topics,
      metrics,
      logger: rt.logger,
    });
    return batchConsumer({
      name: stream.consumer,
      kafka: rt.kafka,
      groupId: `${config.kafkaGroupId}.${stream.consumer}`,
      topics: [topics.raw],
      logger: rt.logger,
      metrics,
      partitionsConsumedConcurrently: config.kafkaPartitions,
      handle,
      onFatal: (err) => rt.fatal.abort(err),
    });
  });
  const imports = runningImports(rt.logger);
  importMetrics(rt.metrics, rt.pool, rt.logger);
  const orders = orderTopics(config.kafkaOrdersTopic);
  const features: ApiFeature[] = streams.flatMap((stream) => {
    const { http } = stream;
    if (!http) return [];
    return [
      ingestRoute({
        stream: { ...stream, http },
        topics: stream.topics(config),
        producer: producer.producer,
        toMessage: toMessage(stream),
        metrics: kafkaMetrics(rt.metrics),
      }),
    ];
  });
  return Promise.resolve({
    services: [
      topicsService(
        rt.kafka,
        [...streams.map((s) => s.topics(config)), orders],
        config.kafkaPartitions,
      ),
      producer,
      schemas,
      ...lags,
      ...consumers,
      imports,
    ],
    features: [
      ...features,
      orderIntakeFeature({
        pool: rt.pool,
        topics: orders,
        maxInFlight: config.ordersMaxInFlight,
        idempotencyHours: config.orderIdempotencyHours,
        poolSize: config.databasePoolSize,
        accepted: ordersAccepted(rt.metrics),
      }),
      importsFeature({
        pool: rt.pool,
        start: { ...importDeps(rt, producer.producer), running: imports },
      }),
    ],
    dependencies: ['kafka', 'schema_registry', 'postgres'],
  });
}
