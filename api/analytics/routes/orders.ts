import { centsToDecimal, centsToNumber } from '../money.js';
import { parseDayRange, parseGranularity } from '../params.js';
import { orderAnalytics, type OrderFigures } from '../queries/orders.js';
import { defineRoute } from '../serve.js';

/** Milliseconds as seconds: exact to the millisecond (1234 → 1.234). */
const seconds = (ms: number): number => ms / 1000;

/** The figures of a period or of the whole range, as the JSON answer shows them. */
function shown(f: OrderFigures) {
  return {
    orders: f.orders,
    completed: f.completed,
    failed: f.failed,
    revenue: centsToNumber(f.revenue_cents),
    processing_time_seconds:
      f.processing_ms === null
        ? { p50: null, p95: null, p99: null }
        : {
            p50: seconds(f.processing_ms.p50),
            p95: seconds(f.processing_ms.p95),
            p99: seconds(f.processing_ms.p99),
          },
  };
}

/**
 * GET /analytics/orders: orders accepted, completed and failed per day, week or month, the
 * revenue of the completed ones and their processing-time quantiles, with totals over the range.
 */
export const ordersRoute = defineRoute({
  path: '/analytics/orders',
  parse: (q) => ({
    days: parseDayRange(q),
    granularity: parseGranularity(
      q,
      ['day', 'week', 'month'],
      'day',
      'is not available: orders are kept per day, so the finest period is a day',
    ),
  }),
  compute: async (a, p) => {
    const { periods, totals } = await orderAnalytics(a, p.days, p.granularity);
    const columns = [
      'period',
      'orders',
      'completed',
      'failed',
      'revenue',
      'processing_p50_seconds',
      'processing_p95_seconds',
      'processing_p99_seconds',
    ] as const;
    return {
      json: {
        start_date: p.days.first,
        end_date: p.days.last,
        granularity: p.granularity,
        buckets: periods.map((b) => ({ period: b.period, ...shown(b) })),
        totals: shown(totals),
      },
      table: {
        columns,
        rows: periods.map((b) => {
          const t = shown(b).processing_time_seconds;
          return [
            b.period,
            b.orders,
            b.completed,
            b.failed,
            centsToDecimal(b.revenue_cents),
            t.p50,
            t.p95,
            t.p99,
          ];
        }),
      },
    };
  },
});
