import { describe, expect, it } from 'vitest';
import { analytics } from '../../api/analytics/queries/run.js';
import { ordersRoute } from '../../api/analytics/routes/orders.js';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';

// GET /analytics/orders from what ClickHouse answers (JSON format, WITH TOTALS): counts, cents
// and milliseconds as 18.16 sends them (64-bit integers as strings) or as current versions may
// (numbers), money as an exact decimal, quantiles as seconds, null where nothing completed.

function answering(data: unknown[], totals: unknown) {
  const queries: string[] = [];
  const client = {
    query: ({ query, format }: { query: string; format: string }) => {
      queries.push(query);
      expect(format).toBe('JSON');
      return Promise.resolve({ json: () => Promise.resolve({ data, totals }) });
    },
  } as unknown as ClickHouseClient;
  return { a: analytics(client, 'stockflow'), queries };
}

const row = (period: string, figures: (string | number)[], ms: (string | number)[]) => ({
  period,
  accepted_orders: figures[0],
  completed_orders: figures[1],
  failed_orders: figures[2],
  completed_cents: figures[3],
  processing_ms: ms,
});

describe('GET /analytics/orders answer', () => {
  const parse = (query: Record<string, string>) => ordersRoute.parse(query);

  it('maps each period and the totals: decimals for money, seconds for quantiles, null without completions', async () => {
    const { a, queries } = answering(
      [
        row('2025-01-06', ['12', '0', '0', '0'], ['0', '0', '0']),
        row('2025-01-13', ['3', '10', '2', '1234567890123'], ['457', '1200', '86400001']),
      ],
      row('0000-00-00', [15, 10, 2, 1234567890123], [457, 1200, 86400001]),
    );
    const answer = await ordersRoute.compute(
      a,
      parse({ start_date: '2025-01-08', end_date: '2025-01-19', granularity: 'week' }),
    );
    expect(queries[0]).toMatch(/toMonday\(day\) AS period/);
    expect(queries[0]).toMatch(/day >= toDate\('2025-01-08'\) AND day <= toDate\('2025-01-19'\)/);
    expect(queries[0]).toMatch(/GROUP BY period WITH TOTALS/);
    const figures = {
      orders: 3,
      completed: 10,
      failed: 2,
      revenue: 12345678901.23,
      processing_time_seconds: { p50: 0.457, p95: 1.2, p99: 86400.001 },
    };
    expect(answer.json).toEqual({
      start_date: '2025-01-08',
      end_date: '2025-01-19',
      granularity: 'week',
      buckets: [
        {
          period: '2025-01-06',
          orders: 12,
          completed: 0,
          failed: 0,
          revenue: 0,
          processing_time_seconds: { p50: null, p95: null, p99: null },
        },
        { period: '2025-01-13', ...figures },
      ],
      totals: { ...figures, orders: 15 },
    });
    expect(answer.table.rows).toEqual([
      ['2025-01-06', 12, 0, 0, '0.00', null, null, null],
      ['2025-01-13', 3, 10, 2, '12345678901.23', 0.457, 1.2, 86400.001],
    ]);
    expect(answer.table.columns[0]).toBe('period');
  });

  it('reads days and months from the daily view, and answers zeros when ClickHouse sends no totals', async () => {
    for (const [granularity, period] of [
      ['day', /SELECT day AS period/],
      ['month', /toStartOfMonth\(day\) AS period/],
    ] as const) {
      const { a, queries } = answering([], undefined);
      const answer = await ordersRoute.compute(
        a,
        parse({ start_date: '2025-01-01', end_date: '2025-12-31', granularity }),
      );
      expect(queries[0]).toMatch(period);
      expect(answer.json).toMatchObject({
        buckets: [],
        totals: { orders: 0, revenue: 0, processing_time_seconds: { p50: null } },
      });
    }
  });

  it('takes whole days only and refuses a granularity finer than a day or unknown', () => {
    expect(parse({ start_date: '2025-01-01', end_date: '2025-01-31' })).toEqual({
      days: { first: '2025-01-01', last: '2025-01-31' },
      granularity: 'day',
    });
    expect(() =>
      parse({ start_date: '2025-01-01', end_date: '2025-01-31', granularity: 'hour' }),
    ).toThrow(/granularity hour is not available: orders are kept per day/);
    expect(() =>
      parse({ start_date: '2025-01-01', end_date: '2025-01-31', granularity: 'year' }),
    ).toThrow(/granularity must be one of day, week, month/);
    expect(() => parse({ start_date: '2025-01-01T00:00:00Z', end_date: '2025-01-31' })).toThrow(
      /start_date must be a whole day/,
    );
    expect(() => parse({ start_date: '2025-02-01', end_date: '2025-01-31' })).toThrow(/reversed/);
  });
});
