import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analytics, rows, type Analytics } from '../../api/analytics/queries/run.js';
import { topSuppliers } from '../../api/analytics/queries/top-suppliers.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import type { Pool } from '../../lib/postgres/pool.js';
import {
  refreshSellerOrderDays,
  SELLER_DAYS_LOCK_KEY,
  type SellerDaysDeps,
} from '../../processors/sink/seller-order-days.js';
import { createMigratedClickHouse, type createTestClickHouse } from '../../testkit/resources.js';

// top_suppliers from the sums of orders' first days in a range, which the sink's refresher keeps
// (sql/clickhouse/0008): equal to the distinct orders counted from the raw lines for ranges of
// days, months and years, across a new year, open on either side; from the order-id states
// while the refresher is behind; unchanged by a repeated, stopped or locked-out refresh.

const DAY = 86_400;
const DAY0 = Date.parse('2024-11-20T00:00:00Z') / 1000;
// Ids a TSV body or an external table could mangle.
const SELLERS = [
  ...Array.from({ length: 30 }, (_, i) => `S${i}`),
  'tab\there',
  'new\nline',
  'back\\slash',
  "quote'd",
  'Ünïcødé',
];
const RANGES: [string | null, string | null][] = [
  ['2024-12-01', '2024-12-01'],
  ['2024-12-03', '2024-12-09'],
  ['2024-12-01', '2024-12-31'],
  ['2024-12-15', '2025-01-14'],
  ['2024-12-20', '2025-02-10'],
  ['2024-01-01', '2025-12-31'],
  ['2025-01-01', '2025-12-31'],
  ['2024-11-21', '2025-01-30'],
  [null, '2024-12-24'],
  ['2025-01-05', null],
  [null, null],
  ['2026-01-01', null],
];

describe('top_suppliers from refreshed order days', () => {
  let stores: Awaited<ReturnType<typeof createMigratedClickHouse>>;
  let chDb: ReturnType<typeof createTestClickHouse>;
  let pool: Pool;
  let a: Analytics;
  let deps: SellerDaysDeps;
  let offset = 0;
  let seed = 11;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  /** One line as the sink stores it. */
  const line = (order: string, seller: string, paidAt: number) => {
    const partition = offset % 3;
    return {
      source_id: `t:${partition}:${offset}`,
      order_id: order,
      seller_id: seller,
      product_id: 'p',
      paid_at: paidAt,
      revenue_cents: 1 + Math.floor(rand() * 10_000),
      quantity: 1,
      _topic: 'sales.validated',
      _partition: partition,
      _offset: offset++,
    };
  };
  const insert = (lines: Record<string, unknown>[]) =>
    chDb.client.insert({ table: `${chDb.name}.sales`, values: lines, format: 'JSONEachRow' });
  /**
   * `orders` random orders of 1–4 lines over 80 days; a quarter has lines on later days (up to
   * 40 days on, across months and the new year), some have a line from a second seller.
   */
  const insertOrders = async (orders: number, prefix: string) => {
    const lines: Record<string, unknown>[] = [];
    for (let o = 0; o < orders; o++) {
      const seller = pick(SELLERS);
      const paid = DAY0 + Math.floor(rand() * 80 * DAY);
      const spread = rand() < 0.25;
      for (let l = 1 + Math.floor(rand() * 4); l > 0; l--) {
        const at = spread ? paid + Math.floor(rand() * 40) * DAY : paid;
        lines.push(line(`${prefix}${o}`, rand() < 0.05 ? pick(SELLERS) : seller, at));
      }
    }
    await insert(lines);
  };
  /** What the sink records once an insert is acknowledged (processors/sink/sink-handler.ts). */
  const commit = () =>
    chDb.client.command({
      query: `INSERT INTO ${chDb.name}.sink_commits SELECT topic, partition, max_offset FROM ${chDb.name}.sink_positions`,
    });

  const raw = async (first: string | null, last: string | null, limit: number) =>
    rows<{ seller_id: string; n: string; r: string }>(
      a,
      sql`SELECT seller_id, toString(uniqExact(order_id)) AS n, toString(sum(revenue_cents)) AS r
        FROM ${a.db}.sales
        WHERE toDate(paid_at) >= ${ch.date(first ?? '1970-01-01')} AND toDate(paid_at) <= ${ch.date(last ?? '2105-12-31')}
        GROUP BY seller_id ORDER BY uniqExact(order_id) DESC, seller_id ASC LIMIT ${ch.uint(limit)}`,
    );
  /** Every range's answer at two limits checked against the raw lines; where they came from. */
  const answers = async () => {
    const from = new Set<string>();
    for (const [first, last] of RANGES) {
      for (const limit of [3, 50]) {
        const ours = await topSuppliers(a, { first, last }, limit);
        from.add(ours.from);
        expect(
          ours.sellers.map((s) => ({
            seller_id: s.seller_id,
            n: String(s.order_count),
            r: String(s.revenue_cents),
          })),
          `${first}..${last} limit ${limit}`,
        ).toEqual(await raw(first, last, limit));
      }
    }
    return from;
  };

  beforeAll(async () => {
    stores = await createMigratedClickHouse();
    ({ chDb, pool } = stores);
    a = analytics(chDb.client, chDb.name);
    deps = { ...stores.refresher, offsetsPerRound: 97 /* many rounds */ };
    await insertOrders(700, 'A');
  });
  afterAll(async () => {
    await stores?.drop();
  });

  it('answers from the order-id states before the first refresh, and from the sums after', async () => {
    expect(await answers()).toEqual(new Set(['states']));
    // Nothing committed yet: the refresher only covers what the sink has acknowledged.
    expect(await refreshSellerOrderDays(deps)).toEqual({ ran: true, orders: 0, rowsWritten: 0 });
    await commit();
    const first = await refreshSellerOrderDays(deps);
    expect(first.ran).toBe(true);
    expect(first.orders).toBeGreaterThan(700); // an order with two sellers is two pairs
    expect(await answers()).toEqual(new Set(['firsts']));
  });

  it('merges new days before, between and after the stored ones', async () => {
    const spread = await rows<{ order_id: string; seller_id: string; lo: number; hi: number }>(
      a,
      sql`SELECT order_id, seller_id, toInt32(min(toDate(paid_at))) AS lo, toInt32(max(toDate(paid_at))) AS hi
        FROM ${a.db}.sales GROUP BY order_id, seller_id HAVING hi - lo >= 4 ORDER BY order_id LIMIT 30`,
    );
    expect(spread.length).toBe(30);
    const lines = spread.flatMap((o, i) => {
      const day = [o.lo - 3, o.lo + 2, o.hi + 9][i % 3]!;
      return [line(o.order_id, o.seller_id, day * DAY + 3_600)];
    });
    await insert(lines); // stored, not committed, not refreshed
    expect(await answers()).toEqual(new Set(['states']));
    await commit();
    expect(await answers()).toEqual(new Set(['states']));
    const second = await refreshSellerOrderDays(deps);
    expect(second.orders).toBe(30);
    expect(second.rowsWritten).toBeGreaterThan(30); // the next days' rows change too
    expect(await answers()).toEqual(new Set(['firsts']));
  });

  it('writes nothing when the lines are merged again, as after a crash before the progress', async () => {
    await chDb.client.command({
      query: `TRUNCATE TABLE ${chDb.name}.seller_days_progress`,
    });
    const again = await refreshSellerOrderDays(deps);
    expect(again.orders).toBeGreaterThan(700);
    expect(again.rowsWritten).toBe(0);
    const [bad] = await rows<{ n: string }>(
      a,
      sql`SELECT toString(count()) AS n FROM (
          SELECT sum(sign) AS s FROM ${a.db}.seller_order_days
          GROUP BY order_id, seller_id, day, prev_day HAVING s NOT IN (0, 1))`,
    );
    expect(bad?.n).toBe('0');
    expect(await answers()).toEqual(new Set(['firsts']));
  });

  it('keeps the rounds done when stopped, and the next refresh goes on', async () => {
    await insertOrders(300, 'S');
    await commit();
    let calls = 0;
    const stopped = await refreshSellerOrderDays(deps, () => ++calls > 2);
    expect(stopped.orders).toBeGreaterThan(0);
    expect(await answers()).toEqual(new Set(['states']));
    expect((await refreshSellerOrderDays(deps)).orders).toBeGreaterThan(0);
    expect(await answers()).toEqual(new Set(['firsts']));
  });

  it('lets one refresher run at a time', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [SELLER_DAYS_LOCK_KEY]);
      await insertOrders(20, 'C');
      await commit();
      expect((await refreshSellerOrderDays(deps)).ran).toBe(false);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    expect((await refreshSellerOrderDays(deps)).orders).toBeGreaterThan(0);
    expect(await answers()).toEqual(new Set(['firsts']));
  });
});
