import { centsToDecimal, centsToNumber } from '../money.js';
import { parseOpenDayRange } from '../params.js';
import { topCategories } from '../queries/feedback.js';
import { defineRoute } from '../serve.js';

const FEEDBACK_CATEGORIES = 3;

/** GET /feedback: the three most common sale categories, with their revenue. */
export const feedbackRoute = defineRoute({
  path: '/feedback',
  parse: (q) => ({ days: parseOpenDayRange(q) }),
  compute: async (a, { days }) => {
    const top = await topCategories(a, days, FEEDBACK_CATEGORIES);
    return {
      json: {
        feedback: top.map((c) => ({
          category: c.category,
          count: c.count,
          total_revenue: centsToNumber(c.revenue_cents),
        })),
      },
      table: {
        columns: ['category', 'count', 'total_revenue'],
        rows: top.map((c) => [c.category, c.count, centsToDecimal(c.revenue_cents)]),
      },
    };
  },
});
