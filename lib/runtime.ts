import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka } from 'kafkajs';
import { createClickHouse, type ClickHouseClient } from './clickhouse/client.js';
import type { Config } from './config.js';
import { createKafka } from './kafka/client.js';
import type { Logger } from './logger.js';
import type { Registry } from './metrics.js';
import { createPool, type Pool } from './postgres/pool.js';
import type { DependencyCheck } from './readiness.js';

/** The external systems a role may depend on; /ready checks each by this name. */
export type Dependency = 'kafka' | 'schema_registry' | 'postgres' | 'clickhouse';

/** The clients one stockflow process shares between its roles, closed once on shutdown. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly pool: Pool;
  readonly clickhouse: ClickHouseClient;
  readonly kafka: Kafka;
  readonly schemaRegistry: SchemaRegistry;
  /** One check per dependency, named by it. */
  readonly checks: readonly (DependencyCheck & { readonly name: Dependency })[];
  /** Aborted with the error when a part of the process fails beyond repair: the process then shuts down. */
  readonly fatal: AbortController;
  close(): Promise<void>;
}

export function createRuntime(config: Config, logger: Logger, metrics: Registry): Runtime {
  const pool = createPool(config.databaseUrl, config.databasePoolSize, logger);
  const clickhouse = createClickHouse({
    url: config.clickhouseUrl,
    database: config.clickhouseDatabase,
  });
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    logger,
  });
  const schemaRegistry = new SchemaRegistry({ host: config.schemaRegistryUrl });

  let admin: Admin | undefined;
  const kafkaCheck = async (): Promise<void> => {
    try {
      if (!admin) {
        admin = kafka.admin();
        await admin.connect();
      }
      await admin.describeCluster();
    } catch (err) {
      const stale = admin;
      admin = undefined;
      await stale?.disconnect().catch(() => undefined);
      throw err;
    }
  };

  const checks: (DependencyCheck & { readonly name: Dependency })[] = [
    { name: 'kafka', check: kafkaCheck },
    {
      name: 'schema_registry',
      check: async (signal) => {
        const res = await fetch(`${config.schemaRegistryUrl}/subjects`, { signal });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      },
    },
    { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
    {
      name: 'clickhouse',
      check: async () => {
        const ping = await clickhouse.ping();
        if (!ping.success) throw ping.error;
      },
    },
  ];

  return {
    config,
    logger,
    metrics,
    pool,
    clickhouse,
    kafka,
    schemaRegistry,
    checks,
    fatal: new AbortController(),
    async close() {
      await Promise.allSettled([admin?.disconnect(), pool.end(), clickhouse.close()]);
    },
  };
}
