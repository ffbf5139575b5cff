import express from 'express';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import type { Pool } from '../../lib/postgres/pool.js';
import type { ApiFeature } from '../../lib/role.js';
import { AnswerCache } from './cache.js';
import { analyticsOpenApi } from './openapi.js';
import { analytics } from './queries/run.js';
import { countriesRoute } from './routes/countries.js';
import { feedbackRoute } from './routes/feedback.js';
import { inTransitRoute } from './routes/in-transit.js';
import { ordersRoute } from './routes/orders.js';
import { repeatBuyersRoute } from './routes/repeat-buyers.js';
import { routeTransitRoute } from './routes/route-transit.js';
import { stockFlowRoute } from './routes/stock-flow.js';
import { stockHistoryRoute } from './routes/stock-history.js';
import { topCountryPairRoute } from './routes/top-country-pair.js';
import { topProductsRoute } from './routes/top-products.js';
import { topSuppliersRoute } from './routes/top-suppliers.js';
import { totalSpentRoute } from './routes/total-spent.js';
import { serveRoute } from './serve.js';

// The analytics API over ClickHouse: one endpoint per file in routes/ (named after the query
// module it reads), each served the same way by serve.ts (parameters, JSON or CSV, the data
// watermark, the answer cache, names from Postgres, If-None-Match); the contract is openapi.ts.

export interface AnalyticsDeps {
  readonly clickhouse: ClickHouseClient;
  readonly database: string;
  /** Postgres, for the reference data answers name (country names and continents). */
  readonly pool: Pool;
  /** Longest an answer is served from the cache, seconds (`CACHE_TTL`; default 60, 0: off). */
  readonly cacheTtlSeconds?: number;
  /** Most answers cached (default 1000). */
  readonly cacheEntries?: number;
}

export function analyticsFeature(deps: AnalyticsDeps): ApiFeature {
  const router = express.Router();
  const ctx = {
    router,
    analytics: analytics(deps.clickhouse, deps.database),
    pool: deps.pool,
    // One cache for every endpoint: its keys start with the endpoint's path.
    cache: new AnswerCache<unknown>({
      maxEntries: deps.cacheEntries ?? 1000,
      ttlMs: (deps.cacheTtlSeconds ?? 60) * 1000,
    }),
  };

  // Sales (seeds 000 and 003).
  serveRoute(ctx, totalSpentRoute);
  serveRoute(ctx, topProductsRoute);
  serveRoute(ctx, topSuppliersRoute);
  serveRoute(ctx, feedbackRoute);
  serveRoute(ctx, countriesRoute);
  serveRoute(ctx, topCountryPairRoute);
  serveRoute(ctx, repeatBuyersRoute);
  // Stock and movements.
  serveRoute(ctx, stockFlowRoute);
  serveRoute(ctx, routeTransitRoute);
  serveRoute(ctx, inTransitRoute);
  serveRoute(ctx, stockHistoryRoute);
  // Orders (seed 004).
  serveRoute(ctx, ordersRoute);

  return { openapi: analyticsOpenApi, router };
}
