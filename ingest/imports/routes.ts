// GET /imports, /imports/{id} and /imports/{id}/failed-rows: what an operator
// watches while a file imports, and the rows it has to fix. Parameters are
// checked by the OpenAPI validator first, answers against the document after.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import type pg from 'pg';
import { NotFoundError, ValidationError, errorMessage } from '../../lib/errors.js';
import type { Service } from '../../lib/lifecycle.js';
import type { Logger } from '../../lib/logger.js';
import { CSV_CONTENT_TYPE, negotiate, toCsv } from '../../lib/http/representation.js';
import { fromPostgres } from '../../lib/postgres/pool.js';
import type { ApiFeature } from '../../lib/role.js';
import {
  failedRowsOf,
  getImport,
  listImports,
  type FailedRow,
  type ImportRecord,
} from './import-store.js';
import type { FactImportDeps } from './fact-import.js';
import { inboxRoot, prepareDailyJob } from './daily-job.js';
import { importsOpenApi } from './openapi.js';
import type { PreparedImport } from './import-job.js';
import { prepareImport, type ImportKindName } from './start-import.js';
import { receiveUpload, removeUpload } from './upload.js';

const CSV_PAGE = 10_000;

/** An import as the API shows it. */
export function importBody(r: ImportRecord) {
  const started = r.started_at ? Date.parse(r.started_at) : undefined;
  const finished = r.finished_at ? Date.parse(r.finished_at) : undefined;
  return {
    import_id: r.import_id,
    kind: r.kind,
    file_name: r.file_name,
    sha256: r.sha256,
    forced: r.forced,
    status: r.status,
    bytes_total: r.bytes_total,
    bytes_done: r.bytes_done,
    rows: {
      read: r.rows_read,
      imported: r.rows_imported,
      failed: r.rows_failed,
      duplicate: r.rows_duplicate,
    },
    error: r.error,
    job_id: r.job_id,
    created_at: r.created_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_seconds: started === undefined ? null : ((finished ?? Date.now()) - started) / 1000,
  };
}

const reasonsText = (row: FailedRow) =>
  row.reasons.map((r) => (r.column ? `${r.column}: ${r.message}` : r.message)).join('; ');

function importId(req: Request): number {
  const id = Number(req.params.import_id);
  // The validator takes "1e309" for an integer (Infinity): checked here, not left to Postgres.
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ValidationError('the import id is invalid', [
      {
        path: '/import_id',
        message: `must be a positive integer, got ${JSON.stringify(req.params.import_id)}`,
      },
    ]);
  }
  return id;
}

/** The file a request names, if it is a file inside the inbox (symbolic links resolved). */
async function inboxFile(inbox: string, requested: string): Promise<string> {
  const refuse = (message: string) => new ValidationError(message, [{ path: '/path', message }]);
  const root = await realpath(inbox).catch(() => {
    throw refuse(`the import inbox ${inbox} does not exist (IMPORT_INBOX_DIR)`);
  });
  const file = await realpath(path.resolve(root, requested)).catch(() => {
    throw refuse(`no file ${JSON.stringify(requested)} in the import inbox`);
  });
  if (!file.startsWith(root + path.sep)) {
    throw refuse(`path must name a file inside the import inbox, got ${JSON.stringify(requested)}`);
  }
  if (!(await stat(file)).isFile()) throw refuse(`${JSON.stringify(requested)} is not a file`);
  return file;
}

/** Imports started over HTTP run in this process; stopping waits for them. */
export interface RunningImports extends Service {
  track(run: Promise<unknown>): void;
}

export function runningImports(logger: Logger): RunningImports {
  const running = new Set<Promise<unknown>>();
  return {
    name: 'imports',
    start: () => Promise.resolve(),
    async stop() {
      await Promise.allSettled([...running]);
    },
    track(run) {
      const settled = run
        .catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'import failed'))
        .finally(() => running.delete(settled));
      running.add(settled);
    },
  };
}

export interface ImportsDeps {
  readonly pool: pg.Pool;
  /** What starting an import needs; without it the API only reads. */
  readonly start?: FactImportDeps & { readonly inbox: string; readonly running: RunningImports };
}

export function importsFeature(deps: ImportsDeps): ApiFeature {
  const router = express.Router();

  const answer = (res: Response, prepared: PreparedImport, afterRun?: () => Promise<void>) => {
    if ('reused' in prepared) {
      res
        .status(200)
        .location(`/imports/${prepared.reused.import_id}`)
        .json(importBody(prepared.reused));
      return afterRun?.();
    }
    res
      .status(202)
      .location(`/imports/${prepared.queued.import_id}`)
      .json(importBody(prepared.queued));
    deps.start?.running.track(prepared.run().finally(afterRun));
    return undefined;
  };

  router.post('/imports', async (req, res) => {
    const starter = deps.start;
    if (!starter) throw new NotFoundError('this process does not start imports');
    if (req.is('text/csv')) {
      const kind = req.query.kind as ImportKindName | undefined;
      if (!kind) {
        const message = 'a CSV upload names its kind: ?kind=products, sales, …';
        throw new ValidationError(message, [{ path: '/query/kind', message }]);
      }
      const file = await receiveUpload(req, starter.inbox, kind);
      const fileName = typeof req.query.file_name === 'string' ? req.query.file_name : 'upload.csv';
      const prepared = await prepareImport(starter, {
        kind,
        path: file,
        fileName,
        force: [true, 'true'].includes(req.query.force as unknown as string), // the validator may coerce it
      }).catch(async (err: unknown) => {
        await removeUpload(file);
        throw err;
      });
      await answer(res, prepared, () => removeUpload(file));
      return;
    }
    const body = req.body as { kind: ImportKindName; path: string; force?: boolean };
    const file = await inboxFile(starter.inbox, body.path);
    const prepared = await prepareImport(starter, {
      kind: body.kind,
      path: file,
      fileName: path.relative(await realpath(starter.inbox), file),
      force: body.force ?? false,
    });
    await answer(res, prepared);
  });
  const found = async (id: number) => {
    const row = await fromPostgres(getImport(deps.pool, id));
    if (!row) throw new NotFoundError(`no import ${id}`);
    return row;
  };

  router.post('/trigger-job', async (_req, res) => {
    const starter = deps.start;
    if (!starter) throw new NotFoundError('this process does not start imports');
    await inboxRoot(starter.inbox).catch((err: Error) => {
      throw new ValidationError(err.message, []);
    });
    const job = (await prepareDailyJob(starter, { by: 'manual' }))!; // only a tick can be taken
    res.status(202).json({
      job: job.job,
      imports: job.imports.map(importBody),
      skipped: job.skipped,
    });
    starter.running.track(job.run());
  });

  router.get('/imports', async (req, res) => {
    const limit = Number(req.query.limit ?? 50);
    const before = req.query.before === undefined ? undefined : Number(req.query.before);
    const page = await fromPostgres(
      listImports(deps.pool, { limit: limit + 1, ...(before ? { beforeId: before } : {}) }),
    );
    const items = page.slice(0, limit);
    res.json({
      items: items.map(importBody),
      next_before: page.length > limit ? (items.at(-1)?.import_id ?? null) : null,
    });
  });

  router.get('/imports/:import_id', async (req, res) => {
    res.json(importBody(await found(importId(req))));
  });

  router.get('/imports/:import_id/failed-rows', async (req, res) => {
    const format = negotiate(req.get('Accept'));
    const imp = await found(importId(req));
    res.vary('Accept');
    if (format === 'csv') {
      // Every failed row, a page at a time from Postgres, so a large list is never held whole.
      res.type(CSV_CONTENT_TYPE);
      res.write(toCsv({ columns: ['line', 'raw', 'reasons'], rows: [] }));
      for (let after = 0; ;) {
        const rows = await fromPostgres(
          failedRowsOf(deps.pool, imp.import_id, { afterLine: after, limit: CSV_PAGE }),
        );
        const body = toCsv({ columns: [], rows: rows.map((r) => [r.line, r.raw, reasonsText(r)]) });
        res.write(body.slice(2)); // toCsv leads with the (empty) header line
        if (rows.length < CSV_PAGE) break;
        after = rows[rows.length - 1]!.line;
      }
      res.end();
      return;
    }
    const limit = Number(req.query.limit ?? 100);
    const after = Number(req.query.after_line ?? 0);
    const page = await fromPostgres(
      failedRowsOf(deps.pool, imp.import_id, { afterLine: after, limit: limit + 1 }),
    );
    const items = page.slice(0, limit);
    res.type('application/json').json({
      items,
      next_after_line: page.length > limit ? (items.at(-1)?.line ?? null) : null,
    });
  });

  return { openapi: importsOpenApi, router };
}
