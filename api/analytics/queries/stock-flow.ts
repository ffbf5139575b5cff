import { ch, joinSql, sql, type Sql } from '../../../lib/clickhouse/sql.js';
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

const DAY_MS = 86_400_000;

/** The last day of the `count`-th period from `first` (the first one may be cut by `first`). */
export function periodsEnd(first: string, granularity: FlowGranularity, count: number): string {
  const t = Date.parse(`${first}T00:00:00Z`);
  const d = new Date(t);
  let end: number;
  if (granularity === 'day') end = t + (count - 1) * DAY_MS;
  else if (granularity === 'week')
    end = t + ((7 - d.getUTCDay()) % 7) * DAY_MS + (count - 1) * 7 * DAY_MS;
  else end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + count, 1) - DAY_MS;
  return new Date(end).toISOString().slice(0, 10);
}

/**
 * Units in (arrivals) and out (departures) per period, warehouse and product, from the daily view;
 * stock counts are not flow, and rows with neither are left out. Sorted by period, warehouse,
 * product. A week is Monday to Sunday, so the first and last weeks may be cut by the range.
 *
 * Sorting a year of (day, warehouse, product) groups to return the first thousand took hundreds of
 * milliseconds, and the order starts with the period: only the earliest periods can be in the
 * answer, and every row of the first k whole periods comes before any later row. So the answer is
 * computed over the first period, and then over as many leading periods as the rows found so far
 * suggest will fill `limit` (a primary-key range on the day each time), until it is full or covers
 * the range.
 */
export async function stockFlow(
  a: Analytics,
  days: DayRange,
  granularity: FlowGranularity,
  filter: { warehouseId: string | null; productId: string | null },
  limit: number,
): Promise<StockFlowRow[]> {
  const conditions: Sql[] = [];
  if (filter.warehouseId !== null)
    conditions.push(sql`warehouse_id = ${ch.string(filter.warehouseId)}`);
  if (filter.productId !== null) conditions.push(sql`product_id = ${ch.string(filter.productId)}`);
  const period = PERIOD[granularity];
  for (let periods = 1; ;) {
    const end = periodsEnd(days.first, granularity, periods);
    const everything = end >= days.last;
    const window = joinSql(
      [inDays(sql`day`, { first: days.first, last: everything ? days.last : end }), ...conditions],
      sql` AND `,
    );
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
    // As many periods as the density so far needs, with room to spare (a first period without
    // rows asks for the whole range, as a count over it would have cost); at least twice as many.
    periods = Math.max(
      periods * 2,
      Math.ceil((periods * limit * 1.5) / Math.max(result.length, 1)),
    );
  }
}
