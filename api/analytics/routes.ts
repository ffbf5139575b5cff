import express from 'express';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import { NotFoundError } from '../../lib/errors.js';
import type { ApiFeature } from '../../lib/role.js';
import { AnswerCache } from './cache.js';
import type { Answer } from './format.js';
import { analyticsOpenApi } from './openapi.js';
import {
  dayOf,
  GRANULARITIES,
  parseDayRange,
  parseGranularity,
  parseInstantRange,
  parseLimit,
  parseOptionalUuid,
  parseUuid,
  type Query,
} from './params.js';
import { inTransit } from './queries/in-transit.js';
import { routeTransit } from './queries/route-transit.js';
import { analytics } from './queries/run.js';
import { stockFlow } from './queries/stock-flow.js';
import { stockExists, stockHistory } from './queries/stock-history.js';
import { countriesRoute } from './routes/countries.js';
import { feedbackRoute } from './routes/feedback.js';
import { repeatBuyersRoute } from './routes/repeat-buyers.js';
import { topCountryPairRoute } from './routes/top-country-pair.js';
import { topProductsRoute } from './routes/top-products.js';
import { topSuppliersRoute } from './routes/top-suppliers.js';
import { totalSpentRoute } from './routes/total-spent.js';
import { serveRoute } from './serve.js';

// The analytics API over ClickHouse. Every endpoint is served the same way (serve.ts: parameters,
// JSON or CSV, the data watermark, the answer cache, If-None-Match).

export interface AnalyticsDeps {
  readonly clickhouse: ClickHouseClient;
  readonly database: string;
  /** Longest an answer is served from the cache, seconds (`CACHE_TTL`; default 60, 0: off). */
  readonly cacheTtlSeconds?: number;
  /** Most answers cached (default 1000). */
  readonly cacheEntries?: number;
}

/** `YYYY-MM-DDTHH:MM:SSZ` of epoch seconds. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function analyticsFeature(deps: AnalyticsDeps): ApiFeature {
  const a = analytics(deps.clickhouse, deps.database);
  const cache = new AnswerCache<Answer>({
    maxEntries: deps.cacheEntries ?? 1000,
    ttlMs: (deps.cacheTtlSeconds ?? 60) * 1000,
  });
  const router = express.Router();

  const ctx = { router, analytics: a, cache };
  function endpoint<P>(
    path: string,
    parse: (query: Query) => P,
    compute: (params: P) => Promise<Answer>,
  ): void {
    serveRoute(ctx, { path, parse, compute: (_a, params) => compute(params) });
  }

  serveRoute(ctx, totalSpentRoute);
  serveRoute(ctx, topProductsRoute);
  serveRoute(ctx, topSuppliersRoute);
  serveRoute(ctx, feedbackRoute);

  serveRoute(ctx, countriesRoute);
  serveRoute(ctx, topCountryPairRoute);
  serveRoute(ctx, repeatBuyersRoute);

  endpoint(
    '/analytics/stock-flow',
    (q) => ({
      days: parseDayRange(q),
      granularity: parseGranularity(
        q,
        ['day', 'week', 'month'],
        'day',
        'is not available: stock flow is kept per day, so the finest period is a day',
      ),
      warehouseId: parseOptionalUuid(q, 'warehouse_id'),
      productId: parseOptionalUuid(q, 'product_id'),
      limit: parseLimit(q, 1000, 10_000),
    }),
    async (p) => {
      const flow = await stockFlow(
        a,
        p.days,
        p.granularity,
        { warehouseId: p.warehouseId, productId: p.productId },
        p.limit,
      );
      return {
        json: { stock_flow: flow },
        table: {
          columns: ['period', 'warehouse_id', 'product_id', 'inbound', 'outbound'],
          rows: flow.map((f) => [f.period, f.warehouse_id, f.product_id, f.inbound, f.outbound]),
        },
      };
    },
  );

  endpoint(
    '/analytics/routes',
    (q) => ({
      days: parseDayRange(q),
      senderId: parseOptionalUuid(q, 'sender_warehouse_id'),
      receiverId: parseOptionalUuid(q, 'receiver_warehouse_id'),
      limit: parseLimit(q, 100, 1000),
    }),
    async (p) => {
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
  );

  endpoint(
    '/analytics/in-transit',
    (q) => ({
      warehouseId: parseOptionalUuid(q, 'warehouse_id'),
      productId: parseOptionalUuid(q, 'product_id'),
    }),
    async (p) => {
      const goods = await inTransit(a, p);
      return {
        json: { in_transit: goods },
        table: {
          columns: ['sender_warehouse_id', 'product_id', 'quantity', 'movements'],
          rows: goods.map((g) => [g.sender_warehouse_id, g.product_id, g.quantity, g.movements]),
        },
      };
    },
  );

  endpoint(
    '/analytics/stock-history',
    (q) => ({
      warehouseId: parseUuid(q, 'warehouse_id'),
      productId: parseUuid(q, 'product_id'),
      range: parseInstantRange(q),
      granularity: parseGranularity(q, GRANULARITIES, 'day'),
    }),
    async (p) => {
      const key = { warehouseId: p.warehouseId, productId: p.productId };
      const history = await stockHistory(a, key, p.range, p.granularity);
      if (history.length === 0 && !(await stockExists(a, key))) {
        throw new NotFoundError(`warehouse ${p.warehouseId} never held product ${p.productId}`);
      }
      const rows = history.map((h) => ({
        period: p.granularity === 'hour' ? isoSeconds(h.period) : dayOf(h.period * 1000),
        balance: h.balance,
        inbound: h.inbound,
        outbound: h.outbound,
      }));
      return {
        json: { stock_history: rows },
        table: {
          columns: ['period', 'balance', 'inbound', 'outbound'],
          rows: rows.map((r) => [r.period, r.balance, r.inbound, r.outbound]),
        },
      };
    },
  );

  return { openapi: analyticsOpenApi, router };
}
