import { createHash } from 'node:crypto';
import type { Router } from 'express';
import { notModified } from '../../lib/http/etag.js';
import type { AnswerCache } from './cache.js';
import { CSV_CONTENT_TYPE, negotiate, toCsv, type Answer } from '../../lib/http/representation.js';
import type { Query } from './params.js';
import type { Analytics } from './queries/run.js';
import { dataWatermark } from './queries/watermark.js';

// How every analytics route answers a GET: parse the parameters (400 naming the bad one), pick
// JSON or CSV (406), read the data watermark, answer from the cache or ClickHouse, then honour
// If-None-Match. Types, UUIDs and bounds were checked by the OpenAPI validator first; the JSON
// answer is checked against the document after. A route only says what it reads and computes.

/** One analytics route: its path, its parameters, and the answer it computes from them. */
export interface AnalyticsRoute<P> {
  readonly path: string;
  /** Query parameters → typed values; throws a ValidationError naming a bad one. */
  readonly parse: (query: Query) => P;
  /** The answer to the parameters, in both representations (what the cache keeps). */
  readonly compute: (a: Analytics, params: P) => Promise<Answer>;
}

/** A route, its parameters' type inferred from `parse`. */
export function defineRoute<P>(route: AnalyticsRoute<P>): AnalyticsRoute<P> {
  return route;
}

/** What every route of one feature shares: its router, its ClickHouse, its answer cache. */
export interface ServeContext {
  readonly router: Router;
  readonly analytics: Analytics;
  readonly cache: AnswerCache<Answer>;
}

function etag(key: string, format: string, watermark: string): string {
  const digest = createHash('sha256').update(`${key}\n${format}\n${watermark}`).digest('base64url');
  return `"a${digest.slice(0, 27)}"`;
}

/** Registers `route` on the context's router. */
export function serveRoute<P>(ctx: ServeContext, route: AnalyticsRoute<P>): void {
  const { path, parse, compute } = route;
  const { router, analytics: a, cache } = ctx;
  router.get(path, async (req, res) => {
    const params = parse(req.query);
    const format = negotiate(req.get('Accept'));
    const watermark = await dataWatermark(a);
    const key = `${path}?${JSON.stringify(params)}`;
    const answer = await cache.getOrCompute(`${key}@${watermark}`, () => compute(a, params));
    res.vary('Accept');
    if (notModified(req, res, etag(key, format, watermark))) return;
    if (format === 'csv') {
      res.type(CSV_CONTENT_TYPE).send(toCsv(answer.table));
    } else {
      // Set first: the response validator picks the schema by Content-Type, else by Accept.
      res.type('application/json').json(answer.json);
    }
  });
}
