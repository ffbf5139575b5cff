import { sql } from '../../../lib/clickhouse-sql.js';
import { rows, type Analytics } from './run.js';

/**
 * A cheap fingerprint of everything the sink has stored: how many topic partitions it wrote and the
 * sum of their highest offsets. Every insert through the sink moves an offset forward, so any new
 * row changes it. (Reads a handful of rows: one per topic partition.)
 */
export async function dataWatermark(a: Analytics): Promise<string> {
  const [row] = await rows<{ partitions: string; offsets: string }>(
    a,
    sql`SELECT count() AS partitions, sum(highest) AS offsets FROM (
        SELECT topic, partition, maxMerge(max_offset) AS highest
        FROM ${a.db}.sink_positions GROUP BY topic, partition)`,
  );
  return row ? `${row.partitions}.${row.offsets}` : '0.0';
}
