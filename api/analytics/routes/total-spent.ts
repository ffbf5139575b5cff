import { centsToDecimal, centsToNumber } from '../money.js';
import { parseInstantRange, splitRange } from '../params.js';
import { totalSpent } from '../queries/total-spent.js';
import { defineRoute } from '../serve.js';

/** GET /total_spent: revenue of the sale lines paid in a period. */
export const totalSpentRoute = defineRoute({
  path: '/total_spent',
  parse: (q) => ({ range: parseInstantRange(q) }),
  compute: async (a, { range }) => {
    const cents = await totalSpent(a, splitRange(range));
    return {
      json: { total_spent: centsToNumber(cents) },
      table: { columns: ['total_spent'], rows: [[centsToDecimal(cents)]] },
    };
  },
});
