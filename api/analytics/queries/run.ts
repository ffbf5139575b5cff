import type { ClickHouseClient } from '../../../lib/clickhouse/client.js';
import { ch, joinSql, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { DependencyUnavailableError } from '../../../lib/errors.js';
import type { DayRange, InstantRange, OpenDayRange } from '../params.js';

// What every analytics query shares: the client, the database, running a query
// and the range conditions. Values reach SQL only through `ch.*`.

export interface Analytics {
  readonly clickhouse: ClickHouseClient;
  /** The database, already an identifier fragment. */
  readonly db: Sql;
}

export function analytics(clickhouse: ClickHouseClient, database: string): Analytics {
  return { clickhouse, db: ch.identifier(database) };
}

// 18.16 sends errors as plain Errors; only the network ones mean "unavailable".
const UNAVAILABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|socket hang up|Timeout error|Too many simultaneous queries/i;

function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return UNAVAILABLE.test(`${code} ${message}`);
}

/** Runs `read`; a network failure becomes "ClickHouse is unavailable" (503). */
async function reading<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (isUnavailable(err)) {
      throw new DependencyUnavailableError('clickhouse', 'ClickHouse is unavailable', {
        cause: err,
      });
    }
    throw err;
  }
}

/** Runs a query and returns its rows (JSONEachRow: 64-bit integers arrive as strings). */
export function rows<T>(a: Analytics, query: Sql): Promise<T[]> {
  return reading(async () => {
    const result = await a.clickhouse.query({ query: query.text, format: 'JSONEachRow' });
    return await result.json<T>();
  });
}

/**
 * Runs a query `… GROUP BY … WITH TOTALS` and returns its rows and its totals row, computed in the
 * same pass over the same data (JSON format; 64-bit integers may arrive as strings or numbers).
 */
export function rowsWithTotals<T>(
  a: Analytics,
  query: Sql,
): Promise<{ rows: T[]; totals: T | undefined }> {
  return reading(async () => {
    const result = await a.clickhouse.query({ query: query.text, format: 'JSON' });
    const answer = await result.json<T>();
    return { rows: answer.data, totals: answer.totals };
  });
}

/** Compares strings as ClickHouse orders them: by their UTF-8 bytes. */
export const byteOrder = (x: string, y: string): number =>
  Buffer.compare(Buffer.from(x), Buffer.from(y));

/** `column` (a Date) within whole days, both inclusive. */
export function inDays(column: Sql, range: DayRange): Sql {
  return sql`${column} >= ${ch.date(range.first)} AND ${column} <= ${ch.date(range.last)}`;
}

/** `column` (a Date) within any of the day ranges, each inclusive. */
export function inAnyDays(column: Sql, ranges: readonly DayRange[]): Sql {
  if (ranges.length === 0) return sql`0`;
  return joinSql(
    ranges.map((r) => sql`(${inDays(column, r)})`),
    sql` OR `,
  );
}

/** `column` (a Date) within days open on either side; `1` when open on both. */
export function inOpenDays(column: Sql, range: OpenDayRange): Sql {
  const parts: Sql[] = [];
  if (range.first !== null) parts.push(sql`${column} >= ${ch.date(range.first)}`);
  if (range.last !== null) parts.push(sql`${column} <= ${ch.date(range.last)}`);
  return parts.length > 0 ? joinSql(parts, sql` AND `) : sql`1`;
}

/** `column` (a DateTime) within any of the instant ranges (start inclusive, end exclusive). */
export function inInstants(column: Sql, ranges: readonly InstantRange[]): Sql {
  if (ranges.length === 0) return sql`0`;
  return joinSql(
    ranges.map(
      (r) =>
        sql`(${column} >= ${ch.dateTime(new Date(r.start * 1000))} AND ${column} < ${ch.dateTime(new Date(r.end * 1000))})`,
    ),
    sql` OR `,
  );
}
