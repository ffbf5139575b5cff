import { sql, type Sql } from '../../../lib/clickhouse-sql.js';
import { rows, type Analytics } from './run.js';

/** How many topic partitions a positions table holds, and the sum of their highest offsets. */
const fingerprint = (table: Sql): Sql =>
  sql`SELECT concat(toString(count()), '.', toString(sum(highest))) FROM (
        SELECT maxMerge(max_offset) AS highest FROM ${table} GROUP BY topic, partition)`;

/**
 * A cheap fingerprint of everything stored: the positions the raw tables' views record as rows go
 * in (so any row moves it, the sink's or not), and the commits the sink records once ClickHouse
 * has acknowledged an insert with every view written (sql/clickhouse/0005). Positions move before
 * the last views have the rows; the commit moves it again after, so an answer computed in between
 * is never served under the final watermark. (A handful of rows: one per topic partition.)
 */
export async function dataWatermark(a: Analytics): Promise<string> {
  const [row] = await rows<{ positions: string; commits: string }>(
    a,
    sql`SELECT (${fingerprint(sql`${a.db}.sink_positions`)}) AS positions,
               (${fingerprint(sql`${a.db}.sink_commits`)}) AS commits`,
  );
  return row ? `${row.positions}/${row.commits}` : '0.0/0.0';
}
