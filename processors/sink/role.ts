import { createClickHouse } from '../../lib/clickhouse/client.js';
import { clickHouseMetrics } from '../../lib/clickhouse/system-metrics.js';
import type { Config } from '../../lib/config.js';
import { ConsumerBacklog } from '../../lib/kafka/consumer-backlog.js';
import { consumerLagService } from '../../lib/kafka/consumer-lag.js';
import { ensureTopics } from '../../lib/kafka/client.js';
import type { Service } from '../../lib/lifecycle.js';
import type { RoleParts } from '../../lib/role.js';
import type { Runtime } from '../../lib/runtime.js';
import { movementTopics, orderTopics, salesTopics } from '../../lib/kafka/topics.js';
import type { SinkSource } from './sink-types.js';
import { refresherService } from './refresher.js';
import { refreshRepeatFlags } from './repeat-flags.js';
import { refreshSellerOrderDays } from './seller-order-days.js';
import { sinkServices } from './sink-service.js';
import {
  movementChangesTable,
  orderChangesTable,
  salesTable,
  stockChangesTable,
} from './sink-tables.js';

// How often the refreshed tables (repeat-buyer flags, seller order days) catch up with committed
// sale lines. Until they do, the endpoints answer from the views the sink keeps: a later refresh
// costs speed, not exactness.
const REFRESH_INTERVAL_MS = 1_000;
// While more than this many messages wait for the sink (fetched or not), the refreshers wait
// too, for up to REFRESH_DEFER_MS (or four times their last run) after it: a backlog drains
// first, and is refreshed once. A refresh during it would buy the queries nothing: the next
// insert touches most buyers and orders again, and until the refreshed tables cover every line
// the endpoints answer from their exact, slower paths. The bound only keeps a sink that never
// catches up from leaving them behind for good. Traffic the sink keeps up with seldom leaves
// that much waiting.
const REFRESH_DEFER_ROWS = 50_000;
const REFRESH_DEFER_MS = 300_000;

/** Source topic → table, for the configured topics. */
export function sinkSources(config: Config): Map<string, SinkSource> {
  const movements = movementTopics(config.kafkaTopic);
  const sales = salesTopics(config.kafkaSalesTopic);
  const orders = orderTopics(config.kafkaOrdersTopic);
  return new Map<string, SinkSource>([
    [sales.validated, { table: salesTable, format: 'avro', dlq: sales.dlq }],
    [movements.stockChanges, { table: stockChangesTable, format: 'json', dlq: movements.dlq }],
    [
      movements.movementChanges,
      { table: movementChangesTable, format: 'json', dlq: movements.dlq },
    ],
    [orders.changes, { table: orderChangesTable, format: 'json', dlq: orders.dlq }],
  ]);
}

/** Validated sales and the change topics (movements, stock, orders) → ClickHouse raw tables and their views. */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const sources = sinkSources(rt.config);
  const topics: Service = {
    name: 'sink-topics',
    async start() {
      const admin = rt.kafka.admin();
      await admin.connect();
      try {
        const names = [...sources.keys(), ...new Set([...sources.values()].map((s) => s.dlq))];
        await ensureTopics(
          admin,
          names.map((topic) => ({ topic, numPartitions: rt.config.kafkaPartitions })),
        );
      } finally {
        await admin.disconnect();
      }
    },
    stop: () => Promise.resolve(),
  };
  // ClickHouse 18.16 serves no metrics of its own: the sink, its writer, exports them.
  const clickhouseMetrics = clickHouseMetricsService(rt);
  // Stopped first (services stop in reverse): a refresh in flight finishes, then the sink drains.
  const deps = {
    clickhouse: rt.clickhouse,
    clickhouseUrl: rt.config.clickhouseUrl,
    database: rt.config.clickhouseDatabase,
    pool: rt.pool,
    logger: rt.logger,
  };
  const backlog = new ConsumerBacklog();
  const refresher = refresherService(
    'sale-refresher',
    rt.logger,
    REFRESH_INTERVAL_MS,
    {
      'repeat-buyer flags': (stopping) => refreshRepeatFlags(deps, stopping),
      'seller order days': (stopping) => refreshSellerOrderDays(deps, stopping),
    },
    { busy: () => backlog.rows() > REFRESH_DEFER_ROWS, atMostMs: REFRESH_DEFER_MS },
  );
  return Promise.resolve({
    services: [
      topics,
      clickhouseMetrics,
      consumerLagService({
        registry: rt.metrics,
        kafka: rt.kafka,
        logger: rt.logger,
        groupId: `${rt.config.kafkaGroupId}.sink`,
        topics: [...sources.keys()],
      }),
      ...sinkServices(rt, sources, backlog),
      refresher,
    ],
    features: [],
    // Postgres holds the sink's partition leases; sale lines decode with the registry's schemas.
    dependencies: ['kafka', 'schema_registry', 'clickhouse', 'postgres'],
  });
}

/** ClickHouse's system tables in the process's /metrics, through a client of their own. */
function clickHouseMetricsService(rt: Runtime): Service {
  // No default database: the system tables answer before (and without) stockflow's migrations.
  const client = createClickHouse({ url: rt.config.clickhouseUrl });
  const metrics = clickHouseMetrics({
    registry: rt.metrics,
    clickhouse: client,
    logger: rt.logger,
  });
  return {
    name: 'clickhouse-metrics',
    // Best effort: the families exist for the first scrape; ClickHouse away costs nothing here.
    start: () => metrics.prime(),
    stop: () => client.close(),
  };
}
