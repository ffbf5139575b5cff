import { sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toBigInt, toCount } from '../money.js';
import type { DayRange } from '../params.js';
import { inDays, rowsWithTotals, type Analytics } from './run.js';

export type OrderGranularity = 'day' | 'week' | 'month';

/** Nearest-rank quantiles of the completed orders' processing times, milliseconds. */
export interface ProcessingQuantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface OrderFigures {
  /** Orders accepted: created in the period (and taken up by a worker). */
  readonly orders: number;
  /** Orders completed in the period. */
  readonly completed: number;
  /** Orders failed in the period. */
  readonly failed: number;
  /** The total amount of the orders completed in the period, in cents. */
  readonly revenue_cents: bigint;
  /** `null` when no order completed in the period. */
  readonly processing_ms: ProcessingQuantiles | null;
}

export interface OrderPeriod extends OrderFigures {
  /** First day of the period, `YYYY-MM-DD` (a Monday for weeks, the 1st for months). */
  readonly period: string;
}

export interface OrderAnalytics {
  readonly periods: readonly OrderPeriod[];
  readonly totals: OrderFigures;
}

const PERIOD: Record<OrderGranularity, Sql> = {
  day: sql`day`,
  week: sql`toMonday(day)`,
  month: sql`toStartOfMonth(day)`,
};

interface Row {
  period: string;
  accepted_orders: string | number;
  completed_orders: string | number;
  failed_orders: string | number;
  completed_cents: string | number;
  processing_ms: (string | number)[];
}

function figures(r: Row | undefined): OrderFigures {
  if (r === undefined) {
    return { orders: 0, completed: 0, failed: 0, revenue_cents: 0n, processing_ms: null };
  }
  const completed = toCount(r.completed_orders);
  const [p50, p95, p99] = r.processing_ms.map(toCount);
  return {
    orders: toCount(r.accepted_orders),
    completed,
    failed: toCount(r.failed_orders),
    revenue_cents: toBigInt(r.completed_cents),
    processing_ms:
      completed === 0 || p50 === undefined || p95 === undefined || p99 === undefined
        ? null
        : { p50, p95, p99 },
  };
}

/**
 * Orders per period from the daily view (sql/clickhouse/0010): accepted by the day they were
 * created, completed and failed by the day they finished, revenue of the completed ones, and exact
 * nearest-rank quantiles of their processing times (quantilesExactWeighted: the smallest time at
 * least ceil(q × n) of them took no longer than). Periods are days, weeks (Monday to Sunday) or
 * months, cut by the range at its ends; periods without a change are absent. The totals cover
 * the whole range and come from the same read (WITH TOTALS), so they always agree with the periods.
 */
export async function orderAnalytics(
  a: Analytics,
  days: DayRange,
  granularity: OrderGranularity,
): Promise<OrderAnalytics> {
  const result = await rowsWithTotals<Row>(
    a,
    sql`SELECT ${PERIOD[granularity]} AS period,
             sumMerge(accepted) AS accepted_orders,
             sumMerge(completed) AS completed_orders,
             sumMerge(failed) AS failed_orders,
             sumMerge(revenue_cents) AS completed_cents,
             quantilesExactWeightedMerge(0.5, 0.95, 0.99)(processing) AS processing_ms
      FROM ${a.db}.orders_daily WHERE ${inDays(sql`day`, days)}
      GROUP BY period WITH TOTALS
      ORDER BY period`,
  );
  return {
    periods: result.rows.map((r) => ({ period: r.period, ...figures(r) })),
    totals: figures(result.totals),
  };
}
