// The database's management commands: a new numbered migration, a psql shell,
// one SQL statement, and the sample data.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config.js';
import { StockflowError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { SQL_DIR } from '../lib/migrate.js';
import { createPool } from '../lib/postgres/pool.js';

const usage = (message: string, line: string) =>
  new StockflowError('CONFIG_INVALID', `${message}\nusage: stockflow ${line}`);

export const NEW_MIGRATION_USAGE = 'db:new-migration NAME [--clickhouse]';

/** Writes the next numbered migration file (Postgres, or ClickHouse with --clickhouse). */
export function newMigration(args: readonly string[], sqlDir = SQL_DIR): string {
  const clickhouse = args.includes('--clickhouse');
  const names = args.filter((a) => a !== '--clickhouse');
  const unknown = names.filter((a) => a.startsWith('-'));
  if (unknown.length > 0) throw usage(`unknown option ${unknown[0]}`, NEW_MIGRATION_USAGE);
  if (names.length !== 1) throw usage('db:new-migration needs one NAME', NEW_MIGRATION_USAGE);
  const slug = names[0]!
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw usage(`NAME must have letters or digits, got ${JSON.stringify(names[0])}`, NEW_MIGRATION_USAGE); // prettier-ignore
  const dir = path.join(sqlDir, clickhouse ? 'clickhouse' : 'postgres');
  const versions = (existsSync(dir) ? readdirSync(dir) : [])
    .map((f) => /^(\d{4})_/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
  const next = String(Math.max(0, ...versions) + 1).padStart(4, '0');
  const file = path.join(dir, `${next}_${slug}.sql`);
  const header = clickhouse
    ? '-- ClickHouse migration: {db} is the configured database. Runs on ClickHouse 18.16 and\n-- current ClickHouse alike; once landed, a migration never changes.\n'
    : '-- Postgres migration: runs in one transaction. Once landed, a migration never changes.\n';
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, header, { flag: 'wx' });
  return file;
}

/** psql on the configured database, attached to this terminal. */
export function dbShell(config: Config, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [config.databaseUrl, ...args], { stdio: 'inherit' });
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new StockflowError('DEPENDENCY_UNAVAILABLE', 'psql is not installed (Debian: apt install postgresql-client)') // prettier-ignore
          : err,
      ),
    );
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** One SQL statement on the configured database; rows as a table, or the command's row count. */
export async function dbRun(
  config: Config,
  logger: Logger,
  args: readonly string[],
): Promise<number> {
  if (args.length !== 1 || !args[0]!.trim()) {
    throw usage('db:run needs one SQL statement, quoted', 'db:run "SQL"');
  }
  const pool = createPool(config.databaseUrl, 1, logger);
  try {
    const result = await pool.query(args[0]!).catch((err: Error) => {
      throw new StockflowError('CONFIG_INVALID', `db:run: ${err.message}`, { cause: err });
    });
    const results = Array.isArray(result) ? result : [result];
    for (const r of results as {
      command: string;
      rowCount: number | null;
      rows: unknown[];
      fields: unknown[];
    }[]) {
      if (r.fields.length > 0) {
        console.table(r.rows);
        console.log(`(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`);
      } else {
        console.log(`${r.command}${r.rowCount === null ? '' : ` ${r.rowCount}`}`);
      }
    }
    return 0;
  } finally {
    await pool.end();
  }
}
