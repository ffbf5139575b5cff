import { createHash } from 'node:crypto';
import type { Router } from 'express';
import { notModified } from '../../lib/http/etag.js';
import { fromPostgres, type Pool } from '../../lib/postgres/pool.js';
import type { AnswerCache } from './cache.js';
import { CSV_CONTENT_TYPE, negotiate, toCsv, type Answer } from '../../lib/http/representation.js';
import type { Query } from './params.js';
import type { Analytics } from './queries/run.js';
import { dataWatermark } from './queries/watermark.js';

// How every analytics route answers a GET: parse the parameters (400 naming the bad one), pick
// JSON or CSV (406), read the data watermark, answer from the cache or ClickHouse, look up the
// reference data the answer names in Postgres, then honour If-None-Match. Types, UUIDs and bounds
// were checked by the OpenAPI validator first; the JSON answer is checked against the document
// after. A route only says what it reads and computes.
//
// Names (countries…) are looked up after the cache, on every request, never cached: they come
// from imports into Postgres, which the ClickHouse watermark cannot see, so a cached name would
// stay stale until the TTL, and an ETag without them would answer 304 to a client holding the old
// name for as long as no sale arrives. The lookup is one query by primary key over the answer's
// ids; the ETag digests what it found, so an import that renames changes the ETag at once
// (without trusting `updated_at`, which a hand-made UPDATE need not move).

/** One analytics route: its path, its parameters, and the answer it computes from them. */
export interface AnalyticsRoute<P, C = Answer, N = null> {
  readonly path: string;
  /** Query parameters → typed values; throws a ValidationError naming a bad one. */
  readonly parse: (query: Query) => P;
  /** What ClickHouse says for the parameters: what the cache keeps, under the watermark. */
  readonly compute: (a: Analytics, params: P) => Promise<C>;
  /** The reference data the answer names, read from Postgres per request; JSON (the ETag digests it). */
  readonly lookup: (pool: Pool, computed: C) => Promise<N>;
  /** The answer in both representations, from the computed part and the names. */
  readonly render: (computed: C, names: N) => Answer;
}

/** A route that names nothing from Postgres, its parameters' type inferred from `parse`. */
export function defineRoute<P>(
  route: Pick<AnalyticsRoute<P>, 'path' | 'parse' | 'compute'>,
): AnalyticsRoute<P> {
  return { ...route, lookup: () => Promise.resolve(null), render: (answer) => answer };
}

/** A route whose answer names reference data (see the note above). */
export function defineNamedRoute<P, C, N>(route: AnalyticsRoute<P, C, N>): AnalyticsRoute<P, C, N> {
  return route;
}

/** What every route of one feature shares: its router, its ClickHouse and Postgres, its cache. */
export interface ServeContext {
  readonly router: Router;
  readonly analytics: Analytics;
  readonly pool: Pool;
  /** One cache for every route; a key starts with its route's path, so holds that route's `C`. */
  readonly cache: AnswerCache<unknown>;
}

function etag(key: string, format: string, watermark: string, names: string): string {
  const digest = createHash('sha256')
    .update(`${key}\n${format}\n${watermark}\n${names}`)
    .digest('base64url');
  return `"a${digest.slice(0, 27)}"`;
}

/** Registers `route` on the context's router. */
export function serveRoute<P, C, N>(ctx: ServeContext, route: AnalyticsRoute<P, C, N>): void {
  const { path, parse, compute, lookup, render } = route;
  const { router, analytics: a, pool, cache } = ctx;
  router.get(path, async (req, res) => {
    const params = parse(req.query);
    const format = negotiate(req.get('Accept'));
    const watermark = await dataWatermark(a);
    const key = `${path}?${JSON.stringify(params)}`;
    // The key starts with this route's path: what it holds is this route's `compute`'s.
    const computed = (await cache.getOrCompute(`${key}@${watermark}`, () =>
      compute(a, params),
    )) as C;
    const names = await fromPostgres(lookup(pool, computed));
    res.vary('Accept');
    if (notModified(req, res, etag(key, format, watermark, JSON.stringify(names)))) return;
    const answer = render(computed, names);
    if (format === 'csv') {
      res.type(CSV_CONTENT_TYPE).send(toCsv(answer.table));
    } else {
      // Set first: the response validator picks the schema by Content-Type, else by Accept.
      res.type('application/json').json(answer.json);
    }
  });
}
