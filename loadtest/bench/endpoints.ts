// Phase 3 of the analytics benchmark: every analytics endpoint with realistic parameters, the
// same question asked of the raw tables, and a way to compare the two answers.
import { percent } from '../../api/analytics/money.js';
import {
  parseDayRange,
  parseInstantRange,
  parseOpenDayRange,
  parseTwoWeeks,
  splitRange,
} from '../../api/analytics/params.js';
import { countryTotals } from '../../api/analytics/queries/countries.js';
import { topCategories } from '../../api/analytics/queries/feedback.js';
import { inTransit } from '../../api/analytics/queries/in-transit.js';
import { repeatBuyers } from '../../api/analytics/queries/repeat-buyers.js';
import { routeTransit } from '../../api/analytics/queries/route-transit.js';
import type { Analytics } from '../../api/analytics/queries/run.js';
import { stockFlow, type FlowGranularity } from '../../api/analytics/queries/stock-flow.js';
import { stockHistory } from '../../api/analytics/queries/stock-history.js';
import { topCountryPair } from '../../api/analytics/queries/top-country-pair.js';
import { topProducts } from '../../api/analytics/queries/top-products.js';
import { topSuppliers } from '../../api/analytics/queries/top-suppliers.js';
import { totalSpent } from '../../api/analytics/queries/total-spent.js';
import { ch, joinSql, sql, type Sql } from '../../lib/clickhouse/sql.js';
import {
  DAY,
  STOCK_PRODUCTS,
  stockProductUuid,
  WAREHOUSES,
  warehouseUuid,
  YEAR_DAYS,
  YEAR_START,
} from './data.js';

type RawRow = Record<string, unknown>;
type Json = Record<string, unknown>;

/** One request: the endpoint's URL, the same question for the raw tables, and both answers' canonical forms. */
export interface Probe {
  /** The kind of range asked for (day, week, month, year, instants, open, …), for the report. */
  readonly kind: string;
  readonly path: string;
  /** The route's own query function(s), called directly: the view SQL without HTTP. */
  readonly view: (a: Analytics) => Promise<unknown>;
  readonly raw: Sql;
  readonly fromJson: (body: Json) => unknown;
  readonly fromRaw: (rows: RawRow[]) => unknown;
}

export interface EndpointCase {
  readonly name: string;
  /** What the raw question scans, for the report. */
  readonly rawNote: string;
  probe(rand: () => number, i: number): Probe;
}

// ---------------------------------------------------------------------------------------------
// Ranges and formatting

const day = (s: number): string => new Date(s * 1000).toISOString().slice(0, 10);
const instant = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
const dayStart = (d: string): number => Date.parse(`${d}T00:00:00Z`) / 1000;
const int = (rand: () => number, n: number): number => Math.floor(rand() * n);

type DayKind = 'day' | 'week' | 'month' | 'year';
interface Days {
  readonly first: string;
  readonly last: string;
  readonly kind: DayKind;
}

function days(rand: () => number, kind: DayKind): Days {
  if (kind === 'year') return { first: day(YEAR_START), last: day(YEAR_START + (YEAR_DAYS - 1) * DAY), kind }; // prettier-ignore
  if (kind === 'month') {
    const m = int(rand, 12);
    const first = Date.UTC(2025, m, 1) / 1000;
    const next = Date.UTC(2025, m + 1, 1) / 1000;
    return { first: day(first), last: day(next - DAY), kind };
  }
  const length = kind === 'week' ? 7 : 1;
  const start = YEAR_START + int(rand, YEAR_DAYS - length + 1) * DAY;
  return { first: day(start), last: day(start + (length - 1) * DAY), kind };
}

/** Instants [start, end) with partial days at both ends: 1 hour to 45 days. */
function instants(rand: () => number): { start: number; end: number } {
  const length = 3600 + int(rand, 45 * DAY);
  const start = YEAR_START + int(rand, YEAR_DAYS * DAY - length);
  return { start, end: start + length };
}

const DAY_KINDS: readonly DayKind[] = ['day', 'week', 'month', 'year'];
const kindOf = <T>(kinds: readonly T[], i: number): T => kinds[i % kinds.length]!;

/** `[start, end)` in epoch seconds of whole days first..last. */
const span = (d: { first: string; last: string }) => ({
  start: dayStart(d.first),
  end: dayStart(d.last) + DAY,
});

const qs = (params: Record<string, string | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
};

const paidIn = (r: { start: number; end: number }, column = sql`paid_at`): Sql =>
  sql`${column} >= ${ch.dateTime(new Date(r.start * 1000))} AND ${column} < ${ch.dateTime(new Date(r.end * 1000))}`;

/** Money from a JSON number back to exact cents. */
const cents = (n: unknown): string => String(Math.round(Number(n) * 100));
const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
const num = (v: unknown): number => Number(v);
const list = (body: Json, key: string): Json[] => (body[key] as Json[] | undefined) ?? [];

// ---------------------------------------------------------------------------------------------
// The endpoints

/** Instant range params (date or date-time bounds), as total_spent and top_products take them. */
function instantParams(rand: () => number, i: number) {
  const kind = kindOf([...DAY_KINDS, 'instants'] as const, i);
  if (kind === 'instants') {
    const r = instants(rand);
    return {
      kind,
      query: { start_date: instant(r.start), end_date: instant(r.end - 1) },
      range: r,
    };
  }
  const d = days(rand, kind);
  return { kind, query: { start_date: d.first, end_date: d.last }, range: span(d) };
}

/** Whole-day params, open (all time) every fifth time. */
function openDayParams(rand: () => number, i: number) {
  const kind = kindOf([...DAY_KINDS, 'open'] as const, i);
  if (kind === 'open') return { kind: 'all time', query: {}, where: sql`1` };
  const d = days(rand, kind);
  return { kind, query: { start_date: d.first, end_date: d.last }, where: paidIn(span(d)) };
}

function dayParams(rand: () => number, i: number) {
  const d = days(rand, kindOf(DAY_KINDS, i));
  return { kind: d.kind, query: { start_date: d.first, end_date: d.last }, d };
}

export function endpointCases(database: string): EndpointCase[] {
  const db = ch.identifier(database);

  const totalSpentCase: EndpointCase = {
    name: 'total_spent',
    rawNote: 'sum over sales rows in range',
    probe(rand, i) {
      const p = instantParams(rand, i);
      return {
        kind: p.kind,
        path: `/total_spent${qs(p.query)}`,
        view: (a) => totalSpent(a, splitRange(parseInstantRange(p.query))),
        raw: sql`SELECT toString(sum(revenue_cents)) AS v FROM ${db}.sales WHERE ${paidIn(p.range)}`,
        fromJson: (b) => cents(b.total_spent),
        fromRaw: (rows) => str(rows[0]?.v),
      };
    },
  };

  const topProductsCase: EndpointCase = {
    name: 'top_products',
    rawNote: 'GROUP BY product over sales in range',
    probe(rand, i) {
      const p = instantParams(rand, i);
      const limit = i % 5 === 4 ? 100 : 10;
      const query = { ...p.query, limit: String(limit) };
      return {
        kind: p.kind,
        path: `/top_products${qs(query)}`,
        view: (a) => topProducts(a, splitRange(parseInstantRange(query)), limit),
        raw: sql`SELECT product_id, toString(sum(toUInt64(quantity))) AS q FROM ${db}.sales
          WHERE ${paidIn(p.range)} GROUP BY product_id
          ORDER BY sum(toUInt64(quantity)) DESC, product_id ASC LIMIT ${ch.uint(limit)}`,
        fromJson: (b) => list(b, 'top_products').map((x) => [x.product_id, str(x.total_quantity)]),
        fromRaw: (rows) => rows.map((r) => [r.product_id, str(r.q)]),
      };
    },
  };

  const topSuppliersCase: EndpointCase = {
    name: 'top_suppliers',
    rawNote: 'uniqExact(order_id) per seller over sales',
    probe(rand, i) {
      const p = openDayParams(rand, i);
      return {
        kind: p.kind,
        path: `/top_suppliers${qs(p.query)}`,
        view: async (a) => (await topSuppliers(a, parseOpenDayRange(p.query), 5)).sellers,
        raw: sql`SELECT seller_id, uniqExact(order_id) AS n, toString(sum(revenue_cents)) AS r
          FROM ${db}.sales WHERE ${p.where}
          GROUP BY seller_id ORDER BY n DESC, seller_id ASC LIMIT 5`,
        fromJson: (b) =>
          list(b, 'top_suppliers').map((x) => [x.seller_id, str(x.order_count), cents(x.revenue)]),
        fromRaw: (rows) => rows.map((r) => [r.seller_id, str(r.n), str(r.r)]),
      };
    },
  };

  const feedbackCase: EndpointCase = {
    name: 'feedback',
    rawNote: 'GROUP BY category over sales',
    probe(rand, i) {
      const p = openDayParams(rand, i);
      return {
        kind: p.kind,
        path: `/feedback${qs(p.query)}`,
        view: (a) => topCategories(a, parseOpenDayRange(p.query), 3),
        raw: sql`SELECT category, count() AS c, toString(sum(revenue_cents)) AS r
          FROM ${db}.sales WHERE ${p.where}
          GROUP BY category ORDER BY c DESC, category ASC LIMIT 3`,
        fromJson: (b) =>
          list(b, 'feedback').map((x) => [x.category, str(x.count), cents(x.total_revenue)]),
        fromRaw: (rows) => rows.map((r) => [r.category, str(r.c), str(r.r)]),
      };
    },
  };

  const countriesCase = (side: 'seller' | 'buyer'): EndpointCase => ({
    name: `countries?by=${side}`,
    rawNote: `GROUP BY ${side}_country over sales`,
    probe(rand, i) {
      const p = dayParams(rand, i);
      const query = { ...p.query, by: side };
      const column = ch.identifier(`${side}_country`);
      return {
        kind: p.kind,
        path: `/analytics/countries${qs(query)}`,
        view: (a) => countryTotals(a, parseDayRange(query), side),
        raw: sql`SELECT ${column} AS country, toString(sum(revenue_cents)) AS r,
            toString(sum(toUInt64(quantity))) AS q
          FROM ${db}.sales WHERE ${paidIn(span(p.d))}
          GROUP BY country ORDER BY sum(revenue_cents) DESC, country ASC`,
        fromJson: (b) =>
          list(b, 'countries').map((x) => [
            x.country,
            cents(x.revenue),
            x.revenue_share,
            x.items,
            x.items_share,
          ]),
        fromRaw: (rows) => {
          const revenue = rows.reduce((s, r) => s + BigInt(str(r.r)), 0n);
          const items = rows.reduce((s, r) => s + BigInt(str(r.q)), 0n);
          return rows.map((r) => [
            r.country,
            str(r.r),
            percent(BigInt(str(r.r)), revenue),
            num(r.q),
            percent(BigInt(str(r.q)), items),
          ]);
        },
      };
    },
  });

  const topPairCase: EndpointCase = {
    name: 'countries/top-pair',
    rawNote: 'GROUP BY country pair over sales',
    probe(rand, i) {
      const p = dayParams(rand, i);
      return {
        kind: p.kind,
        path: `/analytics/countries/top-pair${qs(p.query)}`,
        view: (a) => topCountryPair(a, parseDayRange(p.query)),
        raw: sql`SELECT if(seller_country < buyer_country, seller_country, buyer_country) AS a,
            if(seller_country < buyer_country, buyer_country, seller_country) AS b,
            toString(sum(revenue_cents)) AS r
          FROM ${db}.sales WHERE ${paidIn(span(p.d))} AND seller_country != buyer_country
          GROUP BY a, b ORDER BY sum(revenue_cents) DESC, a ASC, b ASC LIMIT 1`,
        fromJson: (b) => [b.country_a, b.country_b, cents(b.revenue)],
        fromRaw: (rows) => [rows[0]?.a, rows[0]?.b, str(rows[0]?.r)],
      };
    },
  };

  const repeatBuyersCase: EndpointCase = {
    name: 'repeat-buyers',
    rawNote: 'uniqExact(order_id) per buyer over 14 days of sales',
    probe(rand) {
      const start = YEAR_START + int(rand, YEAR_DAYS - 13) * DAY;
      const query = { week_start: day(start) };
      return {
        kind: 'two weeks',
        path: `/analytics/repeat-buyers${qs(query)}`,
        view: (a) => repeatBuyers(a, parseTwoWeeks(query)),
        raw: sql`SELECT count() AS buyers, toString(sum(w1)) AS r1, toString(sum(w2)) AS r2 FROM (
            SELECT buyer_id, uniqExact(order_id) AS orders,
                   sumIf(revenue_cents, paid_at < ${ch.dateTime(new Date((start + 7 * DAY) * 1000))}) AS w1,
                   sumIf(revenue_cents, paid_at >= ${ch.dateTime(new Date((start + 7 * DAY) * 1000))}) AS w2
            FROM ${db}.sales WHERE ${paidIn({ start, end: start + 14 * DAY })}
            GROUP BY buyer_id HAVING orders >= 2)`,
        fromJson: (b) => [
          str(b.repeat_buyers),
          cents((b.week_1 as Json).revenue),
          cents((b.week_2 as Json).revenue),
        ],
        fromRaw: (rows) => [str(rows[0]?.buyers), str(rows[0]?.r1), str(rows[0]?.r2)],
      };
    },
  };

  const warehouse = (rand: () => number) => warehouseUuid(int(rand, WAREHOUSES));
  const product = (rand: () => number) => stockProductUuid(int(rand, STOCK_PRODUCTS));
  const flowPeriod: Record<FlowGranularity, Sql> = {
    day: sql`toDate(occurred_at)`,
    week: sql`toMonday(toDate(occurred_at))`,
    month: sql`toStartOfMonth(toDate(occurred_at))`,
  };

  const stockFlowCase: EndpointCase = {
    name: 'stock-flow',
    rawNote: 'GROUP BY period, warehouse, product over stock_changes',
    probe(rand, i) {
      const p = dayParams(rand, i);
      const granularity = kindOf(['day', 'week', 'month'] as const, Math.floor(i / 4));
      const filter = kindOf(['none', 'warehouse', 'product', 'both'] as const, Math.floor(i / 12));
      const warehouseId = filter === 'warehouse' || filter === 'both' ? warehouse(rand) : null;
      const productId = filter === 'product' || filter === 'both' ? product(rand) : null;
      const query = {
        ...p.query,
        granularity,
        ...(warehouseId ? { warehouse_id: warehouseId } : {}),
        ...(productId ? { product_id: productId } : {}),
      };
      const conditions = [paidIn(span(p.d), sql`occurred_at`)];
      if (warehouseId) conditions.push(sql`warehouse_id = ${ch.string(warehouseId)}`);
      if (productId) conditions.push(sql`product_id = ${ch.string(productId)}`);
      return {
        kind: p.kind,
        path: `/analytics/stock-flow${qs(query)}`,
        view: (a) =>
          stockFlow(a, parseDayRange(query), granularity, { warehouseId, productId }, 1000),
        raw: sql`SELECT toString(${flowPeriod[granularity]}) AS period, warehouse_id, product_id,
            sumIf(delta, reason = 'arrival') AS i, sumIf(-delta, reason = 'departure') AS o
          FROM ${db}.stock_changes WHERE ${joinSql(conditions, sql` AND `)}
          GROUP BY period, warehouse_id, product_id HAVING i != 0 OR o != 0
          ORDER BY period, warehouse_id, product_id LIMIT 1000`,
        fromJson: (b) =>
          list(b, 'stock_flow').map((x) => [
            x.period,
            x.warehouse_id,
            x.product_id,
            num(x.inbound),
            num(x.outbound),
          ]),
        fromRaw: (rows) =>
          rows.map((r) => [r.period, r.warehouse_id, r.product_id, num(r.i), num(r.o)]),
      };
    },
  };

  const routesCase: EndpointCase = {
    name: 'routes',
    rawNote: 'quantilesExact per route over movement_changes',
    probe(rand, i) {
      const p = dayParams(rand, i);
      const senderId = Math.floor(i / 4) % 2 === 1 ? warehouse(rand) : null;
      const query = { ...p.query, ...(senderId ? { sender_warehouse_id: senderId } : {}) };
      const conditions = [
        sql`status = 'completed' AND previous_status != 'completed'`,
        paidIn(span(p.d), sql`arrived_at`),
      ];
      if (senderId) conditions.push(sql`sender_warehouse_id = ${ch.string(senderId)}`);
      return {
        kind: p.kind,
        path: `/analytics/routes${qs(query)}`,
        view: (a) => routeTransit(a, parseDayRange(query), { senderId, receiverId: null }, 100),
        raw: sql`SELECT sender_warehouse_id AS s, receiver_warehouse_id AS r, count() AS n,
            quantilesExact(0.5, 0.9, 0.99)(toInt64(arrived_at) - toInt64(departed_at)) AS q,
            sum(departure_quantity) AS sent, sum(arrival_quantity) AS received,
            sum(if(departure_quantity > arrival_quantity, departure_quantity - arrival_quantity, 0)) AS lost
          FROM ${db}.movement_changes WHERE ${joinSql(conditions, sql` AND `)}
          GROUP BY s, r ORDER BY n DESC, s ASC, r ASC LIMIT 100`,
        fromJson: (b) =>
          list(b, 'routes').map((x) => [
            x.sender_warehouse_id,
            x.receiver_warehouse_id,
            x.movements,
            x.transit_p50_seconds,
            x.transit_p90_seconds,
            x.transit_p99_seconds,
            x.sent,
            x.received,
            x.lost,
          ]),
        fromRaw: (rows) =>
          rows.map((r) => {
            const q = (r.q as unknown[]).map(num);
            return [
              r.s,
              r.r,
              num(r.n),
              q[0],
              q[1],
              q[2],
              num(r.sent),
              num(r.received),
              num(r.lost),
            ];
          }),
      };
    },
  };

  const inTransitCase: EndpointCase = {
    name: 'in-transit',
    rawNote: 'latest version per movement over movement_changes',
    probe(rand, i) {
      const filter = kindOf(['none', 'warehouse', 'product'] as const, i);
      const warehouseId = filter === 'warehouse' ? warehouse(rand) : null;
      const productId = filter === 'product' ? product(rand) : null;
      const query = {
        ...(warehouseId ? { warehouse_id: warehouseId } : {}),
        ...(productId ? { product_id: productId } : {}),
      };
      const conditions = [sql`status = 'in_transit'`];
      if (warehouseId) conditions.push(sql`sender_warehouse_id = ${ch.string(warehouseId)}`);
      if (productId) conditions.push(sql`product_id = ${ch.string(productId)}`);
      return {
        kind: filter === 'none' ? 'all' : `one ${filter}`,
        path: `/analytics/in-transit${qs(query)}`,
        view: (a) => inTransit(a, { warehouseId, productId }),
        raw: sql`SELECT sender_warehouse_id, product_id, sum(quantity) AS units, count() AS moving
          FROM (
            SELECT movement_id, argMax(status, version) AS status,
                   argMax(sender_warehouse_id, version) AS sender_warehouse_id,
                   argMax(product_id, version) AS product_id,
                   argMax(departure_quantity, version) AS quantity
            FROM ${db}.movement_changes GROUP BY movement_id)
          WHERE ${joinSql(conditions, sql` AND `)}
          GROUP BY sender_warehouse_id, product_id HAVING units > 0
          ORDER BY units DESC, sender_warehouse_id ASC, product_id ASC`,
        fromJson: (b) =>
          list(b, 'in_transit').map((x) => [
            x.sender_warehouse_id,
            x.product_id,
            x.quantity,
            x.movements,
          ]),
        fromRaw: (rows) =>
          rows.map((r) => [r.sender_warehouse_id, r.product_id, num(r.units), num(r.moving)]),
      };
    },
  };

  const historyPeriod = {
    hour: sql`toStartOfHour(occurred_at)`,
    day: sql`toDate(occurred_at)`,
    week: sql`toMonday(occurred_at)`,
    month: sql`toStartOfMonth(occurred_at)`,
  } as const;

  const stockHistoryCase: EndpointCase = {
    name: 'stock-history',
    rawNote: 'the endpoint itself reads raw stock_changes (key prefix)',
    probe(rand, i) {
      const p = instantParams(rand, i);
      const granularity = kindOf(['hour', 'day', 'week', 'month'] as const, Math.floor(i / 5));
      const key = { warehouseId: warehouse(rand), productId: product(rand) };
      const query = {
        ...p.query,
        warehouse_id: key.warehouseId,
        product_id: key.productId,
        granularity,
      };
      return {
        kind: p.kind,
        path: `/analytics/stock-history${qs(query)}`,
        view: (a) => stockHistory(a, key, parseInstantRange(query), granularity),
        raw: sql`SELECT toUInt32(toDateTime(${historyPeriod[granularity]}, 'UTC')) AS p,
            argMax(balance, ledger_id) AS b, sumIf(delta, reason = 'arrival') AS i,
            sumIf(-delta, reason = 'departure') AS o
          FROM ${db}.stock_changes
          WHERE warehouse_id = ${ch.string(key.warehouseId)} AND product_id = ${ch.string(key.productId)}
            AND ${paidIn(p.range, sql`occurred_at`)}
          GROUP BY p ORDER BY p`,
        fromJson: (b) =>
          list(b, 'stock_history').map((x) => [
            Date.parse(str(x.period)) / 1000,
            x.balance,
            x.inbound,
            x.outbound,
          ]),
        fromRaw: (rows) => rows.map((r) => [num(r.p), num(r.b), num(r.i), num(r.o)]),
      };
    },
  };

  return [
    totalSpentCase,
    topProductsCase,
    topSuppliersCase,
    feedbackCase,
    countriesCase('seller'),
    countriesCase('buyer'),
    topPairCase,
    repeatBuyersCase,
    stockFlowCase,
    routesCase,
    inTransitCase,
    stockHistoryCase,
  ];
}
