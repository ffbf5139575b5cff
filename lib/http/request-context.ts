import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import type { HttpMetrics } from '../metrics.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is sane), a
 * child logger carrying it, one access-log line, and its HTTP metrics. The
 * access line is at debug: under load, a line per request at info was tens of
 * thousands of lines a minute and a share of the CPU, and the metrics already
 * count every request; 5xx answers stay at error and slow ones at warn, so
 * what an operator must see is still logged.
 */
export function requestContext(
  logger: Logger,
  metrics: HttpMetrics,
  slowMs: number,
): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    // Made on first use: most requests log nothing, and a pino child per request was a visible
    // share of the intake's allocations (and so of its garbage collection) under load.
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ req_id: req.id })),
    });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The route template, not the path, keeps label cardinality bounded.
      const route = req.route
        ? `${req.baseUrl}${String((req.route as { path: string }).path)}`
        : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      const level = res.statusCode >= 500 ? 'error' : seconds * 1000 >= slowMs ? 'warn' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      req.log[level](
        {
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          ms: Math.round(seconds * 1e4) / 10,
        },
        'request',
      );
    });
    next();
  };
}
