import { describe, expect, it } from 'vitest';
import { type Sale } from './dataset.js';
import { analyticsApi, type Problem } from './fixture.js';
import { cmp, sum, dec, cents, group, paidIn, days } from './reference.js';

describe('analytics API', () => {
  const { sales, get, json, batch } = analyticsApi();

  describe('GET /analytics/countries/top-pair', () => {
    const expected = (lines: readonly Sale[]) => {
      const pairs = group(
        lines.filter((s) => s.seller_country !== s.buyer_country),
        (s) => [s.seller_country, s.buyer_country].sort(cmp).join('\u0000'),
      );
      return [...pairs]
        .map(([key, ls]) => {
          const [country_a = '', country_b = ''] = key.split('\u0000');
          return { country_a, country_b, revenue: sum(ls.map((l) => l.revenue_cents)) };
        })
        .sort((x, y) =>
          x.revenue === y.revenue
            ? cmp(x.country_a, y.country_a) || cmp(x.country_b, y.country_b)
            : x.revenue > y.revenue
              ? -1
              : 1,
        )[0]!;
    };

    it('finds the pair with the most revenue between them, either way, like the batch SQL', async () => {
      for (const [first, last] of [
        ['2025-01-01', '2025-01-31'],
        ['2025-02-10', '2025-02-10'],
      ] as const) {
        const body = await json<{ country_a: string; country_b: string; revenue: number }>(
          `/analytics/countries/top-pair?start_date=${first}&end_date=${last}`,
        );
        const want = expected(paidIn(sales, ...days(first, last)));
        // This file's Postgres has no countries: the names are unknown.
        expect({ ...body, revenue: cents(body.revenue) }).toEqual({
          ...want,
          country_a_name: null,
          country_a_continent: null,
          country_b_name: null,
          country_b_continent: null,
        });
        const [sqlRow] = await batch<{
          country_a: string;
          country_b: string;
          revenue_cents_total: string;
          revenue: string;
        }>('top_country_relationships.sql', {
          "'2021-01-01'": `'${first}'`,
          "'2021-01-31'": `'${last}'`,
        });
        expect(sqlRow).toEqual({
          country_a: want.country_a,
          country_b: want.country_b,
          revenue_cents_total: String(want.revenue),
          revenue: dec(want.revenue),
        });
      }
    });

    it('answers 404 when no sale crossed a border in the range', async () => {
      const res = await get(
        '/analytics/countries/top-pair?start_date=2024-01-01&end_date=2024-01-31',
      );
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as Problem).detail).toBe(
        'no sale between two different countries from 2024-01-01 to 2024-01-31',
      );
    });
  });
});
