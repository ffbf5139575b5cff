import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { IMPORT_KINDS, type ImportKind } from '../../domain/import-kinds.js';
import { movementMessages } from '../movement-messages.js';
import { planMovements } from '../movement-plan.js';
import type { Progress } from '../progress.js';
import { fmt, noProgress } from '../progress.js';
import { saleMessages } from '../sales.js';
import { checkOptions } from '../stream.js';
import type { GenerateOptions } from '../types.js';
import { COUNTRIES, buildWorld } from '../world.js';
import { CsvFileWriter } from './csv-file.js';
import {
  MOVEMENT_HEADER,
  SALE_HEADER,
  STOCK_COUNT_HEADER,
  eventRecord,
  saleRecord,
} from './fact-records.js';
import {
  COUNTRY_HEADER,
  PRODUCT_HEADER,
  WAREHOUSE_HEADER,
  countryRecords,
  productRecords,
  warehouseRecords,
  worldProductRows,
} from './reference-records.js';

// `npm run generate -- --csv DIR`: a seed's world and events as one CSV file of
// every import kind, streamed to disk row by row (memory stays that of the
// Kafka run: the world, the stock per warehouse×product and what is in transit).
// Every row is valid: the faults of a Kafka run (malformed messages, duplicates)
// are not written; arrivals out of order and losses in transit are, being
// valid events. The same seed, period and sizes give byte-identical files.

/** The files, one of every import kind, in the order an import job takes them. */
export const CSV_KINDS = IMPORT_KINDS;
export type CsvKind = ImportKind;

export interface CsvOptions extends Pick<
  GenerateOptions,
  'seed' | 'from' | 'to' | 'movements' | 'sales' | 'outOfOrder' | 'losses'
> {
  readonly dir: string;
  /** Rows of products.csv; default and least: the world's products (worldProductRows). */
  readonly products?: number;
  /** The files to write; default all. */
  readonly kinds?: readonly CsvKind[];
  readonly progress?: Progress;
  /** Stops at the next flush: complete files stay, the one being written is removed. */
  readonly signal?: AbortSignal;
}

export interface CsvFile {
  readonly kind: CsvKind;
  readonly path: string;
  /** Data rows, the header aside. */
  readonly rows: number;
}

export interface CsvSummary {
  readonly dir: string;
  readonly seed: number;
  readonly from: string;
  readonly to: string;
  readonly files: readonly CsvFile[];
  readonly rows: number;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
}

/** The options of the message generators for a CSV run: no faults, no topics. */
function generateOptions(o: CsvOptions): GenerateOptions {
  return {
    seed: o.seed,
    from: o.from,
    to: o.to,
    movements: o.movements,
    sales: o.sales,
    outOfOrder: o.outOfOrder,
    losses: o.losses,
    malformed: 0,
    duplicates: 0,
    movementsTopic: '',
    salesTopic: '',
  };
}

export async function writeCsvFiles(options: CsvOptions): Promise<CsvSummary> {
  const generate = generateOptions(options);
  checkOptions(generate);
  const world = buildWorld(options.seed);
  const productRows = options.products ?? worldProductRows(world);
  if (!Number.isSafeInteger(productRows) || productRows < worldProductRows(world)) {
    throw new Error(
      `products must be an integer of at least ${worldProductRows(world)} (the world's own rows), got ${productRows}`,
    );
  }
  const kinds = new Set(options.kinds ?? CSV_KINDS);
  const wants = (k: CsvKind) => kinds.has(k);
  const plan =
    wants('stock_counts') || wants('movements') ? planMovements(world, generate) : undefined;
  const progress = options.progress ?? noProgress;
  const started = performance.now();
  progress.start(
    (wants('countries') ? COUNTRIES.length : 0) +
      (wants('warehouses') ? world.warehouses.length : 0) +
      (wants('products') ? productRows : 0) +
      (wants('stock_counts') ? (plan?.counts ?? 0) : 0) +
      (wants('movements') ? 2 * options.movements : 0) +
      (wants('sales') ? options.sales : 0),
  );
  await mkdir(options.dir, { recursive: true });

  const files: CsvFile[] = [];
  const open: CsvFileWriter[] = [];
  let done = 0;
  const aborted = () => options.signal?.aborted === true;
  const writer = (kind: CsvKind, header: readonly string[]) => {
    const w = CsvFileWriter.open(path.join(options.dir, `${kind}.csv`), header);
    open.push(w);
    return w;
  };
  const close = async (kind: CsvKind, w: CsvFileWriter) => {
    await w.close();
    open.splice(open.indexOf(w), 1);
    files.push({ kind, path: w.path, rows: w.rows });
  };
  /** Adds a record; at each flush reports progress. False when the run is to stop. */
  const add = async (w: CsvFileWriter, record: string): Promise<boolean> => {
    done++;
    if (!w.add(record)) return true;
    await w.flush();
    progress.update(done);
    return !aborted();
  };
  const file =
    (kind: CsvKind, header: readonly string[], records: () => Iterable<string>) =>
    async (): Promise<boolean> => {
      const w = writer(kind, header);
      for (const r of records()) if (!(await add(w, r))) return false;
      await close(kind, w);
      return true;
    };

  /** Each step writes its file(s); false when interrupted. */
  const steps: (() => Promise<boolean>)[] = [];
  if (wants('countries')) steps.push(file('countries', COUNTRY_HEADER, countryRecords));
  if (wants('warehouses'))
    steps.push(file('warehouses', WAREHOUSE_HEADER, () => warehouseRecords(world)));
  if (wants('products'))
    steps.push(
      file('products', PRODUCT_HEADER, () => productRecords(world, options.seed, productRows)),
    );
  if (plan) {
    // One stream, two files: the stock counts come first, then the legs.
    steps.push(async () => {
      const counts = wants('stock_counts') ? writer('stock_counts', STOCK_COUNT_HEADER) : undefined;
      const legs = wants('movements') ? writer('movements', MOVEMENT_HEADER) : undefined;
      for (const m of movementMessages(world, plan, generate, eventRecord)) {
        const w = m.kind === 'inventory' ? counts : legs;
        if (w === undefined) {
          if (legs === undefined) break; // only the counts were asked for, and they are all out
          continue;
        }
        if (!(await add(w, m.value))) return false;
      }
      if (counts) await close('stock_counts', counts);
      if (legs) await close('movements', legs);
      return true;
    });
  }
  if (wants('sales'))
    steps.push(async () => {
      const w = writer('sales', SALE_HEADER);
      for (const m of saleMessages(world, generate, saleRecord))
        if (!(await add(w, m.value))) return false;
      await close('sales', w);
      return true;
    });

  let interrupted = false;
  try {
    for (const step of steps) {
      if (!(await step()) || aborted()) {
        interrupted = true;
        break;
      }
    }
  } finally {
    await Promise.all(open.map((w) => w.discard()));
  }
  progress.update(done);
  progress.finish();
  const elapsedMs = performance.now() - started;
  const rows = files.reduce((n, f) => n + f.rows, 0);
  return {
    dir: options.dir,
    seed: options.seed,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    files,
    rows,
    interrupted,
    elapsedMs: Math.round(elapsedMs),
    rowsPerSecond: elapsedMs > 0 ? Math.round(rows / (elapsedMs / 1_000)) : 0,
  };
}

/** The one-line summary. */
export function formatCsvSummary(s: CsvSummary): string {
  const files = s.files.map((f) => `${path.basename(f.path)} ${fmt(f.rows)}`).join(', ');
  return (
    `${s.interrupted ? 'interrupted after writing' : 'wrote'} ${fmt(s.rows)} rows in ${(s.elapsedMs / 1_000).toFixed(1)} s ` +
    `(${fmt(s.rowsPerSecond)} rows/s) to ${s.dir}: ${files || 'no file'}; seed ${s.seed}, ${s.from} → ${s.to}`
  );
}
