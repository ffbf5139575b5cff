import { ch, sql } from '../../../lib/clickhouse-sql.js';
import { toBigInt, toCount } from '../money.js';
import type { TwoWeeks } from '../params.js';
import { rows, type Analytics } from './run.js';

export interface RepeatBuyers {
  readonly buyers: number;
  readonly week1_cents: bigint;
  readonly week2_cents: bigint;
}

/**
 * Buyers with at least two distinct orders over both weeks (14 whole days), and their revenue in
 * each week, in one pass over the per-buyer daily states.
 */
export async function repeatBuyers(a: Analytics, weeks: TwoWeeks): Promise<RepeatBuyers> {
  const [row] = await rows<{ buyers: string; week_1: string; week_2: string }>(
    a,
    sql`SELECT count() AS buyers, sum(r1) AS week_1, sum(r2) AS week_2 FROM (
        SELECT buyer_id, uniqExactMerge(orders) AS order_count,
               sumMergeIf(revenue_cents, day <= ${ch.date(weeks.week1.last)}) AS r1,
               sumMergeIf(revenue_cents, day >= ${ch.date(weeks.week2.first)}) AS r2
        FROM ${a.db}.buyer_daily
        WHERE day >= ${ch.date(weeks.week1.first)} AND day <= ${ch.date(weeks.week2.last)}
        GROUP BY buyer_id HAVING order_count >= 2)`,
  );
  return {
    buyers: row ? toCount(row.buyers) : 0,
    week1_cents: row ? toBigInt(row.week_1) : 0n,
    week2_cents: row ? toBigInt(row.week_2) : 0n,
  };
}
