import { parseDayRange, parseLimit, parseOptionalUuid } from '../params.js';
import { routeTransit } from '../queries/route-transit.js';
import { defineRoute } from '../serve.js';

/** GET /analytics/routes: completed movements per route, transit time quantiles, units lost. */
export const routeTransitRoute = defineRoute({
  path: '/analytics/routes',
  parse: (q) => ({
    days: parseDayRange(q),
    senderId: parseOptionalUuid(q, 'sender_warehouse_id'),
    receiverId: parseOptionalUuid(q, 'receiver_warehouse_id'),
    limit: parseLimit(q, 100, 1000),
  }),
  compute: async (a, p) => {
    const routes = await routeTransit(
      a,
      p.days,
      { senderId: p.senderId, receiverId: p.receiverId },
      p.limit,
    );
    const columns = [
      'sender_warehouse_id',
      'receiver_warehouse_id',
      'movements',
      'transit_p50_seconds',
      'transit_p90_seconds',
      'transit_p99_seconds',
      'sent',
      'received',
      'lost',
    ] as const;
    return {
      json: { routes },
      table: { columns, rows: routes.map((r) => columns.map((c) => r[c])) },
    };
  },
});
