import { describe, expect, it } from 'vitest';
import { type Sale, sec } from './dataset.js';
import { analyticsApi, type Problem } from './fixture.js';
import { cmp, sum, cents, group, paidIn, days } from './reference.js';

describe('analytics API', () => {
  const { sales, get, json } = analyticsApi();

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
});
