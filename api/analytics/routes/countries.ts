import { centsToDecimal, centsToNumber, percent } from '../money.js';
import { parseDayRange, parseSide } from '../params.js';
import { countryTotals } from '../queries/countries.js';
import { defineRoute } from '../serve.js';

/** GET /analytics/countries: each seller (or buyer) country's share of revenue and units sold. */
export const countriesRoute = defineRoute({
  path: '/analytics/countries',
  parse: (q) => ({ days: parseDayRange(q), by: parseSide(q) }),
  compute: async (a, { days, by }) => {
    const totals = await countryTotals(a, days, by);
    const revenue = totals.reduce((sum, c) => sum + c.revenue_cents, 0n);
    const items = totals.reduce((sum, c) => sum + c.items, 0n);
    const countries = totals.map((c) => ({
      country: c.country,
      revenue_cents: c.revenue_cents,
      revenue_share: percent(c.revenue_cents, revenue),
      items: Number(c.items),
      items_share: percent(c.items, items),
    }));
    return {
      json: {
        countries: countries.map((c) => ({
          country: c.country,
          revenue: centsToNumber(c.revenue_cents),
          revenue_share: c.revenue_share,
          items: c.items,
          items_share: c.items_share,
        })),
      },
      table: {
        columns: ['country', 'revenue', 'revenue_share', 'items', 'items_share'],
        rows: countries.map((c) => [
          c.country,
          centsToDecimal(c.revenue_cents),
          c.revenue_share,
          c.items,
          c.items_share,
        ]),
      },
    };
  },
});
