import pg from 'pg';
import { DependencyUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(connectionString: string, max: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (server restart, network) must not crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle Postgres connection failed'));
  return pool;
}

// SQLSTATEs worth another try: the same transaction may well succeed next time.
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

// What pg-pool throws, with no code, when no connection frees up within connectionTimeoutMillis:
// every connection busy is as transient as Postgres refusing one (an upload load test met it as 500s).
const POOL_TIMEOUT = 'timeout exceeded when trying to connect';

export function isTransientPgError(err: unknown): boolean {
  if (err instanceof Error && err.message === POOL_TIMEOUT) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code);
}

/** Runs `fn` in one transaction; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Awaits a query, turning Postgres being unreachable into DependencyUnavailableError (503). */
export async function fromPostgres<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    if (isTransientPgError(err)) {
      throw new DependencyUnavailableError('postgres', 'Postgres is unavailable', { cause: err });
    }
    throw err;
  }
}
