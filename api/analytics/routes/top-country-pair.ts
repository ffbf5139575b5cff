import { NotFoundError } from '../../../lib/errors.js';
import { centsToDecimal, centsToNumber } from '../money.js';
import { parseDayRange } from '../params.js';
import { topCountryPair } from '../queries/top-country-pair.js';
import { defineRoute } from '../serve.js';

/**
 * GET /analytics/countries/top-pair: the two countries with the highest revenue between them;
 * 404 without a sale between two different countries in the days.
 */
export const topCountryPairRoute = defineRoute({
  path: '/analytics/countries/top-pair',
  parse: (q) => ({ days: parseDayRange(q) }),
  compute: async (a, { days }) => {
    const pair = await topCountryPair(a, days);
    if (!pair) {
      throw new NotFoundError(
        `no sale between two different countries from ${days.first} to ${days.last}`,
      );
    }
    return {
      json: {
        country_a: pair.country_a,
        country_b: pair.country_b,
        revenue: centsToNumber(pair.revenue_cents),
      },
      table: {
        columns: ['country_a', 'country_b', 'revenue'],
        rows: [[pair.country_a, pair.country_b, centsToDecimal(pair.revenue_cents)]],
      },
    };
  },
});
