// One import of a reference file (products, warehouses, countries): every row,
// good or failed, is streamed with COPY into a temporary table (a good row's
// raw text only when a later check may still fail it), then in the same
// transaction the failed rows are kept, the first good row of each key is
// merged and the import is marked done. A crash anywhere rolls all of it
// back; a re-run of the same file starts clean and counts nothing twice.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from '../../lib/logger.js';
import { copyTextFields, copyTextValue } from '../../lib/postgres/copy-text.js';
import type { CsvRecord } from './csv-records.js';
import { fileRecordBatches } from './file-records.js';
import { fileRowBatches } from './file-rows.js';
import {
  runImportJob,
  type ImportOutcome,
  type ImportRequest,
  type ImportWork,
} from './import-job.js';
import { markSucceeded } from './import-store.js';
import {
  mergeLockSql,
  REFERENCE_KINDS,
  type ReferenceKind,
  type ReferenceKindName,
} from './reference-kinds.js';

export interface ImportDeps {
  readonly pool: pg.Pool;
  readonly logger: Logger;
}

const STAGING = `CREATE TEMP TABLE import_rows (
  line bigint NOT NULL, raw text, reasons jsonb, key text,
  v1 text, v2 text, v3 text, v4 text, v5 text
) ON COMMIT DROP`;
const VALUE_COLUMNS = 5;
const NO_VALUES: readonly (string | null)[] = [];
const COPY_CHUNK_CHARS = 256 * 1024;

/** The staged COPY text of a file's rows, a chunk of rows at a time; counts rows as they go. */
async function* stagedRows(
  kind: ReferenceKind,
  records: AsyncIterable<CsvRecord[]>,
  seen: { rowsRead: number },
): AsyncGenerator<string> {
  let out = '';
  for await (const rows of fileRowBatches(records, kind, seen)) {
    for (const r of rows) {
      let reasons = 'reasons' in r ? r.reasons : undefined;
      let key: string | null = null;
      let values: readonly (string | null)[] = NO_VALUES;
      if ('row' in r) {
        const staged = kind.stage(r.row);
        if (staged.ok) ({ key, values } = staged);
        else reasons = staged.errors;
      }
      const raw = reasons || kind.failsGoodRows ? r.raw : null;
      out += copyTextFields([r.line, raw, reasons ? JSON.stringify(reasons) : null, key]);
      // The value columns, NULL beyond the kind's: the row's tab and newline are written here.
      for (let i = 0; i < VALUE_COLUMNS; i++) out += '\t' + copyTextValue(values[i] ?? null);
      out += '\n';
    }
    if (out.length >= COPY_CHUNK_CHARS) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
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
      const records = fileRecordBatches(request.path, (n) => {
        progress.bytesDone = n;
      });
      await pipeline(
        Readable.from(stagedRows(kind, records, progress)),
        client.query(copyFrom('COPY import_rows FROM STDIN')),
      );
      await client.query(mergeLockSql, [kind.kind]);
      if (kind.conflictsSql) await client.query(kind.conflictsSql);
      const failed = await client.query(
        `INSERT INTO failed_rows (import_id, line, raw, reasons)
         SELECT $1, line, raw, reasons FROM import_rows WHERE reasons IS NOT NULL`,
        [id],
      );
      const merged = await client.query<{ imported: number }>(kind.mergeSql);
      const read = progress.rowsRead;
      const imported = merged.rows[0]!.imported;
      const counts = { read, failed: failed.rowCount ?? 0, imported };
      const recorded = { ...counts, duplicate: read - counts.failed - imported };
      await markSucceeded(client, id, recorded);
      await client.query('COMMIT');
      return { recorded };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  };
}
