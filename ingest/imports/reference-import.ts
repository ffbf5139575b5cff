// One import of a reference file (products, warehouses, countries): every row,
// good or failed, is streamed with COPY into a temporary table, then in the
// same transaction the failed rows are kept, the first good row of each key is
// upserted and the import is marked done. A crash anywhere rolls all of it
// back; a re-run of the same file starts clean and counts nothing twice.
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { headerProblem, type ColumnIssue } from '../../domain/reference-rows.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { copyTextRow } from '../../lib/postgres/copy-text.js';
import { ImportFileError } from './errors.js';
import { fileIdentity, fileRecords } from './file-records.js';
import {
  createImport,
  deleteImport,
  failInterrupted,
  getImport,
  markFailed,
  markRunning,
  markSucceeded,
  recordProgress,
  succeededImportOf,
  type ImportCounts,
  type ImportRecord,
} from './import-store.js';
import { REFERENCE_KINDS, type ReferenceKind, type ReferenceKindName } from './reference-kinds.js';

export interface ImportDeps {
  readonly pool: pg.Pool;
  readonly logger: Logger;
}

export interface ImportProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly rowsRead: number;
}

export interface ImportRequest {
  readonly kind: ReferenceKindName;
  readonly path: string;
  /** The name the import shows (an upload's original name); the path's base name by default. */
  readonly fileName?: string;
  /** Import again even if this very file was imported before. */
  readonly force?: boolean;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly progressEveryMs?: number;
}

export interface ImportOutcome {
  readonly import: ImportRecord;
  /** True when the file had been imported before and nothing ran. */
  readonly reused: boolean;
}

const STAGING = `CREATE TEMP TABLE import_rows (
  line bigint NOT NULL, raw text NOT NULL, reasons jsonb, key text,
  v1 text, v2 text, v3 text, v4 text, v5 text
) ON COMMIT DROP`;
const VALUE_COLUMNS = 5;
const COPY_CHUNK_CHARS = 256 * 1024;

/** Text Postgres can store: NUL cannot be, so a raw line shows it as U+FFFD. */
const storable = (raw: string) => (raw.includes('\0') ? raw.replaceAll('\0', '\uFFFD') : raw);

/** The staged COPY text of a file's rows, the header checked first; counts rows as they go. */
async function* stagedRows(
  kind: ReferenceKind,
  records: AsyncIterable<
    { line: number; raw: string; fields: string[] } | { line: number; raw: string; error: string }
  >,
  seen: { rows: number },
): AsyncGenerator<string> {
  let header: string[] | undefined;
  let out = '';
  for await (const record of records) {
    if (!header) {
      if ('error' in record) throw new ImportFileError(`the header is not CSV: ${record.error}`);
      header = record.fields.map((f) => f.trim());
      const problem = headerProblem(header, kind);
      if (problem) throw new ImportFileError(`not a ${kind.kind} file: ${problem}`);
      continue;
    }
    seen.rows++;
    let reasons: readonly ColumnIssue[] | undefined;
    let key: string | null = null;
    let values: (string | null)[] = [];
    if ('error' in record) {
      reasons = [{ column: '', message: `not a CSV row: ${record.error}` }];
    } else if (record.fields.length !== header.length) {
      reasons = [
        {
          column: '',
          message: `has ${record.fields.length} fields; the header has ${header.length}`,
        },
      ];
    } else {
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) row[header[i]!] = record.fields[i]!;
      const staged = kind.stage(row);
      if (staged.ok) ({ key, values } = staged);
      else reasons = staged.errors;
    }
    const padded = [...values, ...Array<null>(VALUE_COLUMNS - values.length).fill(null)];
    out += copyTextRow([
      record.line,
      storable(record.raw),
      reasons ? JSON.stringify(reasons) : null,
      key,
      ...padded,
    ]);
    if (out.length >= COPY_CHUNK_CHARS) {
      yield out;
      out = '';
    }
  }
  if (!header) throw new ImportFileError(`not a ${kind.kind} file: it is empty (no header row)`);
  if (out) yield out;
}

async function countStaged(client: pg.PoolClient): Promise<ImportCounts> {
  const r = await client.query<{ read: number; failed: number; imported: number }>(
    `SELECT count(*)::float8 AS read,
            count(*) FILTER (WHERE reasons IS NOT NULL)::float8 AS failed,
            count(DISTINCT key) FILTER (WHERE reasons IS NULL)::float8 AS imported
       FROM import_rows`,
  );
  const { read, failed, imported } = r.rows[0]!;
  return { read, failed, imported, duplicate: read - failed - imported };
}

/** Locks this file (kind and content) for the transaction: one import of a file at a time. */
async function lockFile(client: pg.PoolClient, kind: string, sha256: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `stockflow import ${kind} ${sha256}`,
  ]);
}

/** Imports one reference file, or returns the import that already brought it in. */
export async function importReferenceFile(
  deps: ImportDeps,
  request: ImportRequest,
): Promise<ImportOutcome> {
  const kind = REFERENCE_KINDS[request.kind];
  const { sha256, bytes } = await fileIdentity(request.path);
  const force = request.force ?? false;
  const earlier = force ? undefined : await succeededImportOf(deps.pool, kind.kind, sha256);
  if (earlier) return { import: earlier, reused: true };
  const created = await createImport(deps.pool, {
    kind: kind.kind,
    fileName: request.fileName ?? basename(request.path),
    sha256,
    bytes,
    forced: force,
  });
  const id = created.import_id;
  const log = deps.logger.child({ import_id: id, kind: kind.kind });
  const client = await deps.pool.connect();
  const progress = { bytesDone: 0, bytesTotal: bytes, rowsRead: 0 };
  const seen = { rows: 0 };
  let ticker: NodeJS.Timeout | undefined;
  try {
    await client.query('BEGIN');
    await lockFile(client, kind.kind, sha256);
    if (!force) {
      // Imported by another process while this one waited for the lock.
      const meanwhile = await succeededImportOf(client, kind.kind, sha256);
      if (meanwhile) {
        await client.query('COMMIT');
        await deleteImport(deps.pool, id);
        return { import: meanwhile, reused: true };
      }
    }
    await failInterrupted(client, kind.kind, sha256, id);
    await markRunning(deps.pool, id);
    log.info({ file: request.path, bytes }, 'import started');
    const report = () => {
      progress.rowsRead = seen.rows;
      request.onProgress?.({ ...progress });
      recordProgress(deps.pool, id, progress.bytesDone, progress.rowsRead).catch((err: unknown) =>
        log.warn({ err }, 'could not record import progress'),
      );
    };
    ticker = setInterval(report, request.progressEveryMs ?? 1_000);
    ticker.unref();
    await client.query(STAGING);
    const records = fileRecords(request.path, (n) => {
      progress.bytesDone = n;
    });
    await pipeline(
      Readable.from(stagedRows(kind, records, seen)),
      client.query(copyFrom('COPY import_rows FROM STDIN')),
    );
    if (kind.conflictsSql) await client.query(kind.conflictsSql);
    await client.query(
      `INSERT INTO failed_rows (import_id, line, raw, reasons)
       SELECT $1, line, raw, reasons FROM import_rows WHERE reasons IS NOT NULL`,
      [id],
    );
    const counts = await countStaged(client);
    await client.query(kind.mergeSql);
    await markSucceeded(client, id, counts);
    await client.query('COMMIT');
    clearInterval(ticker);
    progress.rowsRead = counts.read;
    progress.bytesDone = bytes;
    request.onProgress?.({ ...progress });
    log.info(counts, 'import succeeded');
    return { import: (await getImport(deps.pool, id))!, reused: false };
  } catch (err) {
    clearInterval(ticker);
    await client.query('ROLLBACK').catch(() => undefined);
    const reason =
      err instanceof ImportFileError ? err.message : `import failed: ${errorMessage(err)}`;
    await markFailed(deps.pool, id, reason).catch((e: unknown) =>
      log.error({ err: e }, 'could not record the failed import'),
    );
    log.warn({ err }, 'import failed');
    const failed = await getImport(deps.pool, id);
    if (err instanceof ImportFileError && failed) return { import: failed, reused: false };
    throw err;
  } finally {
    client.release();
  }
}
