import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from './clickhouse/client.js';
import { MigrationError } from './errors.js';
import type { Logger } from './logger.js';
import type { Pool, PoolClient } from './postgres/pool.js';

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** `0001_movements.sql` → version 1. Files that don't match are a mistake, not something to skip. */
export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(file);
      if (!match?.[1])
        throw new MigrationError(`${dir}/${file}: name must look like 0001_what_it_does.sql`);
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationError(`${dir}: expected migration ${i + 1}, found ${m.name}`);
  });
  return migrations;
}

/**
 * Splits a ClickHouse migration into statements (its HTTP interface takes one
 * per request) at semicolons that end a line outside quotes and comments.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (quote) {
      current += ch;
      if (ch === '\\') current += sql[++i] ?? '';
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      current += ch;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      current += '\n';
    } else if (ch === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (quote) throw new MigrationError('unterminated quote in migration');
  if (current.trim()) statements.push(current.trim());
  return statements;
}

function checkUnchanged(
  applied: Map<number, string>,
  migrations: readonly Migration[],
  where: string,
): void {
  for (const m of migrations) {
    const checksum = applied.get(m.version);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new MigrationError(
        `${where} migration ${m.name} was changed after it was applied; landed migrations never change: add a new one`,
      );
    }
  }
}

// Any constant works; it only has to be the same in every stockflow process.
const LOCK_KEY = 0x5f0c_f10e;

export interface MigrateOptions {
  readonly pool: Pool;
  /** Client without a default database: the migrator creates ours first. */
  readonly clickhouse: ClickHouseClient;
  readonly clickhouseDatabase: string;
  readonly logger: Logger;
  readonly dir?: string;
}

export interface MigrateResult {
  readonly postgres: string[];
  readonly clickhouse: string[];
}

/**
 * Applies pending Postgres then ClickHouse migrations, each once. A Postgres
 * advisory lock serialises concurrent migrators, also for ClickHouse, which has no locks.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const dir = options.dir ?? SQL_DIR;
  const pgMigrations = readMigrations(path.join(dir, 'postgres'));
  const chMigrations = readMigrations(path.join(dir, 'clickhouse'));
  const client = await options.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const postgres = await migratePostgres(client, pgMigrations, options.logger);
      const clickhouse = await migrateClickHouse(options, chMigrations);
      return { postgres, clickhouse };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function migratePostgres(
  client: PoolClient,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<string[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS stockflow_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const rows = await client.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM stockflow_migrations',
  );
  const applied = new Map(rows.rows.map((r) => [r.version, r.checksum]));
  checkUnchanged(applied, migrations, 'Postgres');
  const done: string[] = [];
  for (const m of migrations.filter((x) => !applied.has(x.version))) {
    try {
      await client.query('BEGIN');
      await client.query(m.sql);
      await client.query(
        'INSERT INTO stockflow_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationError(`Postgres migration ${m.name} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    logger.info({ migration: m.name }, 'applied Postgres migration');
    done.push(m.name);
  }
  return done;
}

async function migrateClickHouse(
  options: MigrateOptions,
  migrations: readonly Migration[],
): Promise<string[]> {
  const ch = options.clickhouse;
  const db = options.clickhouseDatabase;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(db))
    throw new MigrationError(`bad ClickHouse database name ${db}`);
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await ch.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.stockflow_migrations (
      version UInt32, name String, checksum String, applied_at DateTime
    ) ENGINE = MergeTree ORDER BY version`,
  });
  const result = await ch.query({
    query: `SELECT version, checksum FROM ${db}.stockflow_migrations`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number; checksum: string }>();
  const applied = new Map(rows.map((r) => [Number(r.version), r.checksum]));
  checkUnchanged(applied, migrations, 'ClickHouse');
  const done: string[] = [];
  for (const m of migrations.filter((x) => !applied.has(x.version))) {
    // No transactions in ClickHouse: statements are written to be re-runnable
    // (IF NOT EXISTS), so a migration cut off half-way is simply applied again.
    for (const statement of splitStatements(m.sql.replaceAll('{db}', db))) {
      try {
        await ch.command({ query: statement });
      } catch (err) {
        throw new MigrationError(
          `ClickHouse migration ${m.name} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    await ch.insert({
      table: `${db}.stockflow_migrations`,
      values: [
        {
          version: m.version,
          name: m.name,
          checksum: m.checksum,
          applied_at: Math.floor(Date.now() / 1000),
        },
      ],
      format: 'JSONEachRow',
    });
    options.logger.info({ migration: m.name }, 'applied ClickHouse migration');
    done.push(m.name);
  }
  return done;
}
