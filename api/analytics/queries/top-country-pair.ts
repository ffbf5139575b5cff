import { sql } from '../../../lib/clickhouse/sql.js';
import { toBigInt } from '../money.js';
import type { DayRange } from '../params.js';
import { inDays, rows, type Analytics } from './run.js';

export interface CountryPair {
  readonly country_a: string;
  readonly country_b: string;
  readonly revenue_cents: bigint;
}

/**
 * The two different countries with the most revenue between them, sales either way (seller in a
 * and buyer in b, or the reverse), a < b; ties by the names. Undefined without a cross-border sale.
 * (18.16's least/greatest take no strings, hence `if`.)
 */
export async function topCountryPair(
  a: Analytics,
  days: DayRange,
): Promise<CountryPair | undefined> {
  const [row] = await rows<{ country_a: string; country_b: string; revenue: string }>(
    a,
    sql`SELECT if(seller_country < buyer_country, seller_country, buyer_country) AS country_a,
             if(seller_country < buyer_country, buyer_country, seller_country) AS country_b,
             sum(revenue_cents) AS revenue
      FROM ${a.db}.sales_by_countries_daily
      WHERE ${inDays(sql`day`, days)} AND seller_country != buyer_country
      GROUP BY country_a, country_b ORDER BY revenue DESC, country_a ASC, country_b ASC LIMIT 1`,
  );
  return (
    row && {
      country_a: row.country_a,
      country_b: row.country_b,
      revenue_cents: toBigInt(row.revenue),
    }
  );
}
