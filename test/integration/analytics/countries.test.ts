import { describe, expect, it } from 'vitest';
import { type Sale } from './dataset.js';
import { parseCsv } from './csv.js';
import { analyticsApi } from './fixture.js';
import { cmp, sum, dec, cents, share, group, paidIn, days } from './reference.js';

describe('analytics API', () => {
  const { sales, get, json, batch } = analyticsApi();

  describe('GET /analytics/countries', () => {
    type Row = {
      country: string;
      country_name: string | null;
      continent: string | null;
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

    // This file's Postgres has no countries: every name is unknown (country-names.test.ts has them).
    const unnamed = <T>(w: T) => ({ ...w, country_name: null, continent: null });

    it("gives each seller country's share of revenue and units, like the batch SQL", async () => {
      const body = await json<{ countries: Row[] }>(
        '/analytics/countries?start_date=2025-01-01&end_date=2025-01-31',
      );
      const want = expected(paidIn(sales, ...days('2025-01-01', '2025-01-31')), 'seller');
      expect(body.countries.map((c) => ({ ...c, revenue: cents(c.revenue) }))).toEqual(
        want.map(unnamed),
      );
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
        expected(paidIn(sales, ...days('2025-02-01', '2025-03-01')), 'buyer').map(unnamed),
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
        [
          'country',
          'revenue',
          'revenue_share',
          'items',
          'items_share',
          'country_name',
          'continent',
        ],
        ...want.map((w) => [
          w.country,
          dec(w.revenue),
          String(w.revenue_share),
          String(w.items),
          String(w.items_share),
          '',
          '',
        ]),
      ]);
    });
  });
});
