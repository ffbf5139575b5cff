import type { Server } from 'node:http';
import { createApp } from './lib/http/app.js';
import type { ApiFeature, CreateRole } from './lib/role.js';
import { loadConfig, type Config } from './lib/config.js';
import { explainConnectionError, redactUrl } from './lib/dependency-errors.js';
import { StockflowError } from './lib/errors.js';
import { runServices, type Service } from './lib/lifecycle.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createRegistry } from './lib/metrics.js';
import { migrate } from './lib/migrate.js';
import { createClickHouse } from './lib/clickhouse/client.js';
import type { DependencyCheck } from './lib/readiness.js';
import { createRuntime, type Runtime } from './lib/runtime.js';
import { stackContext, stackUp } from './stack/manager.js';

const ROLES = ['ingest', 'process', 'relay', 'sink', 'api', 'jobs'] as const;
type Role = (typeof ROLES)[number];

// Loaded on demand so a process pays only for the roles it runs.
const ROLE_MODULES: Record<Role, () => Promise<{ createRole: CreateRole }>> = {
  ingest: () => import('./ingest/role.js'),
  process: () => import('./processors/role.js'),
  relay: () => import('./processors/relay/role.js'),
  sink: () => import('./processors/sink/role.js'),
  api: () => import('./api/role.js'),
  jobs: () => import('./ingest/imports/jobs-role.js'),
};

const USAGE = `usage: stockflow <command>
  all                      bring up the local stack (for components without an external URL),
                           migrate, and run every role with the API
  ingest | process | relay | sink | api | jobs
                           run only these roles (several may be given)
  migrate                  apply pending Postgres and ClickHouse migrations
  import KIND FILE [--force]
                           import a CSV file (products, warehouses, countries, sales, stock_counts, movements)
  failed-rows IMPORT_ID    print an import's failed rows (JSON lines)
  config                   print the configuration table (Markdown)`;

async function runMigrations(config: Config, runtime: Runtime): Promise<void> {
  const admin = createClickHouse({ url: config.clickhouseUrl });
  try {
    const applied = await migrate({
      pool: runtime.pool,
      clickhouse: admin,
      clickhouseDatabase: config.clickhouseDatabase,
      logger: runtime.logger,
    }).catch((err: unknown) => {
      const code = (err as { code?: unknown }).code;
      if (err instanceof StockflowError || typeof code !== 'string') throw err;
      throw explainConnectionError(err, 'Postgres', redactUrl(config.databaseUrl), 'DATABASE_URL');
    });
    runtime.logger.info(applied, 'migrations up to date');
  } finally {
    await admin.close();
  }
}

function httpService(
  config: Config,
  logger: Logger,
  runtime: Runtime,
  features: ApiFeature[],
  checks: readonly DependencyCheck[],
): Service {
  let server: Server | undefined;
  return {
    name: 'http',
    start: () =>
      new Promise((resolve, reject) => {
        const app = createApp({
          logger,
          metrics: runtime.metrics,
          checks,
          features,
        });
        server = app.listen(config.port, config.host);
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new StockflowError(
                  'CONFIG_INVALID',
                  `port ${config.port} on ${config.host} is already in use: stop the other process or set PORT`,
                )
              : err,
          ),
        );
        server.once('listening', () => {
          const address = server?.address();
          const port = typeof address === 'object' && address ? address.port : config.port;
          logger.info({ url: `http://${config.host}:${port}` }, 'HTTP listening');
          resolve();
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function main(argv: string[]): Promise<void> {
  const [command = 'all', ...more] = argv;
  if (command === 'help' || command === '--help') {
    console.log(USAGE);
    return;
  }
  if (command === 'config') {
    const { configTable } = await import('./lib/config.js');
    console.log(configTable());
    return;
  }
  const config = loadConfig();
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    name: 'stockflow',
  });

  if (command === 'import' || command === 'failed-rows') {
    const cli = await import('./ingest/imports/import-cli.js');
    const run = command === 'import' ? cli.importCommand : cli.failedRowsCommand;
    process.exitCode = await run(more, config, logger.child({}, { level: 'warn' }));
    return;
  }

  const roles: Role[] =
    command === 'all' ? [...ROLES] : command === 'migrate' ? [] : ([command, ...more] as Role[]);
  const unknown = roles.filter((r) => !ROLES.includes(r));
  if (unknown.length > 0)
    throw new StockflowError('CONFIG_INVALID', `unknown command ${unknown.join(' ')}\n${USAGE}`);

  if (command === 'all') {
    await stackUp(stackContext(config, (m) => logger.info(`[stack] ${m}`)));
  }
  const metrics = createRegistry({ roles: roles.join('+') || 'migrate' });
  const runtime = createRuntime(config, logger, metrics);
  if (command === 'all' || command === 'migrate') {
    try {
      await runMigrations(config, runtime);
    } finally {
      if (command === 'migrate') await runtime.close();
    }
    if (command === 'migrate') return;
  }

  const services: Service[] = [];
  const features: ApiFeature[] = [];
  const dependencies = new Set<string>();
  for (const role of roles) {
    const { createRole } = await ROLE_MODULES[role]();
    const parts = await createRole(runtime);
    services.push(...parts.services);
    features.push(...parts.features);
    for (const d of parts.dependencies) dependencies.add(d);
  }
  const checks = runtime.checks.filter((c) => dependencies.has(c.name));
  services.push(httpService(config, logger, runtime, features, checks));
  await runServices(services, {
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    finally: () => runtime.close(),
    fatal: runtime.fatal.signal,
  });
  if (command === 'all' && config.demoData === 'auto') {
    const { publishDemoIfEmpty } = await import('./generator/demo-on-start.js');
    publishDemoIfEmpty(runtime).catch((err: unknown) =>
      logger.warn({ err }, 'could not publish the demo dataset'),
    );
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // A mistake the user can fix gets one line that says what to fix.
  if (err instanceof StockflowError) {
    console.error(`stockflow: ${err.message}`);
  } else {
    console.error('stockflow: unexpected failure', err);
  }
  process.exit(1);
});
