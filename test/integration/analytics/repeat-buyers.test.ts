import { describe, expect, it } from 'vitest';
import { sec, DAY } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { sum, dec, cents, share, dayOf, group, paidIn } from './reference.js';

describe('analytics API', () => {
  const { sales, json, batch } = analyticsApi();

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
});
