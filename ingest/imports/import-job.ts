// What every import does around its rows: the file's identity and the
// re-import check, the import row, one import of a file at a time (a session
// advisory lock, released by Postgres if the process dies), interrupted
// imports marked, progress recorded every second, and the outcome recorded.
import { basename } from 'node:path';
import type pg from 'pg';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { ImportFileError } from './errors.js';
import { fileIdentity } from './file-records.js';
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

export interface ImportProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly rowsRead: number;
}

export interface ImportRequest<K extends string = string> {
  readonly kind: K;
  readonly path: string;
  /** The name the import shows (an upload's original name); the path's base name by default. */
  readonly fileName?: string;
  /** Import again even if this very file was imported before. */
  readonly force?: boolean;
  /** The daily job run this import belongs to. */
  readonly jobId?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly progressEveryMs?: number;
}

export interface ImportOutcome {
  readonly import: ImportRecord;
  /** True when the file had been imported before and nothing ran. */
  readonly reused: boolean;
}

/** What the kind's own work gets: a connection holding the file's lock, and where to report. */
export interface ImportContext {
  readonly id: number;
  readonly sha256: string;
  readonly client: pg.PoolClient;
  readonly log: Logger;
  /** Bytes of the file read so far, and rows seen: the ticker reports them. */
  readonly progress: { bytesDone: number; rowsRead: number };
}

export interface ImportWork {
  /**
   * Reads the file and lands its rows. Returns the counts, or 'recorded' when it marked the
   * import succeeded itself (in its own transaction, with its data).
   */
  (ctx: ImportContext): Promise<ImportCounts | { recorded: ImportCounts }>;
}

const lockKey = (kind: string, sha256: string) => `stockflow import ${kind} ${sha256}`;

/** An import that is recorded (queued) and ready to run, or the earlier one that makes it moot. */
export type PreparedImport =
  | { readonly reused: ImportRecord }
  | { readonly queued: ImportRecord; readonly run: () => Promise<ImportOutcome> };

/** Checks the file against earlier imports and records the new import, without running it. */
export async function prepareImportJob(
  deps: { readonly pool: pg.Pool; readonly logger: Logger },
  request: ImportRequest,
  work: ImportWork,
): Promise<PreparedImport> {
  const { pool } = deps;
  const { sha256, bytes } = await fileIdentity(request.path);
  const force = request.force ?? false;
  const earlier = force ? undefined : await succeededImportOf(pool, request.kind, sha256);
  if (earlier) return { reused: earlier };
  const created = await createImport(pool, {
    kind: request.kind,
    fileName: request.fileName ?? basename(request.path),
    sha256,
    bytes,
    forced: force,
    jobId: request.jobId,
  });
  return { queued: created, run: () => runPrepared(deps, request, work, created) };
}

export async function runImportJob(
  deps: { readonly pool: pg.Pool; readonly logger: Logger },
  request: ImportRequest,
  work: ImportWork,
): Promise<ImportOutcome> {
  const prepared = await prepareImportJob(deps, request, work);
  return 'reused' in prepared ? { import: prepared.reused, reused: true } : prepared.run();
}

async function runPrepared(
  deps: { readonly pool: pg.Pool; readonly logger: Logger },
  request: ImportRequest,
  work: ImportWork,
  created: ImportRecord,
): Promise<ImportOutcome> {
  const { pool } = deps;
  const { sha256, bytes_total: bytes } = created;
  const force = created.forced;
  const id = created.import_id;
  const log = deps.logger.child({ import_id: id, kind: request.kind });
  const client = await pool.connect();
  const progress = { bytesDone: 0, rowsRead: 0 };
  let ticker: NodeJS.Timeout | undefined;
  let locked = false;
  const report = () => {
    request.onProgress?.({ ...progress, bytesTotal: bytes });
    recordProgress(pool, id, progress.bytesDone, progress.rowsRead).catch((err: unknown) =>
      log.warn({ err }, 'could not record import progress'),
    );
  };
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
      lockKey(request.kind, sha256),
    ]);
    locked = true;
    if (!force) {
      // Imported by another process while this one waited for the lock.
      const meanwhile = await succeededImportOf(pool, request.kind, sha256);
      if (meanwhile) {
        await deleteImport(pool, id);
        return { import: meanwhile, reused: true };
      }
    }
    await failInterrupted(pool, request.kind, sha256, id);
    await markRunning(pool, id);
    log.info({ file: request.path, bytes }, 'import started');
    ticker = setInterval(report, request.progressEveryMs ?? 1_000);
    ticker.unref();
    const result = await work({ id, sha256, client, log, progress });
    const counts = 'recorded' in result ? result.recorded : result;
    if (!('recorded' in result)) await markSucceeded(pool, id, counts);
    clearInterval(ticker);
    progress.bytesDone = bytes;
    progress.rowsRead = counts.read;
    request.onProgress?.({ ...progress, bytesTotal: bytes });
    log.info(counts, 'import succeeded');
    return { import: (await getImport(pool, id))!, reused: false };
  } catch (err) {
    clearInterval(ticker);
    const reason =
      err instanceof ImportFileError ? err.message : `import failed: ${errorMessage(err)}`;
    await markFailed(pool, id, reason).catch((e: unknown) =>
      log.error({ err: e }, 'could not record the failed import'),
    );
    log.warn({ err }, 'import failed');
    const failed = await getImport(pool, id);
    if (err instanceof ImportFileError && failed) return { import: failed, reused: false };
    throw err;
  } finally {
    if (locked) {
      await client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
          lockKey(request.kind, sha256),
        ])
        .catch(() => undefined);
    }
    client.release();
  }
}
