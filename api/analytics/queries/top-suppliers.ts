import { ch, sql } from '../../../lib/clickhouse-sql.js';
import { toBigInt, toCount } from '../money.js';
import type { OpenDayRange } from '../params.js';
import { inOpenDays, rows, type Analytics } from './run.js';

export interface SupplierOrders {
  readonly seller_id: string;
  readonly order_count: number;
  readonly revenue_cents: bigint;
}

/** Sellers by distinct orders in the days (desc, then seller id), with their revenue. */
export async function topSuppliers(
  a: Analytics,
  days: OpenDayRange,
  limit: number,
): Promise<SupplierOrders[]> {
  const result = await rows<{ seller_id: string; order_count: string; revenue: string }>(
    a,
    sql`SELECT seller_id, uniqExactMerge(orders) AS order_count, sumMerge(revenue_cents) AS revenue
      FROM ${a.db}.seller_orders_daily WHERE ${inOpenDays(sql`day`, days)}
      GROUP BY seller_id ORDER BY order_count DESC, seller_id ASC LIMIT ${ch.uint(limit)}`,
  );
  return result.map((r) => ({
    seller_id: r.seller_id,
    order_count: toCount(r.order_count),
    revenue_cents: toBigInt(r.revenue),
  }));
}
