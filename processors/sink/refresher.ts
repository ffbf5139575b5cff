import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import { ch } from '../../lib/clickhouse/sql.js';
import type { Service } from '../../lib/lifecycle.js';
import type { Logger } from '../../lib/logger.js';
import {
  readPositions,
  type PositionTable,
  type Positions,
} from '../../lib/clickhouse/sales-touches.js';
import { TsvBuffer } from './tsv.js';

// What the sink role's refreshers share: tables no view can keep (repeat-buyer flags, seller
// order days) are brought up to date after the sink commits lines, by a loop in the sink role.
// Each refresh runs under its own Postgres advisory lock, so one process writes at a time however
// many sink processes run; a later refresh costs the queries speed, never exactness.

export interface RefresherDeps {
  readonly clickhouse: ClickHouseClient;
  /** For lists sent as external tables. */
  readonly clickhouseUrl: string;
  readonly database: string;
  readonly pool: Pool;
  readonly logger: Logger;
}

/**
 * Runs `fn` holding a transaction-scoped advisory lock, or returns `undefined` at once when
 * another session holds it.
 */
export async function withAdvisoryLock<T>(
  pool: Pool,
  key: number,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      key,
    ]);
    if (!lock.rows[0]?.ok) return undefined;
    return await fn();
  } finally {
    await client.query('COMMIT').catch(() => undefined);
    client.release();
  }
}

/**
 * Writes a difference into a CollapsingMergeTree table in one insert: `delta` maps a row (its
 * TabSeparated columns, all but the last, `sign`) to the desired count minus the stored one, and
 * that many cancels or new versions are written. Returns the rows written.
 */
export async function writeSignedDelta(
  deps: RefresherDeps,
  table: string,
  columns: readonly [string, ...string[]],
  delta: ReadonlyMap<string, number>,
): Promise<number> {
  const out = new TsvBuffer(delta.size * 48);
  let rows = 0;
  for (const [line, n] of delta) {
    for (let i = 0; i < Math.abs(n); i++) {
      out.text(`${line}\t${n > 0 ? 1 : -1}\n`);
      rows++;
    }
  }
  if (rows > 0) {
    await deps.clickhouse.insert({
      table: `${deps.database}.${table}`,
      columns: [columns[0], ...columns.slice(1)],
      values: Readable.from([out.body()], { objectMode: false }),
      format: 'TabSeparated',
    });
  }
  return rows;
}

/** One query reading the position tables of `deps.database`. */
export function positions<T extends PositionTable>(
  deps: RefresherDeps,
  tables: readonly T[],
): Promise<Record<T, Positions>> {
  return readPositions(
    async (query) => {
      const result = await deps.clickhouse.query({ query: query.text, format: 'JSONEachRow' });
      return result.json();
    },
    ch.identifier(deps.database),
    tables,
  );
}

/** A refresh: `stopping` is checked between rounds; its result is logged when it wrote rows. */
export type RefreshStep = (stopping: () => boolean) => Promise<{ readonly rowsWritten: number }>;

/** Work the refresher yields to (the sink draining a backlog), and for how long at most. */
export interface RefreshDeferral {
  readonly busy: () => boolean;
  readonly atMostMs: number;
}

/**
 * Runs the steps in turn until stopped; a failed step is logged and retried. Between runs it
 * pauses `intervalMs`, or four times as long as the last run took if that is longer. With
 * `defer` (checked every `intervalMs`), that pause is at most `atMostMs` while `busy()` is
 * false; while it is true, the refresher waits for it to end, up to `atMostMs` or the pause,
 * whichever is longer.
 */
export function refresherService(
  name: string,
  logger: Logger,
  intervalMs: number,
  steps: Readonly<Record<string, RefreshStep>>,
  defer?: RefreshDeferral,
): Service {
  let stopping = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> = Promise.resolve();
  return {
    name,
    start() {
      loop = (async () => {
        while (!stopping) {
          const started = performance.now();
          for (const [step, refresh] of Object.entries(steps)) {
            if (stopping) break;
            try {
              const r = await refresh(() => stopping);
              if (r.rowsWritten > 0) logger.debug({ ...r, step }, 'refreshed');
            } catch (err) {
              logger.warn({ err, step }, 'refresh failed; trying again');
            }
          }
          if (stopping) break;
          // A refresh costs about the same however many lines arrived since the last (it rereads
          // each touched buyer's history, it scans the order days once a round), so it waits
          // four times as long as it ran: under a heavy load at most a fifth of the time goes to
          // it, and the sink keeps the rest. (Refreshing every second cost the sink a quarter of
          // its throughput on a 1M-line backlog.) While the sink drains a backlog it waits
          // longer (see `RefreshDeferral`): one refresh after the drain costs less than several
          // during it, and each one during it took the sink a tenth of its throughput. Once the
          // sink is idle, a long refresh (a backlog's) is followed by the next within atMostMs.
          const ended = performance.now();
          const ran = ended - started;
          const idleWait = Math.max(intervalMs, Math.min(4 * ran, defer?.atMostMs ?? Infinity));
          const busyWait = Math.max(intervalMs, 4 * ran, defer?.atMostMs ?? 0);
          for (;;) {
            const wait = (defer?.busy() ? busyWait : idleWait) - (performance.now() - ended);
            if (stopping || wait <= 0) break;
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, defer ? Math.min(intervalMs, wait) : wait).unref();
            });
          }
        }
      })();
      return Promise.resolve();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
