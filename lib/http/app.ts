import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from '../logger.js';
import { httpMetrics, type Registry } from '../metrics.js';
import { checkReadiness, dependencyUpGauge, type DependencyCheck } from '../readiness.js';
import { buildOpenApi } from './openapi.js';
import type { ApiFeature } from '../role.js';
import { problemHandler } from './problem.js';
import { requestContext } from './request-context.js';
import { NotFoundError, ValidationError } from '../errors.js';

export interface AppOptions {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly checks: readonly DependencyCheck[];
  readonly features?: readonly ApiFeature[];
  /** Largest accepted request body. */
  readonly bodyLimit?: string;
  /** Check answers against the OpenAPI document (API_VALIDATE_RESPONSES); on unless turned off. */
  readonly validateResponses?: boolean;
  /** Requests slower than this are logged at warn (LOG_SLOW_REQUEST_MS). */
  readonly slowRequestMs?: number;
}

const require = createRequire(import.meta.url);
const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stockflow API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script>
</body></html>`;

export function createApp(options: AppOptions): express.Express {
  const features = options.features ?? [];
  const document = buildOpenApi(features.map((f) => f.openapi));
  const started = Date.now();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // handlers that support conditional GETs set their own validators
  app.use(
    requestContext(options.logger, httpMetrics(options.metrics), options.slowRequestMs ?? 1000),
  );
  // What /ready answers, as a metric too: alerts see a dependency down without polling /ready.
  dependencyUpGauge(options.metrics, options.checks);

  // Operational routes stay outside the validator: they must answer even when
  // everything else is broken, and /metrics is not JSON.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptime_seconds: Math.round((Date.now() - started) / 1000) });
  });
  app.get('/ready', async (_req, res) => {
    const readiness = await checkReadiness(options.checks);
    res.status(readiness.status === 'ready' ? 200 : 503).json(readiness);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  app.use('/docs/assets', express.static(swaggerUiDir, { index: false }));

  app.use(express.json({ limit: options.bodyLimit ?? '5mb', strict: false }));
  app.use(
    OpenApiValidator.middleware({
      apiSpec: document as never,
      // allErrors: a client fixes every bad field in one go.
      validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
      validateResponses: options.validateResponses ?? true,
    }),
  );
  // The validator coerces "1e309" to Infinity and takes it for an integer within any maximum:
  // refused here, for every query parameter, before a route or a database sees it.
  app.use((req, _res, next) => {
    const bad = Object.entries(req.query).filter(
      ([, v]) => typeof v === 'number' && !Number.isFinite(v),
    );
    if (bad.length === 0) return next();
    next(
      new ValidationError(
        'the query is invalid',
        bad.map(([name]) => ({ path: `/query/${name}`, message: 'must be a finite number' })),
      ),
    );
  });
  for (const feature of features) app.use(feature.router);

  app.use((req, _res, next) => next(new NotFoundError(`no route for ${req.method} ${req.path}`)));
  app.use(problemHandler(options.logger));
  return app;
}
