import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';
import { writeCsvFiles } from './csv/write-files.js';

// The reference data of the demo dataset's world (its countries with names and
// continents, its warehouses with codes and names, its products), loaded the
// way an operator's files are: written as the reference CSV files and imported
// by the import job. The job is handed in, not imported: generator/ may not
// import ingest/ (eslint.config.js), so whoever holds both (main.ts, a test)
// passes `(r) => importReferenceFile(runtime, r)` of ingest/imports/reference-import.ts.

/** The seed of the demo dataset (index.ts publishDemoData) and so of its world. */
export const DEMO_SEED = 1;

export type ReferenceKind = 'countries' | 'warehouses' | 'products';

/** The part of the import job's answer (ingest/imports/import-job.ts ImportOutcome) read here. */
export interface ReferenceImportOutcome {
  readonly import: {
    readonly import_id: number;
    readonly status: string;
    readonly rows_read: number;
    readonly rows_imported: number;
    readonly rows_failed: number;
    readonly error: string | null;
  };
  /** The same file was imported before: nothing ran. */
  readonly reused: boolean;
}

/** Imports one reference file, as ingest/imports/reference-import.ts importReferenceFile does. */
export type ReferenceImporter = (request: {
  readonly kind: ReferenceKind;
  readonly path: string;
  readonly fileName: string;
}) => Promise<ReferenceImportOutcome>;

export interface DemoReferenceResult {
  readonly kind: ReferenceKind;
  readonly outcome: ReferenceImportOutcome;
}

/**
 * Imports the reference files of the demo world (seed 1 unless told), countries first, so
 * that answers can name what the demo data talks about. Idempotent: a seed's files are the
 * same bytes every day, so a second call finds them imported before and changes nothing.
 * A file's failed rows (say, a demo warehouse code already held by another warehouse) are
 * logged, not thrown; an import that fails as a whole throws.
 */
export async function loadDemoReference(
  importReference: ReferenceImporter,
  options: { readonly logger: Logger; readonly seed?: number },
): Promise<DemoReferenceResult[]> {
  const log = options.logger.child({ component: 'demo-reference' });
  const dir = await mkdtemp(path.join(tmpdir(), 'stockflow-demo-reference-'));
  try {
    const seed = options.seed ?? DEMO_SEED;
    const written = await writeCsvFiles({
      dir,
      seed,
      // The world depends on the seed alone: no period, movements or sales in these files.
      from: new Date(0),
      to: new Date(86_400_000),
      movements: 0,
      sales: 0,
      outOfOrder: 0,
      losses: 0,
      kinds: ['countries', 'warehouses', 'products'],
    });
    const results: DemoReferenceResult[] = [];
    for (const file of written.files) {
      const kind = file.kind as ReferenceKind;
      const outcome = await importReference({
        kind,
        path: file.path,
        fileName: `demo-seed-${seed}-${kind}.csv`,
      });
      const i = outcome.import;
      if (i.status !== 'succeeded') {
        throw new Error(`the demo ${kind} import ${i.import_id} failed: ${i.error ?? i.status}`);
      }
      const fields = { kind, import_id: i.import_id, rows: i.rows_read, failed: i.rows_failed };
      if (outcome.reused) log.info(fields, `demo ${kind}: imported before, nothing to do`);
      else if (i.rows_failed > 0)
        log.warn(
          fields,
          `demo ${kind}: ${i.rows_failed} rows failed (npm run failed-rows -- ${i.import_id})`,
        );
      else log.info(fields, `demo ${kind}: ${i.rows_imported} imported`);
      results.push({ kind, outcome });
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
