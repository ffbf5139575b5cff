import { ch, sql } from '../../../lib/clickhouse/sql.js';
import { toBigInt } from '../money.js';
import type { CountrySide, DayRange } from '../params.js';
import { inDays, rows, type Analytics } from './run.js';

export interface CountryTotals {
  readonly country: string;
  readonly revenue_cents: bigint;
  readonly items: bigint;
}

/** Revenue and units per seller (or buyer) country in the days, by revenue desc, then country. */
export async function countryTotals(
  a: Analytics,
  days: DayRange,
  side: CountrySide,
): Promise<CountryTotals[]> {
  const column = ch.identifier(side === 'seller' ? 'seller_country' : 'buyer_country');
  const result = await rows<{ country: string; revenue: string; units: string }>(
    a,
    sql`SELECT ${column} AS country, sum(revenue_cents) AS revenue, sum(quantity) AS units
      FROM ${a.db}.sales_by_countries_daily WHERE ${inDays(sql`day`, days)}
      GROUP BY country ORDER BY revenue DESC, country ASC`,
  );
  return result.map((r) => ({
    country: r.country,
    revenue_cents: toBigInt(r.revenue),
    items: toBigInt(r.units),
  }));
}
