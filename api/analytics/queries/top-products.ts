import { ch, joinSql, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toCount } from '../money.js';
import type { SplitRange } from '../params.js';
import { coverSums, type Level } from '../sum-cover.js';
import { byteOrder, inAnyDays, inInstants, rows, type Analytics } from './run.js';

// The product views are keyed by a UInt64 (sql/clickhouse/0009): 18.16 groups one about three
// times as fast as a String. An id that is a canonical decimal below 2^63 is its own key; any
// other is hashed, with the top bit set, and `product_keys` maps those back to ids.

/** The key of `product_id`, exactly as the migration's views compute it. */
export const PRODUCT_KEY = sql`if(toString(toUInt64OrZero(product_id)) = product_id AND toUInt64OrZero(product_id) < 9223372036854775808,
  toUInt64OrZero(product_id), bitOr(cityHash64(product_id), 9223372036854775808))`;
const HASHED = 2n ** 63n;

const VIEWS: readonly (readonly [Level, Sql, Sql])[] = [
  ['year', sql`sales_by_product_key_yearly`, sql`year`],
  ['month', sql`sales_by_product_key_monthly`, sql`month`],
  ['week', sql`sales_by_product_key_weekly`, sql`week`],
  ['day', sql`sales_by_product_key_daily`, sql`day`],
];

export interface ProductQuantity {
  readonly product_id: string;
  readonly total_quantity: number;
}

/** Units per product key in the range, as UNION ALL parts (none for an empty range). */
function parts(a: Analytics, range: SplitRange): Sql[] {
  const out: Sql[] = [];
  // The parts' rows go into one aggregation: grouping each part and then their union took
  // almost twice as long on 18.16. Each view and sign is one part, its ranges joined by OR
  // (18.16 still reads only their marks).
  if (range.days) {
    const cover = coverSums(range.days, { weeks: true });
    for (const [sign, side] of [
      [sql``, cover.plus],
      [sql`-`, cover.minus],
    ] as const) {
      for (const [level, table, column] of VIEWS) {
        const ranges = side[level];
        if (ranges.length === 0) continue;
        out.push(sql`SELECT product_key, ${sign}toInt64(quantity) AS units FROM ${a.db}.${table}
          WHERE ${inAnyDays(column, ranges)}`);
      }
    }
  }
  if (range.edges.length > 0) {
    out.push(sql`SELECT ${PRODUCT_KEY} AS product_key, toInt64(quantity) AS units
      FROM ${a.db}.sales WHERE ${inInstants(sql`paid_at`, range.edges)}`);
  }
  return out;
}

/** The ids stored under each key (one, unless two ids share a hash). */
async function idsOf(a: Analytics, keys: readonly string[]): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  const hashed = keys.filter((k) => BigInt(k) >= HASHED);
  for (const k of keys) if (BigInt(k) < HASHED) ids.set(k, [k]);
  if (hashed.length === 0) return ids;
  const found = await rows<{ key: string; ids: string[] }>(
    a,
    sql`SELECT toString(product_key) AS key, groupUniqArray(product_id) AS ids
      FROM ${a.db}.product_keys
      WHERE product_key IN (${joinSql(
        hashed.map((k) => ch.uint(BigInt(k))),
        sql`, `,
      )}) GROUP BY product_key`,
  );
  for (const r of found) ids.set(r.key, r.ids);
  return ids;
}

/** The same question over the raw lines: only for a key two hashed ids share. */
async function fromRaw(a: Analytics, range: SplitRange, limit: number) {
  const conditions: Sql[] = [];
  if (range.days) {
    conditions.push(
      sql`(toDate(paid_at) >= ${ch.date(range.days.first)} AND toDate(paid_at) <= ${ch.date(range.days.last)})`,
    );
  }
  if (range.edges.length > 0) conditions.push(sql`(${inInstants(sql`paid_at`, range.edges)})`);
  const result = await rows<{ product_id: string; total: string }>(
    a,
    sql`SELECT product_id, sum(toInt64(quantity)) AS total FROM ${a.db}.sales
      WHERE ${joinSql(conditions, sql` OR `)} GROUP BY product_id HAVING total > 0
      ORDER BY total DESC, product_id ASC LIMIT ${ch.uint(limit)}`,
  );
  return result.map((r) => ({ product_id: r.product_id, total_quantity: toCount(r.total) }));
}

/**
 * The `limit` products with the most units sold in the range (ties by product id): years, months
 * and days from the product views (a year or month mostly inside the range whole, less its days
 * or months outside it; see sum-cover.ts), partial edge days from raw `sales`, added up per key
 * in one query. Ties are broken by id, which the keys do not order, so every key whose total
 * reaches the last place is fetched; if one of them holds two ids the views cannot tell their
 * units apart, and the raw lines answer.
 */
export async function topProducts(
  a: Analytics,
  range: SplitRange,
  limit: number,
): Promise<ProductQuantity[]> {
  const union = parts(a, range);
  if (union.length === 0) return [];
  // Short ranges tie many products at the last place (on the benchmark data an hour's tenth best
  // sold 5 units, as did 62 more): a few hundred keys beyond it settle nearly all in one query.
  for (let fetch = limit + 256; ; fetch *= 4) {
    const top = await rows<{ key: string; total: string }>(
      a,
      sql`SELECT toString(product_key) AS key, sum(units) AS total
        FROM (${joinSql(union, sql` UNION ALL `)})
        GROUP BY product_key HAVING total > 0
        ORDER BY total DESC, product_key ASC LIMIT ${ch.uint(fetch)}`,
    );
    const last = top[Math.min(limit, top.length) - 1]?.total;
    if (last === undefined) return [];
    // The fetch ended inside the tie for the last place: more keys may share it.
    if (top.length === fetch && top[fetch - 1]?.total === last) continue;
    const reaching = top.filter((t) => BigInt(t.total) >= BigInt(last));
    const ids = await idsOf(
      a,
      reaching.map((t) => t.key),
    );
    const products: ProductQuantity[] = [];
    for (const t of reaching) {
      const [id, ...others] = ids.get(t.key) ?? [];
      // Two ids under one key, or a key whose id is not visible yet (an insert in flight).
      if (id === undefined || others.length > 0) return fromRaw(a, range, limit);
      products.push({ product_id: id, total_quantity: toCount(t.total) });
    }
    return products
      .sort((x, y) => y.total_quantity - x.total_quantity || byteOrder(x.product_id, y.product_id))
      .slice(0, limit);
  }
}
