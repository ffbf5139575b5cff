// `stockflow import KIND FILE [--force]`: one file imported in this process,
// with a progress bar on a terminal and the final counts.
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Config } from '../../lib/config.js';
import { StockflowError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { createPool } from '../../lib/postgres/pool.js';
import { createRuntime } from '../../lib/runtime.js';
import { createRegistry } from '../../lib/metrics.js';
import { producerService, topicsService } from '../../lib/kafka/services.js';
import { movementTopics, salesTopics } from '../../lib/kafka/topics.js';
import { importFactFile } from './fact-import.js';
import { FACT_KINDS, type FactKindName } from './fact-kinds.js';
import type { ImportOutcome, ImportProgress, ImportRequest } from './import-job.js';
import { failedRowsOf, getImport } from './import-store.js';
import { importReferenceFile } from './reference-import.js';
import { REFERENCE_KINDS, type ReferenceKindName } from './reference-kinds.js';

const KINDS = [...Object.keys(REFERENCE_KINDS), ...Object.keys(FACT_KINDS)];

export const IMPORT_USAGE = `usage: stockflow import KIND FILE [--force]
  KIND is one of ${KINDS.join(', ')}; FILE a CSV file with a header row.
  --force  import again even if this very file was imported before`;

const isReference = (k: string): k is ReferenceKindName => Object.hasOwn(REFERENCE_KINDS, k);
const isFact = (k: string): k is FactKindName => Object.hasOwn(FACT_KINDS, k);

/** Runs a fact import with the Kafka producer and registry it needs, the topics made first. */
async function runFactImport(
  config: Config,
  logger: Logger,
  request: ImportRequest<FactKindName>,
): Promise<ImportOutcome> {
  const rt = createRuntime(config, logger, createRegistry());
  const producer = producerService(rt.kafka, 'import-producer');
  try {
    await topicsService(
      rt.kafka,
      [movementTopics(config.kafkaTopic), salesTopics(config.kafkaSalesTopic)],
      config.kafkaPartitions,
    ).start();
    await producer.start();
    return await importFactFile(
      { pool: rt.pool, logger, config, producer: producer.producer, registry: rt.schemaRegistry },
      request,
    );
  } finally {
    await producer.stop().catch(() => undefined);
    await rt.close();
  }
}

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
      console.error(`import ${done.import_id} failed: ${done.error}`);
      return 1;
    }
    console.log(
      `import ${done.import_id} ${done.status}: ${done.rows_read} rows read, ${done.rows_imported} imported, ` +
        `${done.rows_failed} failed, ${done.rows_duplicate} duplicate (${done.kind} from ${done.file_name})`,
    );
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
