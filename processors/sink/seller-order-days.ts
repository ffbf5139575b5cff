import { orderDays } from '../../domain/order-days.js';
import { selectWithExternalTable } from './external-table.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import {
  firstOffsets,
  inRanges,
  progressInsertSql,
  uncoveredRanges,
  type TouchRange,
} from '../../lib/clickhouse/sales-touches.js';
import { positions, withAdvisoryLock, writeSignedDelta, type RefresherDeps } from './refresher.js';
import { TsvBuffer, tsvDay, tsvValue } from './tsv.js';

// Keeps `seller_order_days` (sql/clickhouse/0008) current, and through its views the per-day,
// month and year sums top_suppliers reads: the days of each (seller, order) with lines the sink
// committed since the last run are merged with the days already stored, and only the rows that
// changed are written (a cancel and the new version, in one insert per round). A day already
// stored stays as it is, so a round redone after a crash writes nothing. Rounds cover a bounded
// number of offsets per partition, each recording its progress.

export interface SellerDaysDeps extends RefresherDeps {
  /** Offsets per topic partition merged per round (bounds the pairs held in memory). */
  readonly offsetsPerRound?: number;
}

export interface SellerDaysResult {
  /** Whether this process held the lock (another refresher may have run instead). */
  readonly ran: boolean;
  /** (seller, order) pairs with new lines. */
  readonly orders: number;
  /** Rows written: cancels and new versions. */
  readonly rowsWritten: number;
}

/** The Postgres advisory lock a refresh holds (a transaction-scoped one). */
export const SELLER_DAYS_LOCK_KEY = 0x5e_11_0d_a7;

/** Merges the days of the pairs with lines in `ranges` into the table; returns pairs and rows. */
async function mergeRound(
  deps: RefresherDeps,
  ranges: readonly TouchRange[],
): Promise<{ orders: number; rows: number }> {
  const db = ch.identifier(deps.database);
  const touched = await (
    await deps.clickhouse.query({
      query: sql`SELECT order_id, seller_id, groupUniqArray(toInt32(day)) AS days
        FROM ${db}.sales_line_touches WHERE ${inRanges(ranges)} GROUP BY order_id, seller_id`.text,
      format: 'JSONEachRow',
    })
  ).json<{ order_id: string; seller_id: string; days: number[] }>();
  if (touched.length === 0) return { orders: 0, rows: 0 };
  const pairs = new TsvBuffer(touched.length * 24);
  for (const t of touched) pairs.text(`${tsvValue(t.order_id)}\t${tsvValue(t.seller_id)}\n`);
  // 18.16 reads the whole key columns for an IN over a subquery, but only those two.
  const stored = await selectWithExternalTable<{
    order_id: string;
    seller_id: string;
    d: number;
    prev_day: number;
    n: string;
  }>(
    deps.clickhouseUrl,
    sql`SELECT order_id, seller_id, toInt32(day) AS d, prev_day, toString(sum(sign)) AS n
      FROM ${db}.seller_order_days
      PREWHERE order_id IN (SELECT order_id FROM pairs)
      WHERE (order_id, seller_id) IN (SELECT order_id, seller_id FROM pairs)
      GROUP BY order_id, seller_id, d, prev_day HAVING sum(sign) != 0`,
    { name: 'pairs', structure: 'order_id String, seller_id String', data: pairs.body() },
    120_000,
  );
  const line = (order: string, seller: string, day: number, prev: number) =>
    `${tsvValue(order)}\t${tsvValue(seller)}\t${tsvDay(day)}\t${prev}`;
  const pairKey = (order: string, seller: string) => `${order}\u0000${seller}`;
  // Desired count of each row (1) minus the stored count: the rows to write, signed.
  const delta = new Map<string, number>();
  const storedDays = new Map<string, number[]>();
  for (const r of stored) {
    const k = line(r.order_id, r.seller_id, r.d, r.prev_day);
    delta.set(k, (delta.get(k) ?? 0) - Number(r.n));
    if (Number(r.n) > 0) {
      const key = pairKey(r.order_id, r.seller_id);
      const days = storedDays.get(key);
      if (days) days.push(r.d);
      else storedDays.set(key, [r.d]);
    }
  }
  for (const t of touched) {
    const known = storedDays.get(pairKey(t.order_id, t.seller_id)) ?? [];
    for (const row of orderDays([...known, ...t.days])) {
      const k = line(t.order_id, t.seller_id, row.day, row.prevDay);
      delta.set(k, (delta.get(k) ?? 0) + 1);
    }
  }
  const rows = await writeSignedDelta(
    deps,
    'seller_order_days',
    ['order_id', 'seller_id', 'day', 'prev_day', 'sign'],
    delta,
  );
  return { orders: touched.length, rows };
}

/** One refresh: every committed line `seller_order_days` does not cover yet, in rounds. */
export async function refreshSellerOrderDays(
  deps: SellerDaysDeps,
  /** Checked between rounds: the rounds done keep their progress, the next refresh goes on. */
  stopping: () => boolean = () => false,
): Promise<SellerDaysResult> {
  const db = ch.identifier(deps.database);
  const result = await withAdvisoryLock(deps.pool, SELLER_DAYS_LOCK_KEY, async () => {
    const p = await positions(deps, [
      'sales_touch_positions',
      'sink_commits',
      'seller_days_progress',
    ]);
    // Only lines the sink has committed: every range ends at a commit, so its `upTo` is set.
    let ranges = uncoveredRanges(p.sales_touch_positions, p.seller_days_progress, p.sink_commits);
    let orders = 0;
    let rowsWritten = 0;
    while (ranges.length > 0 && !stopping()) {
      const round = firstOffsets(ranges, BigInt(deps.offsetsPerRound ?? 200_000));
      const r = await mergeRound(deps, round);
      orders += r.orders;
      rowsWritten += r.rows;
      await deps.clickhouse.command({
        query: progressInsertSql(db, 'seller_days_progress', round).text,
      });
      ranges = ranges.flatMap((range, i) => {
        const done = round[i]?.upTo ?? null;
        return done !== null && range.upTo !== null && done < range.upTo
          ? [{ ...range, after: done }]
          : [];
      });
    }
    return { ran: true, orders, rowsWritten };
  });
  return result ?? { ran: false, orders: 0, rowsWritten: 0 };
}
