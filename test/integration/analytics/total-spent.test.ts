import { describe, expect, it } from 'vitest';
import { sec } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { sum, cents, paidIn, days } from './reference.js';

describe('analytics API', () => {
  const { sales, ch, json, rows } = analyticsApi();

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
});
