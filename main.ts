import type { Server } from 'node:http';
import path from 'node:path';
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
import { PROJECT_ROOT } from './stack/paths.js';

const ROLES = ['ingest', 'process', 'orders', 'relay', 'sink', 'api', 'jobs'] as const;
type Role = (typeof ROLES)[number];

// Loaded on demand so a process pays only for the roles it runs.
const ROLE_MODULES: Record<Role, () => Promise<{ createRole: CreateRole }>> = {
  ingest: () => import('./ingest/role.js'),
  process: () => import('./processors/role.js'),
  orders: () => import('./processors/orders/role.js'),
  relay: () => import('./processors/relay/role.js'),
  sink: () => import('./processors/sink/role.js'),
  api: () => import('./api/role.js'),
  jobs: () => import('./ingest/imports/jobs-role.js'),
};

const USAGE = `usage: stockflow <command> [arguments]   (npx stockflow, or node --import tsx main.ts)

Run it
  all                        bring up the local stack (components without an external URL),
                             migrate, and run every role with the HTTP API (npm start)
  ingest | process | orders | relay | sink | api | jobs
                             run only these roles (several may be given)

The local stack
  up | down | status         start, stop, or show the components the project runs itself
  logs [COMPONENT] [-f]      the components' logs (kafka, registry, postgres, clickhouse,
                             postgres-exporter, prometheus)

The database
  migrate                    apply pending Postgres and ClickHouse migrations
  db:new-migration NAME [--clickhouse]
                             write the next numbered migration file in sql/postgres (or sql/clickhouse)
  db:shell                   psql on DATABASE_URL
  db:run "SQL"               run one statement and print its rows
  db:init                    migrate, then load the sample data: examples/*.csv and the demo reference data

Imports
  import KIND FILE [--force] import a CSV file, with a progress bar and the final counts
                             (KIND: products, warehouses, countries, sales, stock_counts, movements)
  imports [--limit N]        the newest imports, with their counts
  failed-rows IMPORT_ID      an import's failed rows (JSON lines)
  trigger                    the daily job now: import every new file of IMPORT_INBOX_DIR

Checks
  verify [URL ...]           ask every endpoint of a running stockflow and check it answers
                             (default http://127.0.0.1:$PORT)
  config                     print the configuration table (Markdown)
  help                       this text`;

const COMMANDS =
  'all, ingest, process, orders, relay, sink, api, jobs, up, down, status, logs, migrate, db:new-migration, ' +
  'db:shell, db:run, db:init, import, imports, failed-rows, trigger, verify, config, help';

/** A mistake on the command line: one line saying what, then the commands there are. */
const usageError = (message: string) =>
  new StockflowError(
    'CONFIG_INVALID',
    `${message}\nusage: stockflow <command> [arguments]; commands: ${COMMANDS} (stockflow help explains each)`,
  );

const STACK_COMMANDS = ['up', 'down', 'status', 'logs', 'reset'];

/** Commands that manage rather than run roles; each resolves with its exit code. */
async function manage(
  command: string,
  args: string[],
  config: Config,
  logger: Logger,
): Promise<number | undefined> {
  const quiet = logger.child({}, { level: 'warn' });
  if (STACK_COMMANDS.includes(command)) {
    const { stackCommand } = await import('./stack/commands.js');
    return stackCommand(command, args, config);
  }
  switch (command) {
    case 'db:new-migration': {
      const { newMigration } = await import('./cli/db-commands.js');
      console.log(`created ${path.relative(process.cwd(), newMigration(args))}`);
      return 0;
    }
    case 'db:shell': {
      const { dbShell } = await import('./cli/db-commands.js');
      return dbShell(config, args);
    }
    case 'db:run': {
      const { dbRun } = await import('./cli/db-commands.js');
      return dbRun(config, quiet, args);
    }
    case 'db:init': {
      if (args.length > 0) throw usageError(`db:init takes no arguments, got ${args.join(' ')}`);
      const cli = await import('./ingest/imports/import-cli.js');
      // One set of clients (one Postgres pool) for the migrations, the import job and the demo data.
      return cli.withImportRuntime(config, quiet, async (runtime) => {
        await runMigrations(config, runtime, quiet);
        const code = await cli.runDailyJobCommand(
          runtime,
          quiet,
          path.join(PROJECT_ROOT, 'examples'),
          {
            onlyImportable: true, // examples/ also holds the NDJSON events of Try it
          },
        );
        // The demo dataset's world too, so its countries and warehouses have names.
        const { loadDemoReference } = await import('./generator/demo-reference.js');
        const { importReferenceFile } = await import('./ingest/imports/reference-import.js');
        for (const { kind, outcome } of await loadDemoReference(
          (r) => importReferenceFile({ pool: runtime.pool, logger: quiet }, r),
          { logger: quiet },
        )) {
          const i = outcome.import;
          console.log(
            outcome.reused
              ? `demo ${kind}: imported before, by import ${i.import_id}`
              : `demo ${kind}: import ${i.import_id} ${i.status}, ${i.rows_imported} of ${i.rows_read} rows imported, ${i.rows_failed} failed`,
          );
        }
        return code;
      });
    }
    case 'import':
    case 'failed-rows':
    case 'imports': {
      const cli = await import('./ingest/imports/import-cli.js');
      const run = { import: cli.importCommand, 'failed-rows': cli.failedRowsCommand, imports: cli.importsCommand }[command]; // prettier-ignore
      return run(args, config, quiet);
    }
    case 'trigger': {
      if (args.length > 0) throw usageError(`trigger takes no arguments, got ${args.join(' ')}`);
      const cli = await import('./ingest/imports/import-cli.js');
      return cli.withImportRuntime(config, quiet, (runtime) =>
        cli.runDailyJobCommand(runtime, quiet, config.importInboxDir),
      );
    }
    case 'verify': {
      const { verifyCommand } = await import('./cli/verify.js');
      return verifyCommand(args.length > 0 ? args : [`http://127.0.0.1:${config.port}`]);
    }
    default:
      return undefined;
  }
}

async function runMigrations(
  config: Config,
  runtime: Runtime,
  logger: Logger = runtime.logger,
): Promise<void> {
  const admin = createClickHouse({ url: config.clickhouseUrl });
  try {
    const applied = await migrate({
      pool: runtime.pool,
      clickhouse: admin,
      clickhouseDatabase: config.clickhouseDatabase,
      logger,
    }).catch((err: unknown) => {
      const code = (err as { code?: unknown }).code;
      if (err instanceof StockflowError || typeof code !== 'string') throw err;
      throw explainConnectionError(err, 'Postgres', redactUrl(config.databaseUrl), 'DATABASE_URL');
    });
    logger.info(applied, 'migrations up to date');
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
          validateResponses: config.validateResponses,
          slowRequestMs: config.slowRequestMs,
        });
        // Node's default accept backlog (511) drops SYNs when a thousand clients connect at
        // once, and each dropped one waits a second for its retry; the kernel caps this at somaxconn.
        server = app.listen(config.port, config.host, 4096);
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
  const [command, ...more] = argv;
  if (command === undefined) throw usageError('a command is needed');
  if (
    ['help', '--help', '-h'].includes(command) ||
    more.includes('--help') ||
    more.includes('-h')
  ) {
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

  const managed = await manage(command, more, config, logger);
  if (managed !== undefined) {
    process.exitCode = managed;
    return;
  }

  const roles: Role[] =
    command === 'all' ? [...ROLES] : command === 'migrate' ? [] : ([command, ...more] as Role[]);
  const unknown = roles.filter((r) => !ROLES.includes(r));
  if (unknown.length > 0) throw usageError(`unknown command ${unknown.join(' ')}`);

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
    const { importReferenceFile } = await import('./ingest/imports/reference-import.js');
    publishDemoIfEmpty(runtime, {
      importReference: (r) => importReferenceFile({ pool: runtime.pool, logger }, r),
    }).catch((err: unknown) => logger.warn({ err }, 'could not publish the demo dataset'));
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
