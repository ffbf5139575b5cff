import { centsToDecimal, centsToNumber, percent } from '../money.js';
import { parseTwoWeeks } from '../params.js';
import { repeatBuyers } from '../queries/repeat-buyers.js';
import { defineRoute } from '../serve.js';

/** GET /analytics/repeat-buyers: revenue of repeat buyers, week over week. */
export const repeatBuyersRoute = defineRoute({
  path: '/analytics/repeat-buyers',
  parse: (q) => ({ weeks: parseTwoWeeks(q) }),
  compute: async (a, { weeks }) => {
    const r = await repeatBuyers(a, weeks);
    const change = r.week2_cents - r.week1_cents;
    const changePct = percent(change, r.week1_cents);
    const w1 = { start: weeks.week1.first, end: weeks.week1.last };
    const w2 = { start: weeks.week2.first, end: weeks.week2.last };
    return {
      json: {
        repeat_buyers: r.buyers,
        week_1: { ...w1, revenue: centsToNumber(r.week1_cents) },
        week_2: { ...w2, revenue: centsToNumber(r.week2_cents) },
        change: centsToNumber(change),
        change_pct: changePct,
      },
      table: {
        columns: [
          'repeat_buyers',
          'week_1_start',
          'week_1_end',
          'week_1_revenue',
          'week_2_start',
          'week_2_end',
          'week_2_revenue',
          'change',
          'change_pct',
        ],
        rows: [
          [
            r.buyers,
            w1.start,
            w1.end,
            centsToDecimal(r.week1_cents),
            w2.start,
            w2.end,
            centsToDecimal(r.week2_cents),
            centsToDecimal(change),
            changePct,
          ],
        ],
      },
    };
  },
});
