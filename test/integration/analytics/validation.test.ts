import { describe, expect, it } from 'vitest';
import { uuid, WAREHOUSES, STOCK_PRODUCTS } from './dataset.js';
import { analyticsApi, type Problem } from './fixture.js';

describe('analytics API', () => {
  const { ch, get, json, rows } = analyticsApi();

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
          '/analytics/orders?start_date=2025-01-01&end_date=2025-01-31&granularity=hour',
          '/query/granularity',
          /granularity hour is not available/,
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
        ['/analytics/orders', `${d}&granularity=week`, ['start_date', 'end_date', 'granularity']],
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
      expect(await json(`/analytics/orders?${d}`)).toEqual({
        start_date: '2025-01-01',
        end_date: '2025-01-31',
        granularity: 'day',
        buckets: [],
        totals: {
          orders: 0,
          completed: 0,
          failed: 0,
          revenue: 0,
          processing_time_seconds: { p50: null, p95: null, p99: null },
        },
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
        'order_changes',
        'orders_daily',
      ]) {
        expect(tables.map((x) => x.name)).toContain(t);
      }
      const [count] = await rows<{ n: string }>(`SELECT count() AS n FROM ${ch.name}.sales`);
      expect(count?.n).toBe('20000');
    });
  });
});
