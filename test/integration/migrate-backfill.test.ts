import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_KEY } from '../../api/analytics/queries/top-products.js';
import { orderDays } from '../../domain/order-days.js';
import { migrate, splitStatements, SQL_DIR } from '../../lib/migrate.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { createTestClickHouse, createTestDatabase, testLogger } from '../../testkit/resources.js';

// A view added by a later migration must also cover the rows stored before it:
// sql/clickhouse/0002 fills its monthly table from `sales`, once; 0006 its
// yearly one from the monthly; 0005 the sink commits from the positions;
// 0008 the seller order days and their sums, 0009 the product-key views,
// from `sales`.

const MONTHLY = '0002_product_months.sql';

describe('ClickHouse migration 0002 on a database that already holds sales', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let pool: Pool;
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-backfill-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    pool = createPool(db.url, 3, testLogger);
    for (const side of ['postgres', 'clickhouse']) mkdirSync(path.join(dir, side));
    copyFileSync(
      path.join(SQL_DIR, 'postgres', '0001_movements_and_stock.sql'),
      path.join(dir, 'postgres', '0001_movements_and_stock.sql'),
    );
    copyFileSync(
      path.join(SQL_DIR, 'clickhouse', '0001_analytics.sql'),
      path.join(dir, 'clickhouse', '0001_analytics.sql'),
    );
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
    await ch.drop();
  });

  const run = () =>
    migrate({ pool, clickhouse: ch.client, clickhouseDatabase: ch.name, logger: testLogger, dir });
  const insertSales = (lines: [string, string, number][]) =>
    ch.client.command({
      query: `INSERT INTO ${ch.name}.sales (source_id, product_id, paid_at, quantity, revenue_cents) VALUES ${lines
        .map(
          ([id, product, day], i) =>
            `('${id}', '${product}', toDateTime('2025-0${day}-1${i % 9} 10:00:00', 'UTC'), ${i + 1}, 100)`,
        )
        .join(', ')}`,
    });
  /** Units per period and product, from a view or from the raw lines. */
  const perPeriod = async (period: string, table: string, quantity: string) => {
    const r = await ch.client.query({
      query: `SELECT toString(${period}) AS m, product_id AS p, toString(sum(${quantity})) AS q
              FROM ${ch.name}.${table} GROUP BY m, p ORDER BY m, p`,
      format: 'JSONEachRow',
    });
    return r.json();
  };
  const monthly = () => perPeriod('month', 'sales_by_product_monthly', 'quantity');
  const fromRaw = () => perPeriod('toStartOfMonth(paid_at)', 'sales', 'toUInt64(quantity)');

  it('fills the monthly view from earlier rows once, then keeps it current', async () => {
    await run();
    await insertSales([
      ['s1', 'a', 1],
      ['s2', 'a', 2],
      ['s3', 'b', 2],
    ]);
    copyFileSync(path.join(SQL_DIR, 'clickhouse', MONTHLY), path.join(dir, 'clickhouse', MONTHLY));
    expect((await run()).clickhouse).toEqual([MONTHLY]);
    expect(await monthly()).toEqual(await fromRaw());
    expect((await monthly()).length).toBe(3);

    // A re-run of the fill (as after a crash before the migration was recorded) adds nothing.
    const sql = readFileSync(path.join(SQL_DIR, 'clickhouse', MONTHLY), 'utf8');
    const fill = splitStatements(sql.replaceAll('{db}', ch.name)).find((s) =>
      s.startsWith('INSERT'),
    );
    expect(fill).toBeDefined();
    await ch.client.command({ query: fill! });
    expect(await monthly()).toEqual(await fromRaw());

    await insertSales([
      ['s4', 'a', 2],
      ['s5', 'c', 3],
    ]);
    expect(await monthly()).toEqual(await fromRaw());
  });

  it('fills the yearly view and the sink commits from what is stored, then keeps them current', async () => {
    const yearly = () => perPeriod('year', 'sales_by_product_yearly', 'quantity');
    const yearlyFromRaw = () => perPeriod('toStartOfYear(paid_at)', 'sales', 'toUInt64(quantity)');
    const positions = async (table: string) => {
      const r = await ch.client.query({
        query: `SELECT topic, partition, toString(maxMerge(max_offset)) AS o
                FROM ${ch.name}.${table} GROUP BY topic, partition ORDER BY topic, partition`,
        format: 'JSONEachRow',
      });
      return r.json();
    };
    await ch.client.command({
      query: `INSERT INTO ${ch.name}.sales (source_id, product_id, paid_at, quantity, _topic, _partition, _offset)
              VALUES ('s6', 'a', toDateTime('2024-12-31 23:59:59', 'UTC'), 7, 't', 0, 41), ('s7', 'b', toDateTime('2025-06-01 00:00:00', 'UTC'), 2, 't', 1, 9)`,
    });
    const later = ['0003_seller_order_bounds.sql', '0004_seller_states_small_granules.sql', '0005_sink_commits.sql', '0006_product_years.sql']; // prettier-ignore
    for (const f of later) {
      copyFileSync(path.join(SQL_DIR, 'clickhouse', f), path.join(dir, 'clickhouse', f));
    }
    expect((await run()).clickhouse).toEqual(later);
    expect(await yearly()).toEqual(await yearlyFromRaw());
    expect((await yearly()).length).toBe(4); // a and b in 2024 and 2025 (s6 is 2024's last second)
    expect(await positions('sink_commits')).toEqual(await positions('sink_positions'));
    expect((await positions('sink_commits')).length).toBeGreaterThan(0);

    await insertSales([['s8', 'c', 4]]);
    expect(await yearly()).toEqual(await yearlyFromRaw());
  });

  it('fills the line touches, the seller order days and their progress from what is stored', async () => {
    const query = async <T>(q: string) =>
      (await ch.client.query({ query: q, format: 'JSONEachRow' })).json<T>();
    // Orders with lines on several days, across a month and a year; one with two sellers.
    const lines: [string, string, string, number, number][] = [
      ['o1', 'x', '2024-12-30', 0, 50],
      ['o1', 'x', '2025-01-02', 1, 51],
      ['o1', 'x', '2024-12-30', 2, 52],
      ['o1', 'y', '2025-02-01', 0, 53],
      ['o2', 'x', '2025-01-02', 1, 54],
      ['o3', "it's", '2025-03-05', 2, 55],
      ['o3', "it's", '2025-01-31', 2, 56],
    ];
    await ch.client.command({
      query: `INSERT INTO ${ch.name}.sales (source_id, order_id, seller_id, buyer_id, paid_at, _topic, _partition, _offset) VALUES ${lines
        .map(
          ([order, seller, day, partition, offset]) =>
            `('m${offset}', '${order}', '${seller.replace("'", "\\'")}', 'b', toDateTime('${day} 08:00:00', 'UTC'), 't', ${partition}, ${offset})`,
        )
        .join(', ')}`,
    });
    const later = [
      '0007_repeat_buyer_flags.sql',
      '0008_seller_order_firsts.sql',
      '0009_product_keys.sql',
    ];
    for (const f of later) {
      copyFileSync(path.join(SQL_DIR, 'clickhouse', f), path.join(dir, 'clickhouse', f));
    }
    expect((await run()).clickhouse).toEqual(later);

    const count = async (table: string) =>
      (await query<{ n: string }>(`SELECT toString(count()) AS n FROM ${ch.name}.${table}`))[0]?.n;
    expect(await count('sales_line_touches')).toBe(await count('sales'));
    expect(
      await query(
        `SELECT name FROM system.tables WHERE database = '${ch.name}' AND name LIKE 'sales_buyer_touches%'`,
      ),
    ).toEqual([]);

    // Every (seller, order)'s days, as domain/order-days.ts computes them from all stored lines.
    const all = await query<{ order_id: string; seller_id: string; day: number }>(
      `SELECT order_id, seller_id, toInt32(toDate(paid_at)) AS day FROM ${ch.name}.sales`,
    );
    const byPair = new Map<string, number[]>();
    for (const l of all) {
      const k = `${l.order_id}\t${l.seller_id}`;
      byPair.set(k, [...(byPair.get(k) ?? []), l.day]);
    }
    const expected = [...byPair]
      .flatMap(([k, days]) => orderDays(days).map((r) => `${k}\t${r.day}\t${r.prevDay}`))
      .sort();
    const stored = await query<{ k: string }>(
      `SELECT concat(order_id, '\t', seller_id, '\t', toString(toInt32(day)), '\t', toString(prev_day)) AS k
       FROM ${ch.name}.seller_order_days GROUP BY k HAVING sum(sign) = 1`,
    );
    expect(stored.map((r) => r.k).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(lines.length); // earlier tests' lines too

    // The views summed the fill: each level holds every row once, the first days at -1.
    for (const table of [
      'seller_order_firsts_daily',
      'seller_order_firsts_monthly',
      'seller_order_firsts_yearly',
    ]) {
      // prettier-ignore
      const [sums] = await query<{ rows: string; firsts: string }>(
        `SELECT toString(sum(orders)) AS rows, toString(sumIf(orders, prev_day = -1)) AS firsts
         FROM ${ch.name}.${table}`,
      );
      expect(sums, table).toEqual({ rows: String(expected.length), firsts: String(byPair.size) });
    }

    const positions = (q: string) =>
      query(`SELECT topic, partition, toString(o) AS o FROM (${q}) ORDER BY topic, partition`);
    expect(
      await positions(
        `SELECT topic, partition, maxMerge(max_offset) AS o FROM ${ch.name}.seller_days_progress GROUP BY topic, partition`,
      ),
    ).toEqual(
      await positions(
        `SELECT _topic AS topic, _partition AS partition, max(_offset) AS o FROM ${ch.name}.sales GROUP BY _topic, _partition`,
      ),
    );
  });

  it('keys the product views by hash with every id mapped, and drops the String-keyed ones', async () => {
    const query = async <T>(q: string) =>
      (await ch.client.query({ query: q, format: 'JSONEachRow' })).json<T>();
    // Filled from the lines above; these go through the views: a decimal id and two that are not.
    await insertSales([
      ['n1', '42', 5],
      ['n2', '042', 5],
      ['n3', '42', 6],
    ]);
    for (const [table, period] of [
      ['sales_by_product_key_daily', 'toDate(paid_at)'],
      ['sales_by_product_key_monthly', 'toStartOfMonth(paid_at)'],
      ['sales_by_product_key_weekly', 'toMonday(paid_at)'],
      ['sales_by_product_key_yearly', 'toStartOfYear(paid_at)'],
    ] as const) {
      const column = ({ daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' } as const)[
        table.slice(table.lastIndexOf('_') + 1) as 'daily' | 'weekly' | 'monthly' | 'yearly'
      ];
      const fromView = await query(
        `SELECT toString(${column}) AS p, toString(product_key) AS k, toString(sum(quantity)) AS q,
                toString(sum(lines)) AS n
         FROM ${ch.name}.${table} GROUP BY p, k ORDER BY p, k`,
      );
      const fromRaw = await query(
        `SELECT toString(${period}) AS p, toString(${PRODUCT_KEY.text}) AS k,
                toString(sum(toUInt64(quantity))) AS q, toString(count()) AS n
         FROM ${ch.name}.sales GROUP BY p, k ORDER BY p, k`,
      );
      expect(fromView, table).toEqual(fromRaw);
      expect(fromView.length).toBeGreaterThan(3);
    }
    expect(
      await query(`SELECT product_id, toString(product_key) AS k FROM ${ch.name}.product_keys
                   GROUP BY product_id, product_key ORDER BY product_id`),
    ).toEqual(
      await query(`SELECT DISTINCT product_id, toString(${PRODUCT_KEY.text}) AS k
                   FROM ${ch.name}.sales WHERE ${PRODUCT_KEY.text} >= 9223372036854775808
                   ORDER BY product_id`),
    );
    expect(
      await query(
        `SELECT name FROM system.tables WHERE database = '${ch.name}' AND name LIKE 'sales_by_product_%' AND name NOT LIKE 'sales_by_product_key_%'`,
      ),
    ).toEqual([]);
    expect(
      await query(
        `SELECT toString(${PRODUCT_KEY.text}) AS k FROM ${ch.name}.sales WHERE product_id = '42' LIMIT 1`,
      ),
    ).toEqual([{ k: '42' }]);
    // Only the hashed ids are mapped back: '042' is not a canonical decimal.
    expect(
      await query(
        `SELECT DISTINCT product_id FROM ${ch.name}.product_keys WHERE product_id IN ('42', '042')`,
      ),
    ).toEqual([{ product_id: '042' }]);
  });
});
