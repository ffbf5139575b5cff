import { ch, joinSql, sql, type Sql } from '../../../lib/clickhouse-sql.js';
import { toCount } from '../money.js';
import type { DayRange } from '../params.js';
import { inDays, rows, type Analytics } from './run.js';

export type FlowGranularity = 'day' | 'week' | 'month';

export interface StockFlowRow {
  readonly period: string;
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly inbound: number;
  readonly outbound: number;
}

const PERIOD: Record<FlowGranularity, Sql> = {
  day: sql`toDate(day)`,
  week: sql`toMonday(day)`,
  month: sql`toStartOfMonth(day)`,
};

interface FlowRow {
  period: string;
  warehouse_id: string;
  product_id: string;
  units_in: string;
  units_out: string;
}

/**
 * Units in (arrivals) and out (departures) per period, warehouse and product, from the daily view;
 * stock counts are not flow, and rows with neither are left out. Sorted by period, warehouse,
 * product. A week is Monday to Sunday, so the first and last weeks may be cut by the range.
 *
 * Sorting a year of (day, warehouse, product) groups to return the first thousand took hundreds of
 * milliseconds, and the order starts with the period: only the earliest periods can be in the
 * answer. A first query counts, per period, the view rows with any flow (at least as many as the
 * answer rows of that period: unmerged parts count a group twice); the answer is then computed
 * over the fewest leading periods that can fill `limit`, and over more only in the rare case they
 * did not.
 */
export async function stockFlow(
  a: Analytics,
  days: DayRange,
  granularity: FlowGranularity,
  filter: { warehouseId: string | null; productId: string | null },
  limit: number,
): Promise<StockFlowRow[]> {
  const conditions: Sql[] = [inDays(sql`day`, days)];
  if (filter.warehouseId !== null)
    conditions.push(sql`warehouse_id = ${ch.string(filter.warehouseId)}`);
  if (filter.productId !== null) conditions.push(sql`product_id = ${ch.string(filter.productId)}`);
  const where = joinSql(conditions, sql` AND `);
  const period = PERIOD[granularity];
  const perPeriod = await rows<{ period: string; n: string }>(
    a,
    sql`SELECT ${period} AS period, countIf(inbound != 0 OR outbound != 0) AS n
      FROM ${a.db}.stock_flow_daily WHERE ${where} GROUP BY period ORDER BY period`,
  );
  for (let wanted = limit; ; wanted *= 4) {
    let upTo: string | undefined;
    let covered = 0;
    for (const p of perPeriod) {
      upTo = p.period;
      covered += Number(p.n);
      if (covered >= wanted) break;
    }
    const everything = upTo === undefined || upTo === perPeriod[perPeriod.length - 1]?.period;
    const window = everything ? where : sql`${where} AND ${period} <= ${ch.date(upTo ?? '')}`;
    const result = await rows<FlowRow>(
      a,
      sql`SELECT ${period} AS period, warehouse_id, product_id,
               sum(inbound) AS units_in, sum(outbound) AS units_out
        FROM ${a.db}.stock_flow_daily WHERE ${window}
        GROUP BY period, warehouse_id, product_id HAVING units_in != 0 OR units_out != 0
        ORDER BY period, warehouse_id, product_id LIMIT ${ch.uint(limit)}`,
    );
    if (result.length >= limit || everything) {
      return result.map((r) => ({
        period: r.period,
        warehouse_id: r.warehouse_id,
        product_id: r.product_id,
        inbound: toCount(r.units_in),
        outbound: toCount(r.units_out),
      }));
    }
  }
}
