import { countryNames, namesOf } from '../country-names.js';
import { centsToDecimal, centsToNumber, percent } from '../money.js';
import { parseDayRange, parseSide } from '../params.js';
import { countryTotals } from '../queries/countries.js';
import { defineNamedRoute } from '../serve.js';

/**
 * GET /analytics/countries: each seller (or buyer) country's share of revenue and units sold,
 * with its name and continent where the countries reference data has them.
 */
export const countriesRoute = defineNamedRoute({
  path: '/analytics/countries',
  parse: (q) => ({ days: parseDayRange(q), by: parseSide(q) }),
  compute: async (a, { days, by }) => {
    const totals = await countryTotals(a, days, by);
    const revenue = totals.reduce((sum, c) => sum + c.revenue_cents, 0n);
    const items = totals.reduce((sum, c) => sum + c.items, 0n);
    return totals.map((c) => ({
      country: c.country,
      revenue_cents: c.revenue_cents,
      revenue_share: percent(c.revenue_cents, revenue),
      items: Number(c.items),
      items_share: percent(c.items, items),
    }));
  },
  lookup: (pool, countries) =>
    countryNames(
      pool,
      countries.map((c) => c.country),
    ),
  render: (countries, found) => {
    const named = namesOf(found);
    const rows = countries.map((c) => ({ ...c, ...named(c.country) }));
    return {
      json: {
        countries: rows.map((c) => ({
          country: c.country,
          country_name: c.name,
          continent: c.continent,
          revenue: centsToNumber(c.revenue_cents),
          revenue_share: c.revenue_share,
          items: c.items,
          items_share: c.items_share,
        })),
      },
      table: {
        // The names go last: a reader of the columns as they were finds them where they were.
        columns: [
          'country',
          'revenue',
          'revenue_share',
          'items',
          'items_share',
          'country_name',
          'continent',
        ],
        rows: rows.map((c) => [
          c.country,
          centsToDecimal(c.revenue_cents),
          c.revenue_share,
          c.items,
          c.items_share,
          c.name,
          c.continent,
        ]),
      },
    };
  },
});
