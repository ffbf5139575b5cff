import { describe, expect, it } from 'vitest';
import { DAY, WAREHOUSES, STOCK_PRODUCTS } from './dataset.js';
import { parseCsv } from './csv.js';
import { analyticsApi, type Problem } from './fixture.js';
import { cmp, sum, dayOf, group, days } from './reference.js';

describe('analytics API', () => {
  const { stock, get, json } = analyticsApi();

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
});
