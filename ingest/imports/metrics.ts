import { Counter } from 'prom-client';
import { IMPORT_KINDS } from '../../domain/import-kinds.js';
import type { Logger } from '../../lib/logger.js';
import { once, scrapeRead, type Registry } from '../../lib/metrics.js';
import type { Pool } from '../../lib/postgres/pool.js';

export interface ImportTotals {
  readonly kind: string;
  readonly status: 'succeeded' | 'failed';
  readonly imports: number;
  readonly rowsImported: number;
  readonly rowsFailed: number;
  readonly rowsDuplicate: number;
}

/** Finished imports by kind and status, with their rows: one pass over `imports` (a row per file). */
export async function importTotals(pool: Pool): Promise<ImportTotals[]> {
  const r = await pool.query<{
    kind: string;
    status: 'succeeded' | 'failed';
    imports: number;
    imported: number;
    failed: number;
    duplicate: number;
  }>(
    `SELECT kind, status, count(*)::float8 AS imports, sum(rows_imported)::float8 AS imported,
            sum(rows_failed)::float8 AS failed, sum(rows_duplicate)::float8 AS duplicate
       FROM imports WHERE status IN ('succeeded', 'failed') GROUP BY kind, status ORDER BY kind, status`,
  );
  return r.rows.map((row) => ({
    kind: row.kind,
    status: row.status,
    imports: row.imports,
    rowsImported: row.imported,
    rowsFailed: row.failed,
    rowsDuplicate: row.duplicate,
  }));
}

/**
 * `stockflow_imports_total{kind,status}` and `stockflow_import_rows_total{kind,outcome}`, counted
 * from Postgres' `imports` table at scrape time (one query for both): every import counts, be it
 * run by the API, the job queue or `stockflow import` in a process of its own, and every process
 * reports the same figures (use max() across instances). A failed read keeps the last figures.
 */
export function importMetrics(registry: Registry, pool: Pool, logger?: Logger): void {
  let last: ImportTotals[] = [];
  const read = scrapeRead({
    registry,
    collector: 'imports',
    ...(logger ? { logger } : {}),
    read: async () => (last = await importTotals(pool)),
  });
  once(
    registry,
    'stockflow_imports_total',
    () =>
      new Counter({
        name: 'stockflow_imports_total',
        help: 'Finished imports by kind and status (succeeded: rows in, failed rows kept aside; failed: the file could not be imported), from Postgres.',
        labelNames: ['kind', 'status'],
        registers: [registry],
        async collect() {
          await read();
          this.reset();
          // Every kind and status from 0, so the first failed import of a kind is an increase.
          for (const kind of IMPORT_KINDS) {
            for (const status of ['succeeded', 'failed']) this.inc({ kind, status }, 0);
          }
          for (const t of last) this.inc({ kind: t.kind, status: t.status }, t.imports);
        },
      }),
  );
  once(
    registry,
    'stockflow_import_rows_total',
    () =>
      new Counter({
        name: 'stockflow_import_rows_total',
        help: 'Rows of finished imports by kind and outcome (imported, failed, duplicate), from Postgres.',
        labelNames: ['kind', 'outcome'],
        registers: [registry],
        async collect() {
          await read();
          this.reset();
          const sums = new Map<string, { imported: number; failed: number; duplicate: number }>(
            IMPORT_KINDS.map((kind) => [kind, { imported: 0, failed: 0, duplicate: 0 }]),
          );
          for (const t of last) {
            const s = sums.get(t.kind) ?? { imported: 0, failed: 0, duplicate: 0 };
            s.imported += t.rowsImported;
            s.failed += t.rowsFailed;
            s.duplicate += t.rowsDuplicate;
            sums.set(t.kind, s);
          }
          for (const [kind, s] of sums) {
            for (const outcome of ['imported', 'failed', 'duplicate'] as const) {
              this.inc({ kind, outcome }, s[outcome]);
            }
          }
        },
      }),
  );
}
