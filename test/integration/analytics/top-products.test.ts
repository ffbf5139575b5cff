import { describe, expect, it } from 'vitest';
import { type Sale, sec } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { cmp, sum, group, paidIn, days } from './reference.js';

describe('analytics API', () => {
  const { sales, ch, json, saleRow } = analyticsApi();

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

  // It adds sales in April 2026, outside every range of the tests above, whatever their order.
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
        line('PX-before', '2026-04-02T10:00:00Z', 3),
        line('PX-inside', '2026-04-15T10:00:00Z', 2),
      ].map(saleRow),
      format: 'JSONEachRow',
    });
    // April 5–30: all of April from the monthly view, less April 1–4 from the daily one.
    const body = await json<{ top_products: unknown[] }>(
      '/top_products?start_date=2026-04-05&end_date=2026-04-30&limit=100',
    );
    expect(body.top_products).toEqual([{ product_id: 'PX-inside', total_quantity: 2 }]);
  });
});

function expectTopProducts(lines: readonly Sale[], limit: number) {
  return [...group(lines, (s) => s.product_id)]
    .map(([product_id, ls]) => ({
      product_id,
      total_quantity: Number(sum(ls.map((l) => l.quantity))),
    }))
    .sort((a, b) => b.total_quantity - a.total_quantity || cmp(a.product_id, b.product_id))
    .slice(0, limit);
}
