import { NotFoundError } from '../../../lib/errors.js';
import { countryNames, namesOf } from '../country-names.js';
import { centsToDecimal, centsToNumber } from '../money.js';
import { parseDayRange } from '../params.js';
import { topCountryPair } from '../queries/top-country-pair.js';
import { defineNamedRoute } from '../serve.js';

/**
 * GET /analytics/countries/top-pair: the two countries with the highest revenue between them,
 * with their names and continents where known; 404 without a sale between two different
 * countries in the days.
 */
export const topCountryPairRoute = defineNamedRoute({
  path: '/analytics/countries/top-pair',
  parse: (q) => ({ days: parseDayRange(q) }),
  compute: async (a, { days }) => {
    const pair = await topCountryPair(a, days);
    if (!pair) {
      throw new NotFoundError(
        `no sale between two different countries from ${days.first} to ${days.last}`,
      );
    }
    return pair;
  },
  lookup: (pool, pair) => countryNames(pool, [pair.country_a, pair.country_b]),
  render: (pair, found) => {
    const named = namesOf(found);
    const a = named(pair.country_a);
    const b = named(pair.country_b);
    return {
      json: {
        country_a: pair.country_a,
        country_a_name: a.name,
        country_a_continent: a.continent,
        country_b: pair.country_b,
        country_b_name: b.name,
        country_b_continent: b.continent,
        revenue: centsToNumber(pair.revenue_cents),
      },
      table: {
        // The names go last: a reader of the columns as they were finds them where they were.
        columns: [
          'country_a',
          'country_b',
          'revenue',
          'country_a_name',
          'country_a_continent',
          'country_b_name',
          'country_b_continent',
        ],
        rows: [
          [
            pair.country_a,
            pair.country_b,
            centsToDecimal(pair.revenue_cents),
            a.name,
            a.continent,
            b.name,
            b.continent,
          ],
        ],
      },
    };
  },
});
