import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsFeature } from '../../api/analytics/routes.js';
import { createApp } from '../../api/app.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { createRegistry } from '../../lib/metrics.js';
import { migrate } from '../../lib/migrate.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { seededRandom } from '../../testkit/random.js';
import {
  config,
  createTestClickHouse,
  createTestDatabase,
  testLogger,
} from '../../testkit/resources.js';

// The analytics API against a fresh ClickHouse database. Deterministic rows go straight into the
// raw tables (the materialized views fill themselves); every answer is compared with the same
// question asked of the raw rows — computed here in TypeScript and, where the analysts' batch SQL
// exists, by running that SQL over the raw `sales` table.

// ---------------------------------------------------------------------------------------------
// Deterministic data

const rand = seededRandom(20250101);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const sec = (iso: string): number => Date.parse(iso) / 1000;
const DAY = 86_400;
const DAY0 = sec('2025-01-01T00:00:00Z');
const DAYS = 60; // 2025-01-01 .. 2025-03-01

interface Sale {
  order_id: string;
  product_id: string;
  buyer_id: string;
  seller_id: string;
  seller_country: string;
  buyer_country: string;
  paid_at: number;
  category: string;
  revenue_cents: number;
  quantity: number;
}

// A country with a comma and quotes (CSV quoting) and one with non-ASCII letters.
const COUNTRIES = ['DE', 'FR', 'PL', 'UA', 'US', 'C,"7"', 'Österreich'];
const CATEGORIES = ['clothing', 'shoes', 'bags', 'accessories', 'jewelry', 'beauty', 'sports'];
const SELLERS = Array.from({ length: 14 }, (_, i) => ({
  id: `S${pad(i, 2)}`,
  country: COUNTRIES[i % COUNTRIES.length]!,
}));
const BUYERS = Array.from({ length: 1500 }, (_, i) => ({
  id: `B${pad(i, 4)}`,
  country: COUNTRIES[(i * 3) % COUNTRIES.length]!,
}));
const PRODUCTS = Array.from({ length: 150 }, (_, i) => `P${pad(i, 3)}`);

function generateSales(lines: number): Sale[] {
  const sales: Sale[] = [];
  let order = 0;
  const addOrder = (paidAt: number, count: number) => {
    const seller = pick(SELLERS);
    const buyer = pick(BUYERS);
    const orderId = `O${pad(order++, 6)}`;
    for (let l = 0; l < count; l++) {
      sales.push({
        order_id: orderId,
        product_id: pick(PRODUCTS),
        buyer_id: buyer.id,
        seller_id: seller.id,
        seller_country: seller.country,
        buyer_country: buyer.country,
        paid_at: paidAt,
        // Skewed so the category counts differ.
        category: CATEGORIES[Math.min(Math.floor(rand() * rand() * 9), CATEGORIES.length - 1)]!,
        revenue_cents: int(1, 50_000),
        quantity: int(1, 5),
      });
    }
  };
  // Lines exactly on the edges the tests use: midnights and the date-time range's ends.
  for (const edge of [
    '2025-01-01T00:00:00Z',
    '2025-01-31T23:59:59Z',
    '2025-02-01T00:00:00Z',
    '2025-01-10T06:29:59Z',
    '2025-01-10T06:30:00Z',
    '2025-01-20T16:15:00Z',
    '2025-01-20T16:15:01Z',
  ]) {
    addOrder(sec(edge), 2);
  }
  while (sales.length < lines) addOrder(DAY0 + int(0, DAYS * DAY - 1), int(1, 4));
  return sales.slice(0, lines);
}

interface StockChange {
  ledger_id: number;
  warehouse_id: string;
  product_id: string;
  reason: 'arrival' | 'departure' | 'inventory';
  delta: number;
  balance: number;
  movement_id: string;
  occurred_at: number;
  recorded_at: number;
}

const WAREHOUSES = [uuid(0xa01), uuid(0xa02), uuid(0xa03)];
const STOCK_PRODUCTS = [uuid(0xb01), uuid(0xb02), uuid(0xb03), uuid(0xb04)];

/** 25 changes per warehouse and product, balances consistent, ledger ids in time order. */
function generateStock(): StockChange[] {
  const changes: Omit<StockChange, 'ledger_id'>[] = [];
  let movement = 0;
  for (const warehouse of WAREHOUSES) {
    for (const product of STOCK_PRODUCTS) {
      let t = DAY0 + int(0, 2 * DAY);
      let balance = 0;
      for (let k = 0; k < 25; k++) {
        const r = rand();
        let reason: StockChange['reason'];
        let delta: number;
        if (k === 0 || r > 0.92) {
          reason = 'inventory';
          delta = int(k === 0 ? 50 : 0, 150) - balance;
        } else if (r < 0.45 || balance === 0) {
          reason = 'arrival';
          delta = int(1, 20);
        } else {
          reason = 'departure';
          delta = -int(1, Math.min(balance, 15));
        }
        balance += delta;
        changes.push({
          warehouse_id: warehouse,
          product_id: product,
          reason,
          delta,
          balance,
          movement_id: uuid(0xc000 + movement++),
          occurred_at: t,
          recorded_at: t + 2,
        });
        t += int(600, 4 * DAY);
      }
    }
  }
  return changes
    .map((c, i) => ({ c, i }))
    .sort((x, y) => x.c.occurred_at - y.c.occurred_at || x.i - y.i)
    .map(({ c }, i) => ({ ledger_id: i + 1, ...c }));
}

interface MovementChange {
  movement_id: string;
  version: number;
  status: string;
  previous_status: string;
  product_id: string;
  sender_warehouse_id: string;
  receiver_warehouse_id: string;
  departed_at: number;
  arrived_at: number;
  departure_quantity: number;
  arrival_quantity: number;
  changed_at: number;
}

/** 90 movements: completed (some arriving first, some losing units), in transit, rejected. */
function generateMovements(): MovementChange[] {
  const rows: MovementChange[] = [];
  for (let i = 0; i < 90; i++) {
    const sender = WAREHOUSES[i % 3]!;
    const receiver = WAREHOUSES[(i + 1 + (i % 2)) % 3]!;
    const base = {
      movement_id: uuid(0xd000 + i),
      product_id: STOCK_PRODUCTS[i % 4]!,
      sender_warehouse_id: sender,
      receiver_warehouse_id: receiver,
    };
    const departed = DAY0 + int(0, 55 * DAY);
    const arrived = departed + int(600, 200_000);
    const sent = int(2, 50);
    const received = i % 5 === 0 ? sent - int(1, sent - 1) : sent;
    const row = (
      version: number,
      status: string,
      previous: string,
      over: Partial<MovementChange>,
    ) =>
      rows.push({
        ...base,
        version,
        status,
        previous_status: previous,
        departed_at: departed,
        arrived_at: 0,
        departure_quantity: sent,
        arrival_quantity: 0,
        changed_at: departed,
        ...over,
      });
    const kind = i % 10;
    if (kind <= 5) {
      row(1, 'in_transit', '', {});
      row(2, 'completed', 'in_transit', {
        arrived_at: arrived,
        arrival_quantity: received,
        changed_at: arrived,
      });
    } else if (kind <= 7) {
      row(1, 'arrived_first', '', {
        sender_warehouse_id: '',
        departed_at: 0,
        departure_quantity: 0,
        arrived_at: arrived,
        arrival_quantity: received,
        changed_at: arrived,
      });
      row(2, 'completed', 'arrived_first', {
        arrived_at: arrived,
        arrival_quantity: received,
        changed_at: arrived + 5,
      });
    } else if (kind === 8) {
      row(1, 'in_transit', '', {});
    } else {
      row(1, 'pending_stock', '', {});
      row(2, 'rejected', 'pending_stock', { changed_at: departed + 300 });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The same questions, asked of the generated rows

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sum = (xs: readonly number[]): bigint => xs.reduce((s, x) => s + BigInt(x), 0n);
const dec = (cents: bigint): string => {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
};
/** A JSON money number back to cents (exact below 10^13). */
const cents = (n: unknown): bigint => BigInt(Math.round((n as number) * 100));
const share = (part: bigint, whole: bigint): number | null =>
  whole === 0n ? null : Number((2n * part * 10_000n + whole) / (2n * whole)) / 100;
const dayOf = (s: number): string => new Date(s * 1000).toISOString().slice(0, 10);
const group = <T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> => {
  const m = new Map<K, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
};

/** Sale lines paid in [start, end) seconds. */
const paidIn = (sales: readonly Sale[], start: number, end: number) =>
  sales.filter((s) => s.paid_at >= start && s.paid_at < end);
/** Whole UTC days first..last inclusive, as seconds [start, end). */
const days = (first: string, last: string): [number, number] => [
  sec(`${first}T00:00:00Z`),
  sec(`${last}T00:00:00Z`) + DAY,
];

function expectTopProducts(lines: readonly Sale[], limit: number) {
  return [...group(lines, (s) => s.product_id)]
    .map(([product_id, ls]) => ({
      product_id,
      total_quantity: Number(sum(ls.map((l) => l.quantity))),
    }))
    .sort((a, b) => b.total_quantity - a.total_quantity || cmp(a.product_id, b.product_id))
    .slice(0, limit);
}

// ---------------------------------------------------------------------------------------------

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** A minimal RFC 4180 reader for the CSV answers. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe(''); // every line ends with CRLF
  return rows;
}

describe('analytics API', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let chDb: ClickHouseClient; // with the test database as its default, for the batch SQL files
  let pool: Pool;
  let server: Server;
  let base: string;
  const sales = generateSales(20_000);
  const stock = generateStock();
  const movements = generateMovements();
  const offsets = [0, 0, 0];

  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${p}`, { headers });
  const json = async <T>(p: string, headers: Record<string, string> = {}): Promise<T> => {
    const res = await get(p, headers);
    const body = (await res.json()) as T;
    expect(res.status, `${p}: ${JSON.stringify(body)}`).toBe(200);
    return body;
  };
  const rows = async <T>(query: string): Promise<T[]> =>
    (await ch.client.query({ query, format: 'JSONEachRow' })).json<T>();
  const saleRow = (s: Sale, i: number) => {
    const partition = i % 3;
    return {
      source_id: `sales:${partition}:${offsets[partition]}`,
      ...s,
      brand: 'brand',
      _topic: 'sales',
      _partition: partition,
      _offset: offsets[partition]!++,
    };
  };
  /** Runs an analysts' batch SQL file with its dates replaced. */
  const batch = async <T>(file: string, replace: Record<string, string>): Promise<T[]> => {
    let text = readFileSync(path.join(PROJECT_ROOT, 'sql', 'queries', file), 'utf8');
    for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
    return (await chDb.query({ query: text, format: 'JSONEachRow' })).json<T>();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    pool = createPool(db.url, 2, testLogger);
    await migrate({ pool, clickhouse: ch.client, clickhouseDatabase: ch.name, logger: testLogger });
    chDb = createClickHouse({ url: config.clickhouseUrl, database: ch.name });

    await ch.client.insert({
      table: `${ch.name}.sales`,
      values: sales.map(saleRow),
      format: 'JSONEachRow',
    });
    await ch.client.insert({
      table: `${ch.name}.stock_changes`,
      values: stock.map((c, i) => ({ ...c, _topic: 'stock_changes', _partition: 0, _offset: i })),
      format: 'JSONEachRow',
    });
    await ch.client.insert({
      table: `${ch.name}.movement_changes`,
      values: movements.map((m, i) => ({
        ...m,
        _topic: 'movement_changes',
        _partition: 0,
        _offset: i,
      })),
      format: 'JSONEachRow',
    });

    const app = createApp({
      logger: testLogger,
      metrics: createRegistry(),
      checks: [],
      features: [analyticsFeature({ clickhouse: ch.client, database: ch.name })],
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await chDb?.close();
    await pool?.end();
    await db?.drop();
    await ch?.drop();
  });

  it('holds the generated rows in the raw tables', async () => {
    const [counts] = await rows<{ sales: string; stock: string; moves: string }>(
      `SELECT (SELECT count() FROM ${ch.name}.sales) AS sales,
              (SELECT count() FROM ${ch.name}.stock_changes) AS stock,
              (SELECT count() FROM ${ch.name}.movement_changes) AS moves`,
    );
    expect(counts).toEqual({
      sales: '20000',
      stock: String(stock.length),
      moves: String(movements.length),
    });
    expect(new Set(sales.map((s) => s.order_id)).size).toBeGreaterThan(5000);
  });

  describe('GET /total_spent', () => {
    it('sums the revenue of whole days, the end day included', async () => {
      for (const [first, last] of [
        ['2025-01-01', '2025-01-31'],
        ['2025-01-01', '2025-03-01'],
        ['2025-02-01', '2025-02-01'],
      ] as const) {
        const body = await json<{ total_spent: number }>(
          `/total_spent?start_date=${first}&end_date=${last}`,
        );
        const [start, end] = days(first, last);
        const expected = sum(paidIn(sales, start, end).map((s) => s.revenue_cents));
        expect(cents(body.total_spent), `${first}..${last}`).toBe(expected);
        const [raw] = await rows<{ c: string }>(
          `SELECT sum(revenue_cents) AS c FROM ${ch.name}.sales
           WHERE paid_at >= toDateTime(${start}) AND paid_at < toDateTime(${end})`,
        );
        expect(BigInt(raw!.c)).toBe(expected);
        expect(Object.keys(body)).toEqual(['total_spent']);
      }
    });

    it('is exact to the second with date-times: partial days come from the raw lines', async () => {
      // 06:30:00Z to 18:15:00+02:00 (16:15:00Z), both inclusive; lines sit at 06:29:59, 06:30:00,
      // 16:15:00 and 16:15:01.
      const p = '/total_spent?start_date=2025-01-10T06:30:00Z&end_date=2025-01-20T18:15:00%2B02:00';
      const body = await json<{ total_spent: number }>(p);
      const lines = paidIn(sales, sec('2025-01-10T06:30:00Z'), sec('2025-01-20T16:15:01Z'));
      expect(cents(body.total_spent)).toBe(sum(lines.map((s) => s.revenue_cents)));
      expect(lines.some((s) => s.paid_at === sec('2025-01-10T06:30:00Z'))).toBe(true);
      expect(lines.some((s) => s.paid_at === sec('2025-01-20T16:15:00Z'))).toBe(true);

      // Inside one day, and across one midnight without a whole day.
      for (const [from, to] of [
        ['2025-01-15T08:00:00Z', '2025-01-15T20:00:00Z'],
        ['2025-01-31T12:00:00Z', '2025-02-01T12:00:00Z'],
      ] as const) {
        const b = await json<{ total_spent: number }>(
          `/total_spent?start_date=${from}&end_date=${to}`,
        );
        expect(cents(b.total_spent)).toBe(
          sum(paidIn(sales, sec(from), sec(to) + 1).map((s) => s.revenue_cents)),
        );
      }
    });

    it('answers 0 for a range without sales', async () => {
      expect(await json('/total_spent?start_date=2024-01-01&end_date=2024-12-31')).toEqual({
        total_spent: 0,
      });
    });
  });

  describe('GET /top_products', () => {
    it('ranks products by units sold, ties by id, 10 by default', async () => {
      const body = await json<{ top_products: unknown[] }>(
        '/top_products?start_date=2025-01-01&end_date=2025-01-31',
      );
      expect(body.top_products).toEqual(
        expectTopProducts(paidIn(sales, ...days('2025-01-01', '2025-01-31')), 10),
      );
    });

    it('takes a limit and date-times with partial days', async () => {
      const body = await json<{ top_products: unknown[] }>(
        '/top_products?start_date=2025-01-10T06:30:00Z&end_date=2025-02-20T11:00:00Z&limit=100',
      );
      const lines = paidIn(sales, sec('2025-01-10T06:30:00Z'), sec('2025-02-20T11:00:01Z'));
      expect(body.top_products).toHaveLength(100);
      expect(body.top_products).toEqual(expectTopProducts(lines, 100));
    });

    it('adds a whole month, the days around it and the partial edge days', async () => {
      // February from the monthly view, Jan 11–31 and Mar 1 from the daily one, the edges raw.
      const body = await json<{ top_products: unknown[] }>(
        '/top_products?start_date=2025-01-10T06:30:00Z&end_date=2025-03-02T11:00:00Z&limit=50',
      );
      const lines = paidIn(sales, sec('2025-01-10T06:30:00Z'), sec('2025-03-02T11:00:01Z'));
      expect(body.top_products).toEqual(expectTopProducts(lines, 50));
    });

    it('reads a year whole, or less the months and days outside the range', async () => {
      // 2025 from the yearly view and the last half day of 2024 raw; then 2025 less December
      // (monthly) and January 1–4 (daily).
      for (const [start, end] of [
        ['2024-12-31T12:00:00Z', '2025-12-31T23:59:59Z'],
        ['2025-01-05T00:00:00Z', '2025-11-30T23:59:59Z'],
      ] as const) {
        const body = await json<{ top_products: unknown[] }>(
          `/top_products?start_date=${start}&end_date=${end}&limit=100`,
        );
        expect(body.top_products).toEqual(
          expectTopProducts(paidIn(sales, sec(start), sec(end) + 1), 100),
        );
      }
    });
  });

  describe('GET /top_suppliers', () => {
    const expected = (lines: readonly Sale[], limit: number) =>
      [...group(lines, (s) => s.seller_id)]
        .map(([seller_id, ls]) => ({
          seller_id,
          order_count: new Set(ls.map((l) => l.order_id)).size,
          revenue: sum(ls.map((l) => l.revenue_cents)),
        }))
        .sort((a, b) => b.order_count - a.order_count || cmp(a.seller_id, b.seller_id))
        .slice(0, limit);
    const asCents = (list: { seller_id: string; order_count: number; revenue: number }[]) =>
      list.map((s) => ({ ...s, revenue: cents(s.revenue) }));

    it('ranks sellers by distinct orders over all time by default, top 5', async () => {
      const body = await json<{
        top_suppliers: { seller_id: string; order_count: number; revenue: number }[];
      }>('/top_suppliers');
      expect(asCents(body.top_suppliers)).toEqual(expected(sales, 5));
    });

    it('takes whole days and a limit, and refuses date-times explaining why', async () => {
      const body = await json<{
        top_suppliers: { seller_id: string; order_count: number; revenue: number }[];
      }>('/top_suppliers?start_date=2025-02-01&end_date=2025-02-14&limit=14');
      expect(asCents(body.top_suppliers)).toEqual(
        expected(paidIn(sales, ...days('2025-02-01', '2025-02-14')), 14),
      );
      const open = await json<{
        top_suppliers: { seller_id: string; order_count: number; revenue: number }[];
      }>('/top_suppliers?start_date=2025-02-15');
      expect(asCents(open.top_suppliers)).toEqual(
        expected(paidIn(sales, sec('2025-02-15T00:00:00Z'), 1e12), 5),
      );

      const res = await get('/top_suppliers?start_date=2025-02-01T10:00:00Z');
      expect(res.status).toBe(400);
      const problem = (await res.json()) as Problem;
      expect(problem.detail).toMatch(
        /^start_date must be a whole day \(YYYY-MM-DD\).*daily aggregates/,
      );
      expect(problem.errors?.[0]?.path).toBe('/query/start_date');
    });
  });

  describe('GET /feedback', () => {
    const expected = (lines: readonly Sale[]) =>
      [...group(lines, (s) => s.category)]
        .map(([category, ls]) => ({
          category,
          count: ls.length,
          total_revenue: sum(ls.map((l) => l.revenue_cents)),
        }))
        .sort((a, b) => b.count - a.count || cmp(a.category, b.category))
        .slice(0, 3);
    type Body = { feedback: { category: string; count: number; total_revenue: number }[] };
    const asCents = (b: Body) =>
      b.feedback.map((f) => ({ ...f, total_revenue: cents(f.total_revenue) }));

    it('gives the three most common categories with their revenue, all time and in a range', async () => {
      expect(asCents(await json<Body>('/feedback'))).toEqual(expected(sales));
      expect(
        asCents(await json<Body>('/feedback?start_date=2025-01-05&end_date=2025-01-05')),
      ).toEqual(expected(paidIn(sales, ...days('2025-01-05', '2025-01-05'))));
    });
  });

  describe('GET /analytics/countries', () => {
    type Row = {
      country: string;
      revenue: number;
      revenue_share: number | null;
      items: number;
      items_share: number | null;
    };
    const expected = (lines: readonly Sale[], side: 'seller' | 'buyer') => {
      const byCountry = [
        ...group(lines, (s) => (side === 'seller' ? s.seller_country : s.buyer_country)),
      ].map(([country, ls]) => ({
        country,
        revenue: sum(ls.map((l) => l.revenue_cents)),
        items: sum(ls.map((l) => l.quantity)),
      }));
      const revenue = byCountry.reduce((s, c) => s + c.revenue, 0n);
      const items = byCountry.reduce((s, c) => s + c.items, 0n);
      return byCountry
        .map((c) => ({
          country: c.country,
          revenue: c.revenue,
          revenue_share: share(c.revenue, revenue),
          items: Number(c.items),
          items_share: share(c.items, items),
        }))
        .sort((a, b) =>
          a.revenue === b.revenue ? cmp(a.country, b.country) : a.revenue > b.revenue ? -1 : 1,
        );
    };

    it("gives each seller country's share of revenue and units, like the batch SQL", async () => {
      const body = await json<{ countries: Row[] }>(
        '/analytics/countries?start_date=2025-01-01&end_date=2025-01-31',
      );
      const want = expected(paidIn(sales, ...days('2025-01-01', '2025-01-31')), 'seller');
      expect(body.countries.map((c) => ({ ...c, revenue: cents(c.revenue) }))).toEqual(want);
      expect(body.countries.map((c) => c.country)).toContain('C,"7"');
      const shares = body.countries.reduce((s, c) => s + (c.revenue_share ?? 0), 0);
      expect(Math.abs(shares - 100)).toBeLessThan(0.05);

      const sqlRows = await batch<{
        country: string;
        revenue_cents: string;
        revenue: string;
        revenue_share: number;
        items: string;
        items_share: number;
      }>('country_contribution.sql', {
        "'2021-01-01'": "'2025-01-01'",
        "'2021-01-31'": "'2025-01-31'",
      });
      expect(
        sqlRows.map((r) => ({
          country: r.country,
          revenue: BigInt(r.revenue_cents),
          revenue_share: r.revenue_share,
          items: Number(r.items),
          items_share: r.items_share,
        })),
      ).toEqual(want);
      expect(sqlRows.map((r) => r.revenue)).toEqual(want.map((w) => dec(w.revenue)));
    });

    it('by buyer country', async () => {
      const body = await json<{ countries: Row[] }>(
        '/analytics/countries?start_date=2025-02-01&end_date=2025-03-01&by=buyer',
      );
      expect(body.countries.map((c) => ({ ...c, revenue: cents(c.revenue) }))).toEqual(
        expected(paidIn(sales, ...days('2025-02-01', '2025-03-01')), 'buyer'),
      );
    });

    it('as CSV: a header row, RFC 4180 quoting, money as exact decimals', async () => {
      const p = '/analytics/countries?start_date=2025-01-01&end_date=2025-01-31';
      const res = await get(p, { Accept: 'text/csv' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers.get('vary')).toMatch(/Accept/);
      const text = await res.text();
      expect(text).toContain('\r\n"C,""7""",');
      const want = expected(paidIn(sales, ...days('2025-01-01', '2025-01-31')), 'seller');
      expect(parseCsv(text)).toEqual([
        ['country', 'revenue', 'revenue_share', 'items', 'items_share'],
        ...want.map((w) => [
          w.country,
          dec(w.revenue),
          String(w.revenue_share),
          String(w.items),
          String(w.items_share),
        ]),
      ]);
    });
  });

  describe('GET /analytics/countries/top-pair', () => {
    const expected = (lines: readonly Sale[]) => {
      const pairs = group(
        lines.filter((s) => s.seller_country !== s.buyer_country),
        (s) => [s.seller_country, s.buyer_country].sort(cmp).join('\u0000'),
      );
      return [...pairs]
        .map(([key, ls]) => {
          const [country_a = '', country_b = ''] = key.split('\u0000');
          return { country_a, country_b, revenue: sum(ls.map((l) => l.revenue_cents)) };
        })
        .sort((x, y) =>
          x.revenue === y.revenue
            ? cmp(x.country_a, y.country_a) || cmp(x.country_b, y.country_b)
            : x.revenue > y.revenue
              ? -1
              : 1,
        )[0]!;
    };

    it('finds the pair with the most revenue between them, either way, like the batch SQL', async () => {
      for (const [first, last] of [
        ['2025-01-01', '2025-01-31'],
        ['2025-02-10', '2025-02-10'],
      ] as const) {
        const body = await json<{ country_a: string; country_b: string; revenue: number }>(
          `/analytics/countries/top-pair?start_date=${first}&end_date=${last}`,
        );
        const want = expected(paidIn(sales, ...days(first, last)));
        expect({ ...body, revenue: cents(body.revenue) }).toEqual(want);
        const [sqlRow] = await batch<{
          country_a: string;
          country_b: string;
          revenue_cents_total: string;
          revenue: string;
        }>('top_country_relationships.sql', {
          "'2021-01-01'": `'${first}'`,
          "'2021-01-31'": `'${last}'`,
        });
        expect(sqlRow).toEqual({
          country_a: want.country_a,
          country_b: want.country_b,
          revenue_cents_total: String(want.revenue),
          revenue: dec(want.revenue),
        });
      }
    });

    it('answers 404 when no sale crossed a border in the range', async () => {
      const res = await get(
        '/analytics/countries/top-pair?start_date=2024-01-01&end_date=2024-01-31',
      );
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as Problem).detail).toBe(
        'no sale between two different countries from 2024-01-01 to 2024-01-31',
      );
    });
  });

  describe('GET /analytics/repeat-buyers', () => {
    const expected = (weekStart: string) => {
      const w1 = sec(`${weekStart}T00:00:00Z`);
      const lines = paidIn(sales, w1, w1 + 14 * DAY);
      const repeat = [...group(lines, (s) => s.buyer_id)].filter(
        ([, ls]) => new Set(ls.map((l) => l.order_id)).size >= 2,
      );
      const mine = repeat.flatMap(([, ls]) => ls);
      const r1 = sum(mine.filter((l) => l.paid_at < w1 + 7 * DAY).map((l) => l.revenue_cents));
      const r2 = sum(mine.filter((l) => l.paid_at >= w1 + 7 * DAY).map((l) => l.revenue_cents));
      return { buyers: repeat.length, r1, r2 };
    };

    it('compares repeat buyers’ revenue in two whole weeks, like the batch SQL', async () => {
      for (const weekStart of ['2025-01-06', '2025-02-13']) {
        const body = await json<{
          repeat_buyers: number;
          week_1: { start: string; end: string; revenue: number };
          week_2: { start: string; end: string; revenue: number };
          change: number;
          change_pct: number | null;
        }>(`/analytics/repeat-buyers?week_start=${weekStart}`);
        const want = expected(weekStart);
        expect(want.buyers).toBeGreaterThan(50);
        const w1 = sec(`${weekStart}T00:00:00Z`);
        expect(body).toMatchObject({
          repeat_buyers: want.buyers,
          week_1: { start: weekStart, end: dayOf(w1 + 6 * DAY) },
          week_2: { start: dayOf(w1 + 7 * DAY), end: dayOf(w1 + 13 * DAY) },
        });
        expect(cents(body.week_1.revenue)).toBe(want.r1);
        expect(cents(body.week_2.revenue)).toBe(want.r2);
        expect(cents(body.change)).toBe(want.r2 - want.r1);
        const diff = want.r2 - want.r1;
        const pct = share(diff < 0n ? -diff : diff, want.r1)!;
        expect(body.change_pct).toBe(diff < 0n ? -pct : pct);

        const [sqlRow] = await batch<Record<string, unknown>>('repeat_buyer_revenue.sql', {
          "'2021-01-01'": `'${weekStart}'`,
        });
        expect(sqlRow).toEqual({
          repeat_buyers: String(want.buyers),
          week_1_revenue_cents: String(want.r1),
          week_2_revenue_cents: String(want.r2),
          change_cents: String(want.r2 - want.r1),
          week_1_revenue: dec(want.r1),
          week_2_revenue: dec(want.r2),
          change: dec(want.r2 - want.r1),
          change_pct: body.change_pct,
        });
      }
    });

    it('counts the last day of week 2 whole (no BETWEEN on timestamps)', async () => {
      const late = sales.filter((s) => dayOf(s.paid_at) === '2025-01-19' && s.paid_at % DAY > 60);
      expect(late.length).toBeGreaterThan(0);
      const body = await json<{ week_2: { revenue: number } }>(
        '/analytics/repeat-buyers?week_start=2025-01-06',
      );
      expect(cents(body.week_2.revenue)).toBe(expected('2025-01-06').r2);
    });
  });

  describe('GET /analytics/stock-flow', () => {
    type Flow = {
      period: string;
      warehouse_id: string;
      product_id: string;
      inbound: number;
      outbound: number;
    };
    const periodOf = (s: number, g: 'day' | 'week' | 'month'): string => {
      const d = new Date(s * 1000);
      if (g === 'month') return `${d.toISOString().slice(0, 7)}-01`;
      if (g === 'week') return dayOf(s - ((d.getUTCDay() + 6) % 7) * DAY);
      return dayOf(s);
    };
    const expected = (
      first: string,
      last: string,
      g: 'day' | 'week' | 'month',
      only: Partial<Flow> = {},
    ) => {
      const [start, end] = days(first, last);
      const changes = stock.filter(
        (c) =>
          c.occurred_at >= start &&
          c.occurred_at < end &&
          (only.warehouse_id === undefined || c.warehouse_id === only.warehouse_id) &&
          (only.product_id === undefined || c.product_id === only.product_id),
      );
      return [
        ...group(changes, (c) => `${periodOf(c.occurred_at, g)}|${c.warehouse_id}|${c.product_id}`),
      ]
        .map(([key, cs]) => {
          const [period = '', warehouse_id = '', product_id = ''] = key.split('|');
          return {
            period,
            warehouse_id,
            product_id,
            inbound: Number(sum(cs.filter((c) => c.reason === 'arrival').map((c) => c.delta))),
            outbound: Number(sum(cs.filter((c) => c.reason === 'departure').map((c) => -c.delta))),
          };
        })
        .filter((f) => f.inbound !== 0 || f.outbound !== 0)
        .sort(
          (a, b) =>
            cmp(a.period, b.period) ||
            cmp(a.warehouse_id, b.warehouse_id) ||
            cmp(a.product_id, b.product_id),
        );
    };

    it('sums units in and out per day, week and month', async () => {
      for (const g of ['day', 'week', 'month'] as const) {
        const body = await json<{ stock_flow: Flow[] }>(
          `/analytics/stock-flow?start_date=2025-01-01&end_date=2025-03-01&granularity=${g}`,
        );
        const want = expected('2025-01-01', '2025-03-01', g);
        expect(want.length).toBeGreaterThan(g === 'month' ? 12 : 40);
        expect(body.stock_flow, g).toEqual(want);
      }
    });

    it('filters by warehouse and product, and limits', async () => {
      const [w, p] = [WAREHOUSES[1]!, STOCK_PRODUCTS[2]!];
      const body = await json<{ stock_flow: Flow[] }>(
        `/analytics/stock-flow?start_date=2025-01-10&end_date=2025-02-10&granularity=week&warehouse_id=${w}&product_id=${p}`,
      );
      expect(body.stock_flow).toEqual(
        expected('2025-01-10', '2025-02-10', 'week', { warehouse_id: w, product_id: p }),
      );
      const limited = await json<{ stock_flow: Flow[] }>(
        '/analytics/stock-flow?start_date=2025-01-01&end_date=2025-03-01&limit=7',
      );
      expect(limited.stock_flow).toEqual(expected('2025-01-01', '2025-03-01', 'day').slice(0, 7));
    });

    it('returns the first rows of the whole answer for any limit (it reads only leading periods)', async () => {
      // Starting on the 1st and mid-week, mid-month; with a filter that thins the rows out.
      const w = WAREHOUSES[0]!;
      for (const [first, only] of [
        ['2025-01-01', {}],
        ['2025-01-10', {}],
        ['2025-01-10', { warehouse_id: w }],
      ] as const) {
        for (const g of ['day', 'week', 'month'] as const) {
          const want = expected(first, '2025-03-01', g, only);
          const filter = only.warehouse_id === undefined ? '' : `&warehouse_id=${w}`;
          for (const limit of [1, 3, 40, 41, 200, want.length - 1, want.length + 5]) {
            const body = await json<{ stock_flow: Flow[] }>(
              `/analytics/stock-flow?start_date=${first}&end_date=2025-03-01&granularity=${g}&limit=${limit}${filter}`,
            );
            expect(body.stock_flow, `${first} ${g} ${filter} limit ${limit}`).toEqual(
              want.slice(0, limit),
            );
          }
        }
      }
    });

    it('as CSV', async () => {
      const res = await get(
        '/analytics/stock-flow?start_date=2025-01-01&end_date=2025-03-01&granularity=month',
        {
          Accept: 'text/csv',
        },
      );
      expect(res.status).toBe(200);
      expect(parseCsv(await res.text())).toEqual([
        ['period', 'warehouse_id', 'product_id', 'inbound', 'outbound'],
        ...expected('2025-01-01', '2025-03-01', 'month').map((f) => [
          f.period,
          f.warehouse_id,
          f.product_id,
          String(f.inbound),
          String(f.outbound),
        ]),
      ]);
    });

    it('refuses hours, explaining the data is daily', async () => {
      const res = await get(
        '/analytics/stock-flow?start_date=2025-01-01&end_date=2025-03-01&granularity=hour',
      );
      expect(res.status).toBe(400);
      const problem = (await res.json()) as Problem;
      expect(problem.detail).toMatch(
        /^granularity hour is not available: stock flow is kept per day/,
      );
      expect(problem.errors?.[0]?.path).toBe('/query/granularity');
    });
  });

  describe('GET /analytics/routes', () => {
    type Route = Record<string, string | number>;
    const quantile = (sorted: readonly number[], level: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(level * sorted.length))]!;
    const expected = (first: string, last: string, only: { sender?: string } = {}) => {
      const [start, end] = days(first, last);
      const done = movements.filter(
        (m) =>
          m.status === 'completed' &&
          m.previous_status !== 'completed' &&
          m.arrived_at >= start &&
          m.arrived_at < end &&
          (only.sender === undefined || m.sender_warehouse_id === only.sender),
      );
      return [...group(done, (m) => `${m.sender_warehouse_id}|${m.receiver_warehouse_id}`)]
        .map(([key, ms]) => {
          const [sender_warehouse_id = '', receiver_warehouse_id = ''] = key.split('|');
          const transit = ms.map((m) => m.arrived_at - m.departed_at).sort((a, b) => a - b);
          return {
            sender_warehouse_id,
            receiver_warehouse_id,
            movements: ms.length,
            transit_p50_seconds: quantile(transit, 0.5),
            transit_p90_seconds: quantile(transit, 0.9),
            transit_p99_seconds: quantile(transit, 0.99),
            sent: ms.reduce((s, m) => s + m.departure_quantity, 0),
            received: ms.reduce((s, m) => s + m.arrival_quantity, 0),
            lost: ms.reduce(
              (s, m) => s + Math.max(0, m.departure_quantity - m.arrival_quantity),
              0,
            ),
          };
        })
        .sort(
          (a, b) =>
            b.movements - a.movements ||
            cmp(a.sender_warehouse_id, b.sender_warehouse_id) ||
            cmp(a.receiver_warehouse_id, b.receiver_warehouse_id),
        );
    };

    it('reports completed movements per route by arrival day, with exact transit quantiles', async () => {
      const body = await json<{ routes: Route[] }>(
        '/analytics/routes?start_date=2025-01-01&end_date=2025-03-01',
      );
      const want = expected('2025-01-01', '2025-03-01');
      expect(want.reduce((s, r) => s + r.lost, 0)).toBeGreaterThan(0);
      expect(body.routes).toEqual(want);

      // The same from the raw movement changes, by ClickHouse's own quantilesExact.
      const raw = await rows<{ s: string; r: string; n: string; q: string[] }>(
        `SELECT sender_warehouse_id AS s, receiver_warehouse_id AS r, count() AS n,
                quantilesExact(0.5, 0.9, 0.99)(toInt64(arrived_at) - toInt64(departed_at)) AS q
         FROM ${ch.name}.movement_changes
         WHERE status = 'completed' AND previous_status != 'completed'
         GROUP BY s, r ORDER BY n DESC, s, r`,
      );
      expect(
        body.routes.map((r) => [
          r.sender_warehouse_id,
          r.receiver_warehouse_id,
          String(r.movements),
          [r.transit_p50_seconds, r.transit_p90_seconds, r.transit_p99_seconds].map(String),
        ]),
      ).toEqual(raw.map((x) => [x.s, x.r, x.n, x.q]));
    });

    it('filters by sender and by arrival days', async () => {
      const w = WAREHOUSES[0]!;
      const body = await json<{ routes: Route[] }>(
        `/analytics/routes?start_date=2025-02-01&end_date=2025-02-28&sender_warehouse_id=${w}&limit=1`,
      );
      expect(body.routes).toEqual(expected('2025-02-01', '2025-02-28', { sender: w }).slice(0, 1));
    });
  });

  describe('GET /analytics/in-transit', () => {
    const expected = (only: { warehouse?: string; product?: string } = {}) => {
      const latest = [...group(movements, (m) => m.movement_id)].map(
        ([, ms]) => ms.sort((a, b) => b.version - a.version)[0]!,
      );
      const moving = latest.filter(
        (m) =>
          m.status === 'in_transit' &&
          (only.warehouse === undefined || m.sender_warehouse_id === only.warehouse) &&
          (only.product === undefined || m.product_id === only.product),
      );
      return [...group(moving, (m) => `${m.sender_warehouse_id}|${m.product_id}`)]
        .map(([key, ms]) => {
          const [sender_warehouse_id = '', product_id = ''] = key.split('|');
          return {
            sender_warehouse_id,
            product_id,
            quantity: ms.reduce((s, m) => s + m.departure_quantity, 0),
            movements: ms.length,
          };
        })
        .sort(
          (a, b) =>
            b.quantity - a.quantity ||
            cmp(a.sender_warehouse_id, b.sender_warehouse_id) ||
            cmp(a.product_id, b.product_id),
        );
    };

    it('lists what departed and has not arrived, per sender and product', async () => {
      const body = await json<{ in_transit: unknown[] }>('/analytics/in-transit');
      expect(body.in_transit.length).toBeGreaterThan(0);
      expect(body.in_transit).toEqual(expected());
      const w = WAREHOUSES[2]!;
      const p = STOCK_PRODUCTS[0]!;
      expect(
        (await json<{ in_transit: unknown[] }>(`/analytics/in-transit?warehouse_id=${w}`))
          .in_transit,
      ).toEqual(expected({ warehouse: w }));
      expect(
        (
          await json<{ in_transit: unknown[] }>(
            `/analytics/in-transit?warehouse_id=${w}&product_id=${p}`,
          )
        ).in_transit,
      ).toEqual(expected({ warehouse: w, product: p }));
    });
  });

  describe('GET /analytics/stock-history', () => {
    const W = WAREHOUSES[0]!;
    const P = STOCK_PRODUCTS[1]!;
    const periodOf = (s: number, g: string): string => {
      const d = new Date(s * 1000);
      if (g === 'hour') return `${d.toISOString().slice(0, 13)}:00:00Z`;
      if (g === 'month') return `${d.toISOString().slice(0, 7)}-01`;
      if (g === 'week') return dayOf(s - ((d.getUTCDay() + 6) % 7) * DAY);
      return dayOf(s);
    };
    const expected = (start: number, end: number, g: string) => {
      const changes = stock.filter(
        (c) =>
          c.warehouse_id === W &&
          c.product_id === P &&
          c.occurred_at >= start &&
          c.occurred_at < end,
      );
      return [...group(changes, (c) => periodOf(c.occurred_at, g))]
        .map(([period, cs]) => ({
          period,
          balance: cs.reduce((last, c) => (c.ledger_id > last.ledger_id ? c : last)).balance,
          inbound: Number(sum(cs.filter((c) => c.reason === 'arrival').map((c) => c.delta))),
          outbound: Number(sum(cs.filter((c) => c.reason === 'departure').map((c) => -c.delta))),
        }))
        .sort((a, b) => cmp(a.period, b.period));
    };

    it('gives the balance at the end of each period, with units in and out', async () => {
      for (const g of ['hour', 'day', 'week', 'month']) {
        const body = await json<{ stock_history: unknown[] }>(
          `/analytics/stock-history?warehouse_id=${W}&product_id=${P}&start_date=2025-01-01&end_date=2025-03-01&granularity=${g}`,
        );
        expect(body.stock_history, g).toEqual(expected(...days('2025-01-01', '2025-03-01'), g));
      }
      const first = stock.find((c) => c.warehouse_id === W && c.product_id === P)!;
      const from = new Date((first.occurred_at + 1) * 1000).toISOString();
      const body = await json<{ stock_history: unknown[] }>(
        `/analytics/stock-history?warehouse_id=${W}&product_id=${P}&start_date=${from}&end_date=2025-02-01T12:00:00Z`,
      );
      expect(body.stock_history).toEqual(
        expected(first.occurred_at + 1, sec('2025-02-01T12:00:01Z'), 'day'),
      );
    });

    it('answers an empty history for a quiet range, 404 for a stock that never changed', async () => {
      expect(
        await json(
          `/analytics/stock-history?warehouse_id=${W}&product_id=${P}&start_date=2024-01-01&end_date=2024-01-02`,
        ),
      ).toEqual({ stock_history: [] });
      const res = await get(
        `/analytics/stock-history?warehouse_id=${W}&product_id=${uuid(0xeee)}&start_date=2025-01-01&end_date=2025-03-01`,
      );
      expect(res.status).toBe(404);
      expect(((await res.json()) as Problem).detail).toBe(
        `warehouse ${W} never held product ${uuid(0xeee)}`,
      );
    });
  });

  describe('validation', () => {
    const problem = async (p: string, headers: Record<string, string> = {}) => {
      const res = await get(p, headers);
      expect(res.headers.get('content-type'), p).toMatch(/^application\/problem\+json/);
      return { status: res.status, body: (await res.json()) as Problem };
    };

    it('answers clear 400s naming the parameter', async () => {
      const cases: [string, string, RegExp][] = [
        [
          '/total_spent?start_date=2025-02-30&end_date=2025-03-31',
          '/query/start_date',
          /2025-02-30 is not a real calendar day/,
        ],
        [
          '/total_spent?start_date=2025-03-01&end_date=2025-02-01',
          '/query/start_date',
          /start_date is after end_date/,
        ],
        ['/total_spent?end_date=2025-02-01', '/query/start_date', /start_date/],
        [
          '/top_products?start_date=2025-01-01&end_date=2025-01-31&limit=101',
          '/query/limit',
          /limit/,
        ],
        [
          '/top_products?start_date=2025-01-01&end_date=2025-01-31&limit=0',
          '/query/limit',
          /limit/,
        ],
        [
          '/analytics/countries?start_date=2025-01-01&end_date=2025-01-31&by=planet',
          '/query/by',
          /by/,
        ],
        [
          '/analytics/stock-flow?start_date=2025-01-01&end_date=2025-01-31&limit=10001',
          '/query/limit',
          /limit/,
        ],
        ['/analytics/repeat-buyers?week_start=2025-13-01', '/query/week_start', /week_start/],
        [
          '/analytics/routes?start_date=2025-01-01&end_date=2025-01-31&sender_warehouse_id=WH-1',
          '/query/sender_warehouse_id',
          /sender_warehouse_id/,
        ],
        [
          '/total_spent?start_date=2025-01-01&end_date=2025-01-31&currency=EUR',
          '/query/currency',
          /currency/,
        ],
      ];
      for (const [p, path, detail] of cases) {
        const { status, body } = await problem(p);
        expect(status, p).toBe(400);
        expect(body.code, p).toBe('VALIDATION_FAILED');
        expect(body.detail, p).toMatch(detail);
        expect(body.errors?.map((e) => e.path) ?? [], p).toContain(path);
      }
    });

    it('answers 406 for an Accept it cannot serve', async () => {
      const { status, body } = await problem(
        '/total_spent?start_date=2025-01-01&end_date=2025-01-31',
        {
          Accept: 'application/xml',
        },
      );
      expect(status).toBe(406);
      expect(body.detail).toMatch(/application\/json or text\/csv/);
    });

    it('survives hostile strings in every parameter that reaches SQL', async () => {
      const hostile = [
        "'; DROP TABLE sales; --",
        '\\',
        "\\'",
        '%00', // sent raw: a NUL byte once decoded
        'Ünïcödé ✓ 🙂 \u202e',
        'x'.repeat(5000),
        "2025-01-01' OR '1'='1",
        '2025-01-01T00:00:00Z\u0000',
        '$(reboot)',
      ];
      const d = 'start_date=2025-01-01&end_date=2025-01-31';
      const idParams = `warehouse_id=${WAREHOUSES[0]}&product_id=${STOCK_PRODUCTS[0]}`;
      const targets: [string, string, string[]][] = [
        ['/total_spent', d, ['start_date', 'end_date']],
        ['/top_products', `${d}&limit=5`, ['start_date', 'end_date', 'limit']],
        ['/top_suppliers', d, ['start_date', 'end_date', 'limit']],
        ['/feedback', d, ['start_date', 'end_date']],
        ['/analytics/countries', `${d}&by=seller`, ['start_date', 'end_date', 'by']],
        ['/analytics/countries/top-pair', d, ['start_date', 'end_date']],
        ['/analytics/repeat-buyers', 'week_start=2025-01-06', ['week_start']],
        [
          '/analytics/stock-flow',
          `${d}&granularity=day&${idParams}`,
          ['start_date', 'end_date', 'granularity', 'warehouse_id', 'product_id', 'limit'],
        ],
        [
          '/analytics/routes',
          `${d}&sender_warehouse_id=${WAREHOUSES[0]}&receiver_warehouse_id=${WAREHOUSES[1]}`,
          ['start_date', 'end_date', 'sender_warehouse_id', 'receiver_warehouse_id', 'limit'],
        ],
        ['/analytics/in-transit', idParams, ['warehouse_id', 'product_id']],
        [
          '/analytics/stock-history',
          `${d}&granularity=day&${idParams}`,
          ['start_date', 'end_date', 'granularity', 'warehouse_id', 'product_id'],
        ],
      ];
      let requests = 0;
      for (const [route, valid, params] of targets) {
        for (const param of params) {
          for (const value of hostile) {
            const others = valid.split('&').filter((kv) => !kv.startsWith(`${param}=`));
            const encoded = value === '%00' ? value : encodeURIComponent(value);
            const p = `${route}?${[...others, `${param}=${encoded}`].join('&')}`;
            const res = await get(p);
            requests++;
            const body = (await res.json()) as Problem;
            expect(res.status, `${route} ${param}=${value.slice(0, 30)}`).toBe(400);
            expect(JSON.stringify(body.errors), p.slice(0, 120)).toContain(param);
          }
        }
      }
      expect(requests).toBeGreaterThan(250);
      // Valid but unknown ids reach SQL as strings: a correct, empty answer.
      const nobody = uuid(0xfff);
      expect(
        await json(`/analytics/in-transit?warehouse_id=${nobody}&product_id=${nobody}`),
      ).toEqual({ in_transit: [] });
      expect(await json(`/analytics/stock-flow?${d}&warehouse_id=${nobody}`)).toEqual({
        stock_flow: [],
      });
      const tables = await rows<{ name: string }>(
        `SELECT name FROM system.tables WHERE database = '${ch.name}' ORDER BY name`,
      );
      for (const t of [
        'sales',
        'stock_changes',
        'movement_changes',
        'sales_by_product_key_daily',
        'product_keys',
        'sink_positions',
      ]) {
        expect(tables.map((x) => x.name)).toContain(t);
      }
      const [count] = await rows<{ n: string }>(`SELECT count() AS n FROM ${ch.name}.sales`);
      expect(count?.n).toBe('20000');
    });
  });

  describe('caching', () => {
    const p = '/total_spent?start_date=2025-01-01&end_date=2025-01-31';

    it('sends a weak ETag per representation and answers 304 while nothing changed', async () => {
      const res = await get(p);
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^W\/"a[A-Za-z0-9_-]{27}"$/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      for (const ifNoneMatch of [etag, `W/"other", ${etag}`, '*']) {
        const again = await get(p, { 'If-None-Match': ifNoneMatch });
        expect(again.status, ifNoneMatch).toBe(304);
        expect(again.headers.get('etag')).toBe(etag);
        expect(await again.text()).toBe('');
      }
      const csv = await get(p, { Accept: 'text/csv' });
      expect(csv.headers.get('etag')).not.toBe(etag);
      expect((await get(p, { Accept: 'text/csv', 'If-None-Match': etag })).status).toBe(200);
      const other = await get('/total_spent?start_date=2025-01-01&end_date=2025-01-30');
      expect(other.headers.get('etag')).not.toBe(etag);
    });

    it('serves from the cache until new data arrives, then answers with it at once', async () => {
      const before = await get(p);
      const etag = before.headers.get('etag')!;
      const total = cents(((await before.json()) as { total_spent: number }).total_spent);

      // Rewrite a view behind the sink's back (no new offset): the cached answer stands.
      await ch.client.insert({
        table: `${ch.name}.sales_by_category_daily`,
        values: [
          {
            day: '2025-01-20',
            category: 'shoes',
            revenue_cents: 500,
            quantity: 1,
            lines: 1,
          },
        ],
        format: 'JSONEachRow',
      });
      expect(cents((await json<{ total_spent: number }>(p)).total_spent)).toBe(total);

      // One more sale through the raw table moves the watermark: the next answer has both.
      const sale: Sale = {
        order_id: 'O-late',
        product_id: 'P000',
        buyer_id: 'B0000',
        seller_id: 'S00',
        seller_country: 'DE',
        buyer_country: 'FR',
        paid_at: sec('2025-01-15T12:00:00Z'),
        category: 'shoes',
        revenue_cents: 12_345,
        quantity: 1,
      };
      await ch.client.insert({
        table: `${ch.name}.sales`,
        values: [saleRow(sale, 0)],
        format: 'JSONEachRow',
      });
      const after = await get(p, { 'If-None-Match': etag });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(cents(((await after.json()) as { total_spent: number }).total_spent)).toBe(
        total + 12_345n + 500n,
      );
    });
  });

  // Last: it adds sales in April, outside every range above.
  it('top_products: leaves out a product sold only on the days subtracted from a month', async () => {
    const line = (product_id: string, paid: string, quantity: number): Sale => ({
      order_id: `O-${product_id}`,
      product_id,
      buyer_id: 'B0000',
      seller_id: 'S00',
      seller_country: 'DE',
      buyer_country: 'FR',
      paid_at: sec(paid),
      category: 'shoes',
      revenue_cents: 100,
      quantity,
    });
    await ch.client.insert({
      table: `${ch.name}.sales`,
      values: [
        line('PX-before', '2025-04-02T10:00:00Z', 3),
        line('PX-inside', '2025-04-15T10:00:00Z', 2),
      ].map(saleRow),
      format: 'JSONEachRow',
    });
    // April 5–30: all of April from the monthly view, less April 1–4 from the daily one.
    const body = await json<{ top_products: unknown[] }>(
      '/top_products?start_date=2025-04-05&end_date=2025-04-30&limit=100',
    );
    expect(body.top_products).toEqual([{ product_id: 'PX-inside', total_quantity: 2 }]);
  });
});
