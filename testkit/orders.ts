// Waiting for orders, in tests and benchmarks: the state itself, read from Postgres.
import type { Pool } from '../lib/postgres/pool.js';
import { eventually } from './pipeline-harness.js';

/** Resolves once no order of the database is pending or processing. */
export async function everyOrderFinished(pool: Pool, timeoutMs = 120_000): Promise<void> {
  await eventually(
    async () => {
      const r = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders WHERE status IN ('pending', 'processing')`,
      );
      return r.rows[0]!.n === 0 ? true : undefined;
    },
    timeoutMs,
    'every order to finish',
  );
}
