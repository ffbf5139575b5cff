// One import of a reference file (products, warehouses, countries): every row,
// good or failed, is streamed with COPY into a temporary table, then in the
// same transaction the failed rows are kept, the first good row of each key is
// upserted and the import is marked done. A crash anywhere rolls all of it
// back; a re-run of the same file starts clean and counts nothing twice.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { headerProblem, type ColumnIssue } from '../../domain/reference-rows.js';
import type { Logger } from '../../lib/logger.js';
import { copyTextRow } from '../../lib/postgres/copy-text.js';
import { ImportFileError } from './errors.js';
import { fileRecords } from './file-records.js';
import {
  runImportJob,
  type ImportOutcome,
  type ImportRequest,
  type ImportWork,
} from './import-job.js';
import { markSucceeded, type ImportCounts } from './import-store.js';
import { REFERENCE_KINDS, type ReferenceKind, type ReferenceKindName } from './reference-kinds.js';

export interface ImportDeps {
  readonly pool: pg.Pool;
  readonly logger: Logger;
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
  seen: { rowsRead: number },
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
    seen.rowsRead++;
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

/** Imports one reference file, or returns the import that already brought it in. */
export function importReferenceFile(
  deps: ImportDeps,
  request: ImportRequest<ReferenceKindName>,
): Promise<ImportOutcome> {
  return runImportJob(deps, request, referenceWork(request));
}

/** The rows' part of a reference import: COPY, failed rows, merge and outcome in one transaction. */
export function referenceWork(request: ImportRequest<ReferenceKindName>): ImportWork {
  const kind = REFERENCE_KINDS[request.kind];
  return async ({ id, client, progress }) => {
    try {
      await client.query('BEGIN');
      await client.query(STAGING);
      const records = fileRecords(request.path, (n) => {
        progress.bytesDone = n;
      });
      await pipeline(
        Readable.from(stagedRows(kind, records, progress)),
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
      return { recorded: counts };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  };
}
