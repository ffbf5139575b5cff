import { sql } from '../../../lib/clickhouse/sql.js';
import { rows, type Analytics } from './run.js';

/**
 * A cheap fingerprint of everything stored: the positions the raw tables' views record as rows go
 * in (so any row moves it, the sink's or not), and the commits the sink records once ClickHouse
 * has acknowledged an insert with every view written (sql/clickhouse/0005). Positions move before
 * the last views have the rows; the commit moves it again after, so an answer computed in between
 * is never served under the final watermark. Both only grow, so their sum with the number of
 * partitions changes with every insert. (A handful of rows: one per table and topic partition.)
 */
export async function dataWatermark(a: Analytics): Promise<string> {
  const [row] = await rows<{ partitions: string; offsets: string }>(
    a,
    sql`SELECT count() AS partitions, toString(sum(highest)) AS offsets FROM (
        SELECT maxMerge(max_offset) AS highest FROM ${a.db}.sink_positions GROUP BY topic, partition
        UNION ALL
        SELECT maxMerge(max_offset) AS highest FROM ${a.db}.sink_commits GROUP BY topic, partition)`,
  );
  return row ? `${row.partitions}.${row.offsets}` : '0.0';
}
