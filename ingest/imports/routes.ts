// GET /imports, /imports/{id} and /imports/{id}/failed-rows: what an operator
// watches while a file imports, and the rows it has to fix. Parameters are
// checked by the OpenAPI validator first, answers against the document after.
import express, { type Request } from 'express';
import type pg from 'pg';
import { DependencyUnavailableError, NotFoundError } from '../../lib/errors.js';
import { CSV_CONTENT_TYPE, negotiate, toCsv } from '../../lib/http/representation.js';
import { isTransientPgError } from '../../lib/postgres/pool.js';
import type { ApiFeature } from '../../lib/role.js';
import {
  failedRowsOf,
  getImport,
  listImports,
  type FailedRow,
  type ImportRecord,
} from './import-store.js';
import { importsOpenApi } from './openapi.js';

const CSV_PAGE = 10_000;

async function fromPostgres<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    if (isTransientPgError(err)) {
      throw new DependencyUnavailableError('postgres', 'Postgres is unavailable', { cause: err });
    }
    throw err;
  }
}

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
    created_at: r.created_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_seconds: started === undefined ? null : ((finished ?? Date.now()) - started) / 1000,
  };
}

const reasonsText = (row: FailedRow) =>
  row.reasons.map((r) => (r.column ? `${r.column}: ${r.message}` : r.message)).join('; ');

function importId(req: Request): number {
  return Number(req.params.import_id);
}

export function importsFeature(deps: { pool: pg.Pool }): ApiFeature {
  const router = express.Router();
  const found = async (id: number) => {
    const row = await fromPostgres(getImport(deps.pool, id));
    if (!row) throw new NotFoundError(`no import ${id}`);
    return row;
  };

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
