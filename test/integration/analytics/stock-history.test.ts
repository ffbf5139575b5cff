import { describe, expect, it } from 'vitest';
import { uuid, sec, DAY, WAREHOUSES, STOCK_PRODUCTS } from './dataset.js';
import { analyticsApi, type Problem } from './fixture.js';
import { cmp, sum, dayOf, group, days } from './reference.js';

describe('analytics API', () => {
  const { stock, get, json } = analyticsApi();

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
});
