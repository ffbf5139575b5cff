import { Counter } from 'prom-client';
import { batchConsumer } from '../../lib/batch-consumer.js';
import { createClickHouse } from '../../lib/clickhouse.js';
import type { Service } from '../../lib/lifecycle.js';
import { producerService } from '../../lib/kafka-services.js';
import { kafkaMetrics, once } from '../../lib/metrics.js';
import type { Runtime } from '../../lib/runtime.js';
import { sinkBatchHandler, type SinkSource } from './sink-handler.js';

/**
 * The sink's services: a producer (for its dead letters) and a consumer of
 * every source topic writing into ClickHouse. Stopped in reverse order, the
 * consumer finishes its insert and commits before the producer closes.
 */
export function sinkServices(rt: Runtime, sources: ReadonlyMap<string, SinkSource>): Service[] {
  const producer = producerService(rt.kafka, 'sink-producer');
  // Inserts can be large and slow; a client of their own keeps API queries snappy.
  const clickhouse = createClickHouse({ url: rt.config.clickhouseUrl });
  const rows = once(
    rt.metrics,
    'stockflow_sink_rows_total',
    () =>
      new Counter({
        name: 'stockflow_sink_rows_total',
        help: 'Rows the ClickHouse sink handled, by table and outcome (inserted, duplicate, dead_letter).',
        labelNames: ['table', 'outcome'],
        registers: [rt.metrics],
      }),
  );
  const consumer = batchConsumer({
    name: 'sink',
    kafka: rt.kafka,
    groupId: `${rt.config.kafkaGroupId}.sink`,
    topics: [...sources.keys()],
    logger: rt.logger,
    metrics: kafkaMetrics(rt.metrics),
    // Every partition at once: one batch's decoding overlaps another's ClickHouse insert.
    partitionsConsumedConcurrently: rt.config.kafkaPartitions,
    maxBytesPerPartition: 16 * 1024 * 1024,
    handle: sinkBatchHandler({
      clickhouse,
      clickhouseUrl: rt.config.clickhouseUrl,
      database: rt.config.clickhouseDatabase,
      registry: rt.schemaRegistry,
      producer: producer.producer,
      sources,
      logger: rt.logger,
      rows,
      chunkRows: rt.config.clickhouseInsertRows,
    }),
    onFatal: (err) => rt.fatal.abort(err),
  });
  const closeClient: Service = {
    name: 'sink-clickhouse',
    start: () => Promise.resolve(),
    stop: () => clickhouse.close(),
  };
  return [closeClient, producer, consumer];
}
