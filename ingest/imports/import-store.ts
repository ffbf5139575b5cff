// The imports table and its failed rows: one function per statement.
import type pg from 'pg';

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ImportRecord {
  readonly import_id: number;
  readonly kind: string;
  readonly file_name: string;
  readonly sha256: string;
  readonly forced: boolean;
  readonly status: ImportStatus;
  readonly bytes_total: number;
  readonly bytes_done: number;
  readonly rows_read: number;
  readonly rows_imported: number;
  readonly rows_failed: number;
  readonly rows_duplicate: number;
  readonly error: string | null;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  /** The daily job run that started it, if one did. */
  readonly job_id: number | null;
}

export interface ImportCounts {
  readonly read: number;
  readonly imported: number;
  readonly failed: number;
  readonly duplicate: number;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const COLUMNS = `import_id::float8 AS import_id, kind, file_name, sha256, forced, status, bytes_total::float8 AS bytes_total,
  bytes_done::float8 AS bytes_done, rows_read::float8 AS rows_read,
  rows_imported::float8 AS rows_imported, rows_failed::float8 AS rows_failed,
  rows_duplicate::float8 AS rows_duplicate, error, to_json(created_at)#>>'{}' AS created_at,
  to_json(started_at)#>>'{}' AS started_at, to_json(finished_at)#>>'{}' AS finished_at,
  job_id::float8 AS job_id`;

export async function createImport(
  db: Queryable,
  file: {
    kind: string;
    fileName: string;
    sha256: string;
    bytes: number;
    forced: boolean;
    jobId: number | undefined;
  },
): Promise<ImportRecord> {
  const r = await db.query<ImportRecord>(
    `INSERT INTO imports (kind, file_name, sha256, bytes_total, forced, job_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [file.kind, file.fileName, file.sha256, file.bytes, file.forced, file.jobId ?? null],
  );
  return r.rows[0]!;
}

/** The import that already brought this file in, if any (forced re-imports aside). */
export async function succeededImportOf(
  db: Queryable,
  kind: string,
  sha256: string,
): Promise<ImportRecord | undefined> {
  const r = await db.query<ImportRecord>(
    `SELECT ${COLUMNS} FROM imports
      WHERE kind = $1 AND sha256 = $2 AND status = 'succeeded' AND NOT forced`,
    [kind, sha256],
  );
  return r.rows[0];
}

export async function getImport(db: Queryable, id: number): Promise<ImportRecord | undefined> {
  const r = await db.query<ImportRecord>(`SELECT ${COLUMNS} FROM imports WHERE import_id = $1`, [
    id,
  ]);
  return r.rows[0];
}

export async function deleteImport(db: Queryable, id: number): Promise<void> {
  await db.query('DELETE FROM imports WHERE import_id = $1', [id]);
}

/**
 * Marks the file's other unfinished imports failed. Called holding the file's lock, so none of
 * them is running: their process ended before they finished.
 */
export async function failInterrupted(
  db: Queryable,
  kind: string,
  sha256: string,
  except: number,
): Promise<void> {
  await db.query(
    `UPDATE imports SET status = 'failed', finished_at = now(),
            error = 'interrupted: its process ended before it finished; nothing of it was kept'
      WHERE kind = $1 AND sha256 = $2 AND status IN ('queued', 'running') AND import_id <> $3`,
    [kind, sha256, except],
  );
}

export async function markRunning(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE imports SET status = 'running', started_at = now() WHERE import_id = $1`, [
    id,
  ]);
}

export async function recordProgress(
  db: Queryable,
  id: number,
  bytesDone: number,
  rowsRead: number,
): Promise<void> {
  await db.query(
    `UPDATE imports SET bytes_done = $2, rows_read = $3
      WHERE import_id = $1 AND status = 'running'`,
    [id, bytesDone, rowsRead],
  );
}

export async function markSucceeded(
  db: Queryable,
  id: number,
  counts: ImportCounts,
): Promise<void> {
  await db.query(
    `UPDATE imports SET status = 'succeeded', finished_at = now(), bytes_done = bytes_total,
            rows_read = $2, rows_imported = $3, rows_failed = $4, rows_duplicate = $5
      WHERE import_id = $1`,
    [id, counts.read, counts.imported, counts.failed, counts.duplicate],
  );
}

export async function markFailed(db: Queryable, id: number, error: string): Promise<void> {
  await db.query(
    `UPDATE imports SET status = 'failed', finished_at = now(), error = $2 WHERE import_id = $1`,
    [id, error],
  );
}

export interface FailedRow {
  readonly line: number;
  readonly raw: string;
  readonly reasons: { column: string; message: string }[];
}

export async function failedRowsOf(
  db: Queryable,
  id: number,
  page: { afterLine: number; limit: number },
): Promise<FailedRow[]> {
  const r = await db.query<FailedRow>(
    `SELECT line::float8 AS line, raw, reasons FROM failed_rows
      WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
    [id, page.afterLine, page.limit],
  );
  return r.rows;
}

/** Keeps a batch of failed rows (a re-run of the same batch keeps them once). */
export async function insertFailedRows(
  db: Queryable,
  id: number,
  rows: readonly FailedRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO failed_rows (import_id, line, raw, reasons)
     SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::jsonb[])
     ON CONFLICT DO NOTHING`,
    [
      id,
      rows.map((r) => r.line),
      rows.map((r) => r.raw),
      rows.map((r) => JSON.stringify(r.reasons)),
    ],
  );
}

/** Every warehouse's code by its id: fact rows name warehouses by id, events by code. */
export async function warehouseCodes(db: Queryable): Promise<Map<string, string>> {
  const r = await db.query<{ id: string; code: string }>(
    'SELECT warehouse_id::text AS id, code FROM warehouses',
  );
  return new Map(r.rows.map((row) => [row.id, row.code]));
}

/** Imports newest first; `beforeId` continues a page. */
export async function listImports(
  db: Queryable,
  page: { beforeId?: number; limit: number },
): Promise<ImportRecord[]> {
  const r = await db.query<ImportRecord>(
    `SELECT ${COLUMNS} FROM imports
      WHERE ($1::bigint IS NULL OR import_id < $1) ORDER BY import_id DESC LIMIT $2`,
    [page.beforeId ?? null, page.limit],
  );
  return r.rows;
}
