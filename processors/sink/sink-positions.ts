// The ClickHouse side of the sink's exactly-once: where each partition stands, what it has
// committed, and which identities of a chunk are already stored.
import { ch, sql } from '../../lib/clickhouse/sql.js';
import { retry } from '../../lib/retry.js';
import { isTransientClickHouseError } from './clickhouse-errors.js';
import { selectWithExternalTable } from './external-table.js';
import type { Row, SinkTable } from './sink-tables.js';
import type { SinkDeps } from './sink-types.js';
import type { TsvBuffer } from './tsv.js';

export const CLICKHOUSE_RETRY = {
  isTransient: isTransientClickHouseError,
  maxAttempts: 5,
  baseDelayMs: 200,
} as const;

/** The highest offset of this partition already in ClickHouse, if any. */
export async function storedOffset(
  deps: SinkDeps,
  topic: string,
  partition: number,
): Promise<bigint | undefined> {
  const q = sql`SELECT count() AS n, toString(maxMerge(max_offset)) AS o
    FROM ${ch.identifier(deps.database)}.sink_positions
    WHERE topic = ${ch.string(topic)} AND partition = ${ch.uint(partition)}`;
  const result = await deps.clickhouse.query({ query: q.text, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string; o: string }>();
  return row && Number(row.n) > 0 ? BigInt(row.o) : undefined;
}

/**
 * Records that ClickHouse acknowledged this partition's rows up to `offset`, every view written
 * (sql/clickhouse/0005): the API's data watermark reads it.
 */
export async function recordCommit(
  deps: SinkDeps,
  topic: string,
  partition: number,
  offset: bigint,
): Promise<void> {
  const q = sql`INSERT INTO ${ch.identifier(deps.database)}.sink_commits
    SELECT ${ch.string(topic)}, ${ch.uint(partition)}, maxState(toUInt64(${ch.uint(offset)}))`;
  await retry(() => deps.clickhouse.command({ query: q.text }), CLICKHOUSE_RETRY);
}

/** Which of a chunk's identities are already stored; `seen` holds their seen columns, TSV. */
export async function alreadyStored(
  deps: SinkDeps,
  table: SinkTable,
  seen: TsvBuffer,
): Promise<Set<string>> {
  if (seen.length === 0) return new Set();
  const stored = await selectWithExternalTable<Row>(
    deps.clickhouseUrl,
    table.seenQuery(deps.database),
    { name: 'batch', structure: table.seenStructure, data: seen.body() },
  );
  return new Set(stored.map((r) => table.identity(r)));
}
