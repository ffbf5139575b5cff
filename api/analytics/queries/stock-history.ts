import { ch, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toCount } from '../money.js';
import type { Granularity, InstantRange } from '../params.js';
import { inInstants, rows, type Analytics } from './run.js';

export interface StockHistoryRow {
  /** Epoch seconds of the period's start (UTC). */
  readonly period: number;
  readonly balance: number;
  readonly inbound: number;
  readonly outbound: number;
}

const PERIOD: Record<Granularity, Sql> = {
  hour: sql`toStartOfHour(occurred_at)`,
  day: sql`toDate(occurred_at)`,
  week: sql`toMonday(occurred_at)`,
  month: sql`toStartOfMonth(occurred_at)`,
};

/**
 * One stock level's history from raw `stock_changes` (its key starts with warehouse and product):
 * per period with changes, the balance after the period's last change (highest ledger id), units
 * in and out. Periods without changes are absent.
 */
export async function stockHistory(
  a: Analytics,
  key: { warehouseId: string; productId: string },
  range: InstantRange,
  granularity: Granularity,
): Promise<StockHistoryRow[]> {
  const result = await rows<{
    period_start: number | string;
    last_balance: string;
    units_in: string;
    units_out: string;
  }>(
    a,
    sql`SELECT toUInt32(toDateTime(${PERIOD[granularity]}, 'UTC')) AS period_start,
             argMax(balance, ledger_id) AS last_balance,
             sumIf(delta, reason = 'arrival') AS units_in,
             sumIf(-delta, reason = 'departure') AS units_out
      FROM ${a.db}.stock_changes
      WHERE warehouse_id = ${ch.string(key.warehouseId)} AND product_id = ${ch.string(key.productId)}
        AND ${inInstants(sql`occurred_at`, [range])}
      GROUP BY period_start ORDER BY period_start`,
  );
  return result.map((r) => ({
    period: toCount(r.period_start),
    balance: toCount(r.last_balance),
    inbound: toCount(r.units_in),
    outbound: toCount(r.units_out),
  }));
}

/** Whether this stock level ever changed (any row for the key, at any time). */
export async function stockExists(
  a: Analytics,
  key: { warehouseId: string; productId: string },
): Promise<boolean> {
  const found = await rows<{ one: number }>(
    a,
    sql`SELECT 1 AS one FROM ${a.db}.stock_changes
      WHERE warehouse_id = ${ch.string(key.warehouseId)} AND product_id = ${ch.string(key.productId)}
      LIMIT 1`,
  );
  return found.length > 0;
}
