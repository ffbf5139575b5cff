import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import pg from 'pg';
import { createClickHouse, type ClickHouseClient } from '../lib/clickhouse/client.js';
import { loadConfig, type Config } from '../lib/config.js';
import { migrate } from '../lib/migrate.js';
import { createPool, type Pool } from '../lib/postgres/pool.js';
import type { RefresherDeps } from '../processors/sink/refresher.js';
import { createKafka } from '../lib/kafka/client.js';
import type { Logger } from '../lib/logger.js';

// What a test or a benchmark runs against, isolated: random names, fresh Postgres and ClickHouse
// databases, a Kafka client, registry subjects to delete afterwards, a quiet logger.

export const config: Config = loadConfig();

/** Quiet unless TEST_LOG_LEVEL asks otherwise. */
export const testLogger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A name no other test (or earlier run) uses. */
export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh Postgres database for one test file, dropped by `drop()`. */
export async function createTestDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = randomName('sf_test');
  const admin = new pg.Client({ connectionString: config.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(config.databaseUrl, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: config.databaseUrl });
      await c.connect();
      try {
        // PostgreSQL 15's FORCE also tries to end an autovacuum worker in the database, which only
        // a superuser may; the worker is gone in moments, so that one refusal is tried again.
        for (let attempt = 1; ; attempt++) {
          const dropped = await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(
            () => true,
            (err: { code?: string }) => {
              if (err.code !== '42501' || attempt >= 20) throw err;
              return false;
            },
          );
          if (dropped) break;
          await sleep(Math.min(100 * attempt, 1_000));
        }
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh ClickHouse database name and a client without a default database. */
export function createTestClickHouse(): {
  name: string;
  client: ClickHouseClient;
  drop: () => Promise<void>;
} {
  const name = randomName('sf_test');
  const client = createClickHouse({ url: config.clickhouseUrl });
  return {
    name,
    client,
    drop: async () => {
      await client.command({ query: `DROP DATABASE IF EXISTS ${name}` });
      await client.close();
    },
  };
}

export function testKafka() {
  return createKafka({
    brokers: config.kafkaBrokers,
    clientId: randomName('test'),
    logger: testLogger,
  });
}

/** Deletes registry subjects a test registered (soft, then permanently); missing ones are fine. */
export async function deleteSubjects(subjects: readonly string[]): Promise<void> {
  for (const subject of subjects) {
    const url = `${config.schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${url}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
}

/**
 * A ClickHouse database migrated to the latest version (with the Postgres database migrate() keeps
 * its lock and bookkeeping in), its refresher dependencies, and one call to remove both.
 */
export async function createMigratedClickHouse(): Promise<{
  chDb: ReturnType<typeof createTestClickHouse>;
  pool: Pool;
  refresher: RefresherDeps;
  drop: () => Promise<void>;
}> {
  const db = await createTestDatabase();
  const chDb = createTestClickHouse();
  const pool = createPool(db.url, 2, testLogger);
  await migrate({ pool, clickhouse: chDb.client, clickhouseDatabase: chDb.name, logger: testLogger }); // prettier-ignore
  return {
    chDb,
    pool,
    refresher: {
      clickhouse: chDb.client,
      clickhouseUrl: config.clickhouseUrl,
      database: chDb.name,
      pool,
      logger: testLogger,
    },
    drop: async () => {
      await pool.end();
      await db.drop();
      await chDb.drop();
    },
  };
}
