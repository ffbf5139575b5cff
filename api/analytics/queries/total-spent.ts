import { joinSql, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toBigInt } from '../money.js';
import type { SplitRange } from '../params.js';
import { inDays, inInstants, rows, type Analytics } from './run.js';

/**
 * Revenue in cents of the sale lines paid in the range: whole days from the per-category daily
 * view (every line has exactly one category, and that view is a few rows a day where the
 * per-product one is thousands), the
 * partial days at the edges from raw `sales` (its key starts with paid_at: a small range read),
 * added up in one query.
 */
export async function totalSpent(a: Analytics, range: SplitRange): Promise<bigint> {
  const parts: Sql[] = [];
  if (range.days) {
    parts.push(sql`SELECT sum(revenue_cents) AS part FROM ${a.db}.sales_by_category_daily
      WHERE ${inDays(sql`day`, range.days)}`);
  }
  if (range.edges.length > 0) {
    parts.push(sql`SELECT sum(revenue_cents) AS part FROM ${a.db}.sales
      WHERE ${inInstants(sql`paid_at`, range.edges)}`);
  }
  if (parts.length === 0) return 0n; // less than a second wide
  const [row] = await rows<{ total: string }>(
    a,
    sql`SELECT sum(part) AS total FROM (${joinSql(parts, sql` UNION ALL `)})`,
  );
  return row ? toBigInt(row.total) : 0n;
}
