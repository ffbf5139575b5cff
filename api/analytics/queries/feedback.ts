import { ch, sql } from '../../../lib/clickhouse/sql.js';
import { toBigInt, toCount } from '../money.js';
import type { OpenDayRange } from '../params.js';
import { inOpenDays, rows, type Analytics } from './run.js';

export interface CategoryFeedback {
  readonly category: string;
  readonly count: number;
  readonly revenue_cents: bigint;
}

/** The `limit` categories with the most sale lines in the days (ties by name), with revenue. */
export async function topCategories(
  a: Analytics,
  days: OpenDayRange,
  limit: number,
): Promise<CategoryFeedback[]> {
  const result = await rows<{ category: string; line_count: string; revenue: string }>(
    a,
    sql`SELECT category, sum(lines) AS line_count, sum(revenue_cents) AS revenue
      FROM ${a.db}.sales_by_category_daily WHERE ${inOpenDays(sql`day`, days)}
      GROUP BY category ORDER BY line_count DESC, category ASC LIMIT ${ch.uint(limit)}`,
  );
  return result.map((r) => ({
    category: r.category,
    count: toCount(r.line_count),
    revenue_cents: toBigInt(r.revenue),
  }));
}
