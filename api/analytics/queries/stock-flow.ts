import { ch, sql, type Sql } from '../../../lib/clickhouse-sql.js';
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

/**
 * Units in (arrivals) and out (departures) per period, warehouse and product, from the daily view;
 * stock counts are not flow, and rows with neither are left out. Sorted by period, warehouse,
 * product. A week is Monday to Sunday, so the first and last weeks may be cut by the range.
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
  const where = conditions.reduce((acc, c) => sql`${acc} AND ${c}`);
  const result = await rows<{
    period: string;
    warehouse_id: string;
    product_id: string;
    units_in: string;
    units_out: string;
  }>(
    a,
    sql`SELECT ${PERIOD[granularity]} AS period, warehouse_id, product_id,
             sum(inbound) AS units_in, sum(outbound) AS units_out
      FROM ${a.db}.stock_flow_daily WHERE ${where}
      GROUP BY period, warehouse_id, product_id HAVING units_in != 0 OR units_out != 0
      ORDER BY period, warehouse_id, product_id LIMIT ${ch.uint(limit)}`,
  );
  return result.map((r) => ({
    period: r.period,
    warehouse_id: r.warehouse_id,
    product_id: r.product_id,
    inbound: toCount(r.units_in),
    outbound: toCount(r.units_out),
  }));
}
