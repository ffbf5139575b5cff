import { describe, expect, it } from 'vitest';
import { WAREHOUSES } from './dataset.js';
import { analyticsApi } from './fixture.js';
import { cmp, group, days } from './reference.js';

describe('analytics API', () => {
  const { movements, ch, json, rows } = analyticsApi();

  describe('GET /analytics/routes', () => {
    type Route = Record<string, string | number>;
    const quantile = (sorted: readonly number[], level: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(level * sorted.length))]!;
    const expected = (first: string, last: string, only: { sender?: string } = {}) => {
      const [start, end] = days(first, last);
      const done = movements.filter(
        (m) =>
          m.status === 'completed' &&
          m.previous_status !== 'completed' &&
          m.arrived_at >= start &&
          m.arrived_at < end &&
          (only.sender === undefined || m.sender_warehouse_id === only.sender),
      );
      return [...group(done, (m) => `${m.sender_warehouse_id}|${m.receiver_warehouse_id}`)]
        .map(([key, ms]) => {
          const [sender_warehouse_id = '', receiver_warehouse_id = ''] = key.split('|');
          const transit = ms.map((m) => m.arrived_at - m.departed_at).sort((a, b) => a - b);
          return {
            sender_warehouse_id,
            receiver_warehouse_id,
            movements: ms.length,
            transit_p50_seconds: quantile(transit, 0.5),
            transit_p90_seconds: quantile(transit, 0.9),
            transit_p99_seconds: quantile(transit, 0.99),
            sent: ms.reduce((s, m) => s + m.departure_quantity, 0),
            received: ms.reduce((s, m) => s + m.arrival_quantity, 0),
            lost: ms.reduce(
              (s, m) => s + Math.max(0, m.departure_quantity - m.arrival_quantity),
              0,
            ),
          };
        })
        .sort(
          (a, b) =>
            b.movements - a.movements ||
            cmp(a.sender_warehouse_id, b.sender_warehouse_id) ||
            cmp(a.receiver_warehouse_id, b.receiver_warehouse_id),
        );
    };

    it('reports completed movements per route by arrival day, with exact transit quantiles', async () => {
      const body = await json<{ routes: Route[] }>(
        '/analytics/routes?start_date=2025-01-01&end_date=2025-03-01',
      );
      const want = expected('2025-01-01', '2025-03-01');
      expect(want.reduce((s, r) => s + r.lost, 0)).toBeGreaterThan(0);
      expect(body.routes).toEqual(want);

      // The same from the raw movement changes, by ClickHouse's own quantilesExact.
      const raw = await rows<{ s: string; r: string; n: string; q: string[] }>(
        `SELECT sender_warehouse_id AS s, receiver_warehouse_id AS r, count() AS n,
                quantilesExact(0.5, 0.9, 0.99)(toInt64(arrived_at) - toInt64(departed_at)) AS q
         FROM ${ch.name}.movement_changes
         WHERE status = 'completed' AND previous_status != 'completed'
         GROUP BY s, r ORDER BY n DESC, s, r`,
      );
      expect(
        body.routes.map((r) => [
          r.sender_warehouse_id,
          r.receiver_warehouse_id,
          String(r.movements),
          [r.transit_p50_seconds, r.transit_p90_seconds, r.transit_p99_seconds].map(String),
        ]),
      ).toEqual(raw.map((x) => [x.s, x.r, x.n, x.q]));
    });

    it('filters by sender and by arrival days', async () => {
      const w = WAREHOUSES[0]!;
      const body = await json<{ routes: Route[] }>(
        `/analytics/routes?start_date=2025-02-01&end_date=2025-02-28&sender_warehouse_id=${w}&limit=1`,
      );
      expect(body.routes).toEqual(expected('2025-02-01', '2025-02-28', { sender: w }).slice(0, 1));
    });
  });
});
