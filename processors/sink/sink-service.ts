import { Counter, Gauge } from 'prom-client';
import { batchConsumer } from '../../lib/kafka/batch-consumer.js';
import { createClickHouse } from '../../lib/clickhouse/client.js';
import type { ConsumerBacklog } from '../../lib/kafka/consumer-backlog.js';
import type { Service } from '../../lib/lifecycle.js';
import { producerService } from '../../lib/kafka/services.js';
import { postgresLeases } from '../../lib/postgres/partition-leases.js';
import { kafkaMetrics, once } from '../../lib/metrics.js';
import type { Runtime } from '../../lib/runtime.js';
import { sinkBatchStages } from './sink-handler.js';
import type { SinkSource } from './sink-types.js';

/**
 * The sink's services: a producer (for its dead letters) and a consumer of
 * every source topic writing into ClickHouse. Stopped in reverse order, the
 * consumer finishes its insert and commits before the producer closes.
 */
export function sinkServices(
  rt: Runtime,
  sources: ReadonlyMap<string, SinkSource>,
  /** Told what the consumer's batches leave waiting (the refreshers defer to a backlog). */
  backlog?: ConsumerBacklog,
): Service[] {
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
  // From 0, so the first dead letters are an increase Prometheus can see (rate() needs one).
  for (const source of sources.values())
    rows.inc({ table: source.table.table, outcome: 'dead_letter' }, 0);
  if (backlog) {
    once(
      rt.metrics,
      'stockflow_sink_backlog_messages',
      () =>
        new Gauge({
          name: 'stockflow_sink_backlog_messages',
          help: 'Messages waiting for this sink process, fetched or not, as its last batches saw them; the refreshers wait while it is large (processors/sink/role.ts).',
          registers: [rt.metrics],
          collect() {
            this.set(backlog.rows());
          },
        }),
    );
  }
  const consumer = batchConsumer({
    name: 'sink',
    kafka: rt.kafka,
    groupId: `${rt.config.kafkaGroupId}.sink`,
    topics: [...sources.keys()],
    logger: rt.logger,
    metrics: kafkaMetrics(rt.metrics),
    // Every partition at once: one batch's decoding overlaps another's ClickHouse insert.
    partitionsConsumedConcurrently: rt.config.kafkaPartitions,
    maxBytesPerPartition: rt.config.sinkFetchBytes,
    ...(backlog && { backlog }),
    // KafkaJS fetches and decodes the next batches while ClickHouse inserts these (a quarter
    // of the time went to each waiting for the other); a partition's new owner after a
    // rebalance waits, on its lease, until this process's insert there has landed.
    pipelined: {
      leases: postgresLeases(rt.pool, rt.config.clickhouseDatabase, rt.logger, (err) =>
        rt.fatal.abort(err),
      ),
    },
    handle: sinkBatchStages({
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
