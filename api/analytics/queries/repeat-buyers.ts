import { ch, joinSql, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toBigInt, toCount } from '../money.js';
import { dayNumber, type TwoWeeks } from '../params.js';
import {
  readPositions,
  touchedBuyersSql,
  uncoveredRanges,
} from '../../../lib/clickhouse/sales-touches.js';
import { inDays, rows, type Analytics } from './run.js';

export interface RepeatBuyers {
  readonly buyers: number;
  readonly week1_cents: bigint;
  readonly week2_cents: bigint;
  /**
   * Where the answer came from: the per-(buyer, day) flags (with the buyers whose newest lines
   * they do not cover yet grouped from `buyer_daily`), or `buyer_daily` alone.
   */
  readonly from: 'flags' | 'daily';
}

// More buyers than this with lines the flags do not cover (a backlog the refresher is still
// working through): grouping them all is as cheap as naming them.
const MAX_UNCOVERED = 2_000;

/** Per buyer over both weeks: orders and revenue of each week, from the daily states. */
const dailyGroups = (a: Analytics, weeks: TwoWeeks, only: Sql) =>
  sql`SELECT buyer_id, uniqExactMerge(orders) AS order_count,
        sumMergeIf(revenue_cents, day <= ${ch.date(weeks.week1.last)}) AS r1,
        sumMergeIf(revenue_cents, day >= ${ch.date(weeks.week2.first)}) AS r2
      FROM ${a.db}.buyer_daily ${only}
      WHERE ${inDays(sql`day`, { first: weeks.week1.first, last: weeks.week2.last })}
      GROUP BY buyer_id HAVING order_count >= 2`;

/**
 * The buyers with sale lines the flags do not cover yet (sql/clickhouse/0007), or null when the
 * flags cannot be used: never refreshed, or too far behind.
 */
async function uncoveredBuyers(a: Analytics): Promise<string[] | null> {
  const p = await readPositions((q) => rows(a, q), a.db, [
    'sales_touch_positions',
    'buyer_flags_progress',
  ]);
  if (p.buyer_flags_progress.size === 0) return null;
  const ranges = uncoveredRanges(p.sales_touch_positions, p.buyer_flags_progress);
  if (ranges.length === 0) return [];
  const buyers = await rows<{ buyer_id: string }>(
    a,
    touchedBuyersSql(a.db, ranges, MAX_UNCOVERED + 1),
  );
  return buyers.length > MAX_UNCOVERED ? null : buyers.map((b) => b.buyer_id);
}

/**
 * Buyers with at least two distinct orders over both weeks (14 whole days), and their revenue in
 * each week. From the flags when they are current enough (a filtered sum over the window's rows;
 * domain/repeat-buyer-flags.ts), the few buyers they do not cover yet grouped from the daily
 * states; otherwise every buyer of the window grouped from the daily states.
 */
export async function repeatBuyers(a: Analytics, weeks: TwoWeeks): Promise<RepeatBuyers> {
  const uncovered = await uncoveredBuyers(a);
  let query: Sql;
  if (uncovered === null) {
    query = sql`SELECT toInt64(count()) AS buyers, sum(r1) AS week_1, sum(r2) AS week_2
      FROM (${dailyGroups(a, weeks, sql``)})`;
  } else {
    const first = dayNumber(weeks.week1.first);
    const last = dayNumber(weeks.week2.last);
    const names = joinSql(
      uncovered.map((b) => ch.string(b)),
      sql`, `,
    );
    const parts: Sql[] = [
      sql`SELECT sum(sign * (prev_any < ${ch.int(first)})) AS b,
          sum(sign * if(day <= ${ch.date(weeks.week1.last)}, revenue_cents, 0)) AS r1,
          sum(sign * if(day >= ${ch.date(weeks.week2.first)}, revenue_cents, 0)) AS r2
        FROM ${a.db}.buyer_day_flags
        WHERE ${inDays(sql`day`, { first: weeks.week1.first, last: weeks.week2.last })}
          AND (multi = 1 OR prev_other >= ${ch.int(first)} OR next_other <= ${ch.int(last)})
          ${uncovered.length > 0 ? sql`AND buyer_id NOT IN (${names})` : sql``}`,
    ];
    if (uncovered.length > 0) {
      parts.push(sql`SELECT toInt64(count()) AS b, sum(r1) AS r1, sum(r2) AS r2
        FROM (${dailyGroups(a, weeks, sql`PREWHERE buyer_id IN (${names})`)})`);
    }
    query = sql`SELECT sum(b) AS buyers, sum(r1) AS week_1, sum(r2) AS week_2
      FROM (${joinSql(parts, sql` UNION ALL `)})`;
  }
  const [row] = await rows<{ buyers: string; week_1: string; week_2: string }>(a, query);
  return {
    buyers: row ? toCount(row.buyers) : 0,
    week1_cents: row ? toBigInt(row.week_1) : 0n,
    week2_cents: row ? toBigInt(row.week_2) : 0n,
    from: uncovered === null ? 'daily' : 'flags',
  };
}
