import type { Config } from '../../lib/config.js';
import { ensureTopics } from '../../lib/kafka.js';
import type { Service } from '../../lib/lifecycle.js';
import type { RoleParts } from '../../lib/role.js';
import type { Runtime } from '../../lib/runtime.js';
import { movementTopics, salesTopics } from '../../lib/topics.js';
import type { SinkSource } from './sink-handler.js';
import { sinkServices } from './sink-service.js';
import { movementChangesTable, salesTable, stockChangesTable } from './sink-tables.js';

/** Source topic → table, for the configured topics. */
export function sinkSources(config: Config): Map<string, SinkSource> {
  const movements = movementTopics(config.kafkaTopic);
  const sales = salesTopics(config.kafkaSalesTopic);
  return new Map<string, SinkSource>([
    [sales.validated, { table: salesTable, format: 'avro', dlq: sales.dlq }],
    [movements.stockChanges, { table: stockChangesTable, format: 'json', dlq: movements.dlq }],
    [
      movements.movementChanges,
      { table: movementChangesTable, format: 'json', dlq: movements.dlq },
    ],
  ]);
}

/** Validated sales and the processor's change topics → ClickHouse raw tables and their views. */
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
  return Promise.resolve({ services: [topics, ...sinkServices(rt, sources)], features: [] });
}
