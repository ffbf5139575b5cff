// The sink as the benchmark watches it: its consumer group joined, and how many sale lines
// ClickHouse's `sales` table holds, polled while an import runs.
import type { Admin } from 'kafkajs';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import { ch as literal, sql } from '../../lib/clickhouse/sql.js';
import { now, until } from '../bench/util.js';

/** Until the group has a member and is stable: the sink is consuming. */
export async function groupJoined(admin: Admin, groupId: string, timeoutMs = 120_000) {
  return until(
    async () => {
      const { groups } = await admin.describeGroups([groupId]);
      const g = groups[0];
      return g?.state === 'Stable' && g.members.length > 0;
    },
    timeoutMs,
    250,
  );
}

/**
 * Rows of `database`.sales, from the parts' row counts rather than count(): ClickHouse 18.16
 * answers count() by reading a column of every row, a cost polling would take from the sink.
 */
export function salesRows(clickhouse: ClickHouseClient, database: string): () => Promise<number> {
  const query = sql`SELECT toString(sum(rows)) AS n FROM system.parts
    WHERE database = ${literal.string(database)} AND table = 'sales' AND active`.text;
  return async () => {
    const r = await clickhouse.query({ query, format: 'JSONEachRow' });
    return Number((await r.json<{ n: string | null }>())[0]?.n ?? 0);
  };
}

/** Watches the row count from now on: when the first row came, and when `total` were in. */
export function watchRows(rows: () => Promise<number>, total: number, timeoutMs: number) {
  let first: number | undefined;
  let latest = 0;
  const done = until(
    async () => {
      latest = await rows();
      if (latest > 0) first ??= now();
      return latest >= total;
    },
    timeoutMs,
    200,
  );
  return {
    /** performance.now() when every row was in (undefined: timed out). */
    done,
    first: () => first,
    latest: () => latest,
  };
}
