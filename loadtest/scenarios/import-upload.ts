// POST /imports?kind=products with a small CSV upload a request, against a stockflow ingest
// process that imports them (each upload streamed to the inbox, then imported in the background).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { servePipeline } from '../bench/serve-pipeline.js';
import type { Scenario } from './scenario.js';

/** Distinct files sent in turn, made once. */
const FILES = 8;
const ROWS = 50;
const CATEGORIES = ['clothing', 'shoes', 'electronics', 'home', 'toys'];

/** The f-th products file: ROWS products of its own, in the products import's columns. */
function productsCsv(f: number): Buffer {
  const rows = Array.from({ length: ROWS }, (_, r) => {
    const n = f * ROWS + r;
    return `${20_000_000 + n},Product ${n},${CATEGORIES[n % CATEGORIES.length]},Brand ${n % 40},${(1 + (n % 500) * 1.37).toFixed(2)}`;
  });
  return Buffer.from(`product_id,name,category,brand,unit_price\r\n${rows.join('\r\n')}\r\n`);
}

export const scenario: Scenario = {
  title: 'POST /imports (CSV upload)',
  description: `POST /imports?kind=products&force=true with a ${ROWS}-row products CSV (Content-Type: text/csv; ${FILES} files in turn), against a stockflow process running ingest with its own inbox, on an isolated pipeline; a 202 means the upload is on disk and its import queued (force: every upload a new import), which then runs in the same process.`,
  defaultSteps: [5, 10, 20, 40],
  async start(log) {
    const inbox = mkdtempSync(path.join(tmpdir(), 'stockflow-loadtest-inbox-'));
    log(`starting an isolated pipeline and stockflow ingest, inbox ${inbox}`);
    const served = await servePipeline({
      env: { IMPORT_INBOX_DIR: inbox },
      processes: [{ args: ['ingest'] }],
    }).catch((err: unknown) => {
      rmSync(inbox, { recursive: true, force: true });
      throw err;
    });
    const bodies = Array.from({ length: FILES }, (_, f) => productsCsv(f));
    const headers = { 'content-type': 'text/csv' };
    const pool = served.pipeline.runtime.pool;
    return {
      origin: served.processes[0]!.base,
      request: (i) => ({
        method: 'POST',
        path: `/imports?kind=products&force=true&file_name=products-${i % FILES}.csv`,
        headers,
        body: bodies[i % FILES]!,
      }),
      async recorded() {
        const r = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM imports');
        return { what: 'imports created', count: r.rows[0]!.n };
      },
      async close() {
        await served.close();
        rmSync(inbox, { recursive: true, force: true });
      },
    };
  },
};
