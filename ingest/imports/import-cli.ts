// `stockflow import KIND FILE [--force]`: one file imported in this process,
// with a progress bar on a terminal and the final counts.
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Config } from '../../lib/config.js';
import { StockflowError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { createPool } from '../../lib/postgres/pool.js';
import { createRuntime, type Runtime } from '../../lib/runtime.js';
import { createRegistry } from '../../lib/metrics.js';
import { producerService, topicsService } from '../../lib/kafka/services.js';
import { movementTopics, salesTopics } from '../../lib/kafka/topics.js';
import { importFactFile, type FactImportDeps } from './fact-import.js';
import { FACT_KINDS, type FactKindName } from './fact-kinds.js';
import type { ImportProgress, ImportRequest } from './import-job.js';
import { failedRowsOf, getImport, listImports, type ImportRecord } from './import-store.js';
import { UNNAMED, prepareDailyJob } from './daily-job.js';
import { importReferenceFile } from './reference-import.js';
import { REFERENCE_KINDS, type ReferenceKindName } from './reference-kinds.js';

const KINDS = [...Object.keys(REFERENCE_KINDS), ...Object.keys(FACT_KINDS)];

export const IMPORT_USAGE = `usage: stockflow import KIND FILE [--force]
  KIND is one of ${KINDS.join(', ')}; FILE a CSV file with a header row.
  --force  import again even if this very file was imported before`;

const isReference = (k: string): k is ReferenceKindName => Object.hasOwn(REFERENCE_KINDS, k);
const isFact = (k: string): k is FactKindName => Object.hasOwn(FACT_KINDS, k);

/** Runs `fn` with the clients an import command uses (Postgres, Kafka, the registry), then closes them. */
export async function withImportRuntime<T>(
  config: Config,
  logger: Logger,
  fn: (rt: Runtime) => Promise<T>,
): Promise<T> {
  // Only errors of the clients: the command prints each import's outcome itself.
  const rt = createRuntime(config, logger.child({}, { level: 'error' }), createRegistry());
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/**
 * Runs `fn` with what a fact import needs on `rt`'s clients (a Kafka producer of its own and the
 * registry), the topics made first; the producer is stopped afterwards, `rt` left open.
 */
async function withFactImportDeps<T>(
  rt: Runtime,
  logger: Logger,
  fn: (deps: FactImportDeps) => Promise<T>,
): Promise<T> {
  const { config } = rt;
  const producer = producerService(rt.kafka, 'import-producer');
  try {
    await topicsService(
      rt.kafka,
      [movementTopics(config.kafkaTopic), salesTopics(config.kafkaSalesTopic)],
      config.kafkaPartitions,
    ).start();
    await producer.start();
    return await fn({
      pool: rt.pool,
      logger,
      config,
      producer: producer.producer,
      registry: rt.schemaRegistry,
    });
  } finally {
    await producer.stop().catch(() => undefined);
  }
}

const runFactImport = (config: Config, logger: Logger, request: ImportRequest<FactKindName>) =>
  withImportRuntime(config, logger, (rt) =>
    withFactImportDeps(rt, logger, (deps) => importFactFile(deps, request)),
  );

/** One line per import: what a terminal shows of it. */
export function importLine(done: ImportRecord): string {
  if (done.status === 'failed') return `import ${done.import_id} failed: ${done.error}`;
  return (
    `import ${done.import_id} ${done.status}: ${done.rows_read} rows read, ${done.rows_imported} imported, ` +
    `${done.rows_failed} failed, ${done.rows_duplicate} duplicate (${done.kind} from ${done.file_name})`
  );
}

/**
 * `stockflow trigger` (and `db:init` on examples/): the daily job, now, in this process, on `rt`'s
 * clients (withImportRuntime); prints each import's outcome. Resolves with the exit code: 1 when
 * an import failed.
 */
export async function runDailyJobCommand(
  rt: Runtime,
  logger: Logger,
  inbox: string,
  options: { readonly onlyImportable?: boolean } = {},
): Promise<number> {
  return withFactImportDeps(rt, logger, async (deps) => {
    const job = (await prepareDailyJob({ ...deps, inbox }, { by: 'manual' }))!;
    for (const s of job.skipped) {
      if (options.onlyImportable && s.reason === UNNAMED) continue;
      console.log(`${s.file}: skipped, ${s.reason}`);
    }
    const finished = await job.run();
    if (job.imports.length === 0 && !finished.error) console.log(`nothing new in ${inbox}`);
    let failed = finished.status === 'failed';
    for (const queued of job.imports) {
      const done = (await getImport(deps.pool, queued.import_id)) ?? queued;
      failed ||= done.status === 'failed';
      console.log(importLine(done));
    }
    if (finished.error) console.error(`job ${finished.job_id} failed: ${finished.error}`);
    return failed ? 1 : 0;
  });
}

/** `stockflow imports [--limit N]`: the newest imports, one line each. */
export async function importsCommand(
  args: string[],
  config: Config,
  logger: Logger,
): Promise<number> {
  let limit = 20;
  try {
    const { values } = parseArgs({ args, options: { limit: { type: 'string' } } });
    if (values.limit !== undefined) limit = Number(values.limit);
  } catch (err) {
    throw new StockflowError('CONFIG_INVALID', `${(err as Error).message}\n${IMPORTS_USAGE}`);
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new StockflowError('CONFIG_INVALID', `--limit must be 1 to 1000\n${IMPORTS_USAGE}`);
  }
  const pool = createPool(config.databaseUrl, 1, logger);
  try {
    const rows = await listImports(pool, { limit });
    if (rows.length === 0) console.log('no imports yet');
    for (const r of rows) console.log(`${r.created_at}  ${importLine(r)}`);
    return 0;
  } finally {
    await pool.end();
  }
}

export const IMPORTS_USAGE = 'usage: stockflow imports [--limit N]';

function usageError(message: string): StockflowError {
  return new StockflowError('CONFIG_INVALID', `${message}\n${IMPORT_USAGE}`);
}

/** Runs the command; resolves with the process exit code (0 when the import succeeded). */
export async function importCommand(
  args: string[],
  config: Config,
  logger: Logger,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' } } });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const [kind, file, ...extra] = parsed.positionals;
  if (!kind || !file) throw usageError('import needs a KIND and a FILE');
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
  if (!isReference(kind) && !isFact(kind)) {
    throw usageError(`unknown import kind ${JSON.stringify(kind)}`);
  }
  if (!existsSync(file) || !statSync(file).isFile()) throw usageError(`no such file: ${file}`);

  const pool = createPool(config.databaseUrl, 2, logger);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          format: `${kind} [{bar}] {percentage}% | {rows} rows | {eta_formatted} left`,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    bar?.start(statSync(file).size, 0, { rows: 0 });
    const request = {
      path: file,
      force: parsed.values.force ?? false,
      onProgress: (p: ImportProgress) => bar?.update(p.bytesDone, { rows: p.rowsRead }),
    };
    const { import: done, reused } = isReference(kind)
      ? await importReferenceFile({ pool, logger }, { ...request, kind })
      : await runFactImport(config, logger, { ...request, kind });
    bar?.stop();
    if (reused) {
      console.log(
        `import ${done.import_id}: ${done.file_name} was imported before (same content); nothing to do (--force imports it again)`,
      );
      return 0;
    }
    if (done.status === 'failed') {
      console.error(importLine(done));
      return 1;
    }
    console.log(importLine(done));
    if (done.rows_failed > 0)
      console.log(`the failed rows: npm run failed-rows -- ${done.import_id}`);
    return 0;
  } finally {
    bar?.stop();
    await pool.end();
  }
}

/** `stockflow failed-rows ID`: an import's failed rows, one JSON object per line. */
export async function failedRowsCommand(
  args: string[],
  config: Config,
  logger: Logger,
): Promise<number> {
  const [id, ...extra] = args;
  if (!id || !/^\d+$/.test(id) || extra.length > 0) {
    throw new StockflowError('CONFIG_INVALID', 'usage: stockflow failed-rows IMPORT_ID');
  }
  const pool = createPool(config.databaseUrl, 1, logger);
  try {
    const found = await getImport(pool, Number(id));
    if (!found) throw new StockflowError('NOT_FOUND', `no import ${id}`);
    for (let after = 0; ;) {
      const rows = await failedRowsOf(pool, found.import_id, { afterLine: after, limit: 1000 });
      for (const row of rows) console.log(JSON.stringify(row));
      if (rows.length < 1000) break;
      after = rows[rows.length - 1]!.line;
    }
    return 0;
  } finally {
    await pool.end();
  }
}
