import { ch, joinSql, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { readPositions, uncoveredRanges } from '../../../lib/clickhouse/sales-touches.js';
import { toBigInt, toCount } from '../money.js';
import { dayNumber, splitMonths, type DayRange, type OpenDayRange } from '../params.js';
import { coverSums, type Level } from '../sum-cover.js';
import { byteOrder, inAnyDays, inDays, inOpenDays, rows, type Analytics } from './run.js';

export interface SupplierOrders {
  readonly seller_id: string;
  readonly order_count: number;
  readonly revenue_cents: bigint;
}

export interface TopSuppliers {
  readonly sellers: SupplierOrders[];
  /**
   * Where the counts came from: the sums of each order's first day in the range (when the
   * refresher has covered every stored line), or the order ids of the daily states.
   */
  readonly from: 'firsts' | 'states';
}

// Open ends become dates before and after anything stored, so they split into whole months.
const FAR_PAST = '1970-01-01';
const FAR_FUTURE = '2105-12-31';

interface Bound {
  readonly seller_id: string;
  readonly upper: string;
}

/**
 * At least as many as each seller's distinct orders in the days, for the `count` sellers with the
 * highest such bound (desc, then seller id): whole months from the per-insert-block counts of
 * sql/clickhouse/0003, other days from the exact daily states.
 */
async function highestBounds(a: Analytics, days: OpenDayRange, count: number): Promise<Bound[]> {
  const split = splitMonths({ first: days.first ?? FAR_PAST, last: days.last ?? FAR_FUTURE });
  const parts: Sql[] = [];
  if (split.months) {
    parts.push(sql`SELECT seller_id, sum(orders_upper) AS n FROM ${a.db}.seller_orders_monthly_upper
      WHERE ${inDays(sql`month`, split.months)} GROUP BY seller_id`);
  }
  for (const d of split.days) {
    parts.push(sql`SELECT seller_id, sum(finalizeAggregation(orders)) AS n
      FROM ${a.db}.seller_orders_daily WHERE ${inDays(sql`day`, d)} GROUP BY seller_id`);
  }
  return rows<Bound>(
    a,
    sql`SELECT seller_id, sum(n) AS upper FROM (${joinSql(parts, sql` UNION ALL `)})
      GROUP BY seller_id ORDER BY upper DESC, seller_id ASC LIMIT ${ch.uint(count)}`,
  );
}

// Up to a week, merging every seller's daily states costs about what the bounds alone do
// (a day: 6.6 ms against 6.3, a week: 16 against 8 + 9 for the exact round), so one query does it.
const DIRECT_DAYS = 7;

const dayCount = (d: DayRange): number =>
  (Date.parse(`${d.last}T00:00:00Z`) - Date.parse(`${d.first}T00:00:00Z`)) / 86_400_000 + 1;

const toSupplier = (r: { seller_id: string; order_count: string; revenue: string }) => ({
  seller_id: r.seller_id,
  order_count: toCount(r.order_count),
  revenue_cents: toBigInt(r.revenue),
});

/** Every seller's exact distinct orders in a few days, from the daily states, in one query. */
async function direct(a: Analytics, days: DayRange, limit: number): Promise<SupplierOrders[]> {
  const result = await rows<{ seller_id: string; order_count: string; revenue: string }>(
    a,
    sql`SELECT seller_id, uniqExactMerge(orders) AS order_count, sumMerge(revenue_cents) AS revenue
      FROM ${a.db}.seller_orders_daily WHERE ${inDays(sql`day`, days)}
      GROUP BY seller_id ORDER BY order_count DESC, seller_id ASC LIMIT ${ch.uint(limit)}`,
  );
  return result.map(toSupplier);
}

const FIRSTS: readonly (readonly [Level, Sql, Sql])[] = [
  ['year', sql`seller_order_firsts_yearly`, sql`year`],
  ['month', sql`seller_order_firsts_monthly`, sql`month`],
  ['day', sql`seller_order_firsts_daily`, sql`day`],
];

/** Whether `seller_order_days` (sql/clickhouse/0008) covers every stored sale line. */
async function firstsCurrent(a: Analytics): Promise<boolean> {
  const p = await readPositions((q) => rows(a, q), a.db, [
    'sales_touch_positions',
    'seller_days_progress',
  ]);
  return uncoveredRanges(p.sales_touch_positions, p.seller_days_progress).length === 0;
}

/**
 * Every seller's exact distinct orders in the days, in one query: the rows of orders' first days
 * in the range (domain/order-days.ts), added up from years, months and days like the product
 * views (sum-cover.ts); then the revenue of the `limit` best from their daily states.
 */
async function fromFirsts(a: Analytics, days: OpenDayRange, limit: number) {
  const range = { first: days.first ?? FAR_PAST, last: days.last ?? FAR_FUTURE };
  const before = ch.int(dayNumber(range.first));
  const cover = coverSums(range);
  const parts: Sql[] = [];
  for (const [sign, side] of [
    [sql``, cover.plus],
    [sql`-`, cover.minus],
  ] as const) {
    for (const [level, table, column] of FIRSTS) {
      const ranges = side[level];
      if (ranges.length === 0) continue;
      parts.push(sql`SELECT seller_id, ${sign}orders AS n FROM ${a.db}.${table}
        WHERE (${inAnyDays(column, ranges)}) AND prev_day < ${before}`);
    }
  }
  const top = sql`SELECT seller_id, sum(n) AS order_count FROM (${joinSql(parts, sql` UNION ALL `)})
    GROUP BY seller_id HAVING order_count > 0
    ORDER BY order_count DESC, seller_id ASC LIMIT ${ch.uint(limit)}`;
  // The revenue of only the best, joined in the same query: 18.16 runs `top` twice, which cost
  // less here than a second round trip (6 ms against 3 + 3 for a year).
  const result = await rows<{ seller_id: string; order_count: string; revenue: string }>(
    a,
    sql`SELECT seller_id, order_count, revenue FROM (${top}) ANY LEFT JOIN (
        SELECT seller_id, sumMerge(revenue_cents) AS revenue FROM ${a.db}.seller_day_orders
        PREWHERE seller_id IN (SELECT seller_id FROM (${top})) WHERE ${inOpenDays(sql`day`, days)}
        GROUP BY seller_id
      ) USING seller_id ORDER BY order_count DESC, seller_id ASC`,
  );
  return result.map(toSupplier);
}

/**
 * Sellers by distinct orders in the days (desc, then seller id), with their revenue; exact.
 * From the first-day sums while the refresher is current; otherwise from the daily order-id
 * states (`fromStates`).
 */
export async function topSuppliers(
  a: Analytics,
  days: OpenDayRange,
  limit: number,
): Promise<TopSuppliers> {
  if (await firstsCurrent(a)) return { sellers: await fromFirsts(a, days, limit), from: 'firsts' };
  return { sellers: await fromStates(a, days, limit), from: 'states' };
}

/**
 * Counting every seller's distinct orders from the states means merging every order id in the
 * range, so only the sellers with the highest upper bounds are counted exactly (from states
 * sorted by seller, a small read), and more of them only while some other seller's bound could
 * still reach the last place (a bound that ties it loses if its seller id sorts after). Up to a
 * week, every seller is counted at once.
 */
async function fromStates(
  a: Analytics,
  days: OpenDayRange,
  limit: number,
): Promise<SupplierOrders[]> {
  const { first, last } = days;
  if (first !== null && last !== null && dayCount({ first, last }) <= DIRECT_DAYS) {
    return direct(a, { first, last }, limit);
  }
  // The bounds are nearly exact when an order's lines arrive together: one candidate more than
  // places usually settles it in one round, and each candidate costs its orders to merge.
  for (let candidates = limit + 1; ; candidates *= 4) {
    const bounds = await highestBounds(a, days, candidates + 1);
    const counted = bounds.slice(0, candidates);
    if (counted.length === 0) return [];
    const exact = await rows<{ seller_id: string; order_count: string; revenue: string }>(
      a,
      sql`SELECT seller_id, uniqExactMerge(orders) AS order_count, sumMerge(revenue_cents) AS revenue
        FROM ${a.db}.seller_day_orders
        PREWHERE seller_id IN (${joinSql(
          counted.map((b) => ch.string(b.seller_id)),
          sql`, `,
        )}) WHERE ${inOpenDays(sql`day`, days)}
        GROUP BY seller_id ORDER BY order_count DESC, seller_id ASC LIMIT ${ch.uint(limit)}`,
    );
    const next = bounds[candidates];
    const last = exact[exact.length - 1];
    const settled =
      next === undefined ||
      (exact.length === limit &&
        last !== undefined &&
        (Number(next.upper) < Number(last.order_count) ||
          (Number(next.upper) === Number(last.order_count) &&
            byteOrder(next.seller_id, last.seller_id) > 0)));
    if (settled) return exact.map(toSupplier);
  }
}
