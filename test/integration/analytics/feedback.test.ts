import { describe, expect, it } from 'vitest';
import { type Sale } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { cmp, sum, cents, group, paidIn, days } from './reference.js';

describe('analytics API', () => {
  const { sales, json } = analyticsApi();

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
});
