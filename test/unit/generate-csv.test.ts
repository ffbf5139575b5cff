// `npm run generate -- --csv DIR`: the CSV text it writes reads back as written, and its files
// hold what the import job takes row for row: its headers, its rules, and reference rows
// naming every id the facts name. (test/integration/generate-csv-import.test.ts imports them.)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { headerProblem } from '../../domain/reference-rows.js';
import { csvField, csvRow } from '../../generator/csv/csv-text.js';
import { MIN_PRODUCT_ROWS } from '../../generator/csv/reference-records.js';
import type { CsvKind, CsvOptions, CsvSummary, GenerateOptions } from '../../generator/index.js';
import {
  CSV_KINDS,
  buildWorld,
  centsText,
  generateMessages,
  writeCsvFiles,
} from '../../generator/index.js';
import { CsvRecordReader } from '../../ingest/imports/csv-records.js';
import { FACT_KINDS } from '../../ingest/imports/fact-kinds.js';
import { REFERENCE_KINDS } from '../../ingest/imports/reference-kinds.js';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { seededRandom } from '../../testkit/random.js';

const root = mkdtempSync(path.join(tmpdir(), 'stockflow-generate-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS: Omit<CsvOptions, 'dir'> = {
  seed: 7,
  from: new Date('2025-01-01T00:00:00Z'),
  to: new Date('2025-04-01T00:00:00Z'),
  movements: 600,
  sales: 800,
  products: MIN_PRODUCT_ROWS + 250,
  outOfOrder: 0.1,
  losses: 0.05,
};

let runs = 0;
async function write(options: Partial<CsvOptions> = {}): Promise<CsvSummary> {
  return writeCsvFiles({ ...OPTIONS, dir: path.join(root, `run-${runs++}`), ...options });
}

/** A file's records (header first), read by the import job's own reader. */
function records(file: string): string[][] {
  const reader = new CsvRecordReader();
  const out = [...reader.push(readFileSync(file, 'utf8')), ...reader.end()];
  return out.map((r) => {
    if ('error' in r) throw new Error(`line ${r.line}: ${r.error}`);
    return r.fields;
  });
}

/** A file's data rows as records by header column, as the import job sees them. */
function rows(file: string): Record<string, string>[] {
  const [header = [], ...data] = records(file);
  return data.map((fields) => Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
}

const summary = await write();
const fileOf = (kind: CsvKind) => path.join(summary.dir, `${kind}.csv`);
const world = buildWorld(OPTIONS.seed);

describe('CSV text', () => {
  it('quotes a field with a comma, a double quote or a line break, and only those', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('Schmidt, Gerlach and Kuhn')).toBe('"Schmidt, Gerlach and Kuhn"');
    expect(csvField('the "best" mug')).toBe('"the ""best"" mug"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('crlf\r\nend')).toBe('"crlf\r\nend"');
    expect(csvField("O'Kon")).toBe("O'Kon");
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    expect(csvRow(['a', 'b,c', null, 3])).toBe('a,"b,c",,3\n');
  });

  it('reads back through the import job’s CSV reader exactly as written, whatever the characters', () => {
    const random = seededRandom(42);
    const alphabet = ['a', 'Z', ' ', ',', '"', '\n', '\r', '\r\n', 'é', '€', "'", ';', '\t'];
    const field = () =>
      Array.from({ length: Math.floor(random() * 8) }, () => {
        return alphabet[Math.floor(random() * alphabet.length)] ?? '';
      }).join('');
    const written = Array.from({ length: 500 }, () =>
      // A record of one empty field is a blank line, which the reader skips: never write one.
      ['x', ...Array.from({ length: 1 + Math.floor(random() * 4) }, field)],
    );
    const reader = new CsvRecordReader();
    const text = written.map(csvRow).join('');
    const read = [...reader.push(text), ...reader.end()];
    expect(read.map((r) => ('fields' in r ? r.fields : r.error))).toEqual(written);
  });
});

describe('generate --csv: the files', () => {
  it('writes one file of every import kind, each row counted, no partial file left', () => {
    expect(summary.files.map((f) => f.kind)).toEqual([...CSV_KINDS]);
    expect(summary.interrupted).toBe(false);
    expect(readdirSync(summary.dir).sort()).toEqual(CSV_KINDS.map((k) => `${k}.csv`).sort());
    for (const f of summary.files) expect(rows(f.path), f.kind).toHaveLength(f.rows);
    const count = (kind: CsvKind) => summary.files.find((f) => f.kind === kind)?.rows;
    expect(count('countries')).toBe(32);
    expect(count('warehouses')).toBe(world.warehouses.length);
    expect(count('products')).toBe(OPTIONS.products);
    expect(count('movements')).toBe(2 * OPTIONS.movements);
    expect(count('sales')).toBe(OPTIONS.sales);
    expect(summary.rows).toBe(summary.files.reduce((n, f) => n + f.rows, 0));
  });

  it('has the headers of the example files, which the import job takes', () => {
    const kinds = { ...REFERENCE_KINDS, ...FACT_KINDS };
    for (const kind of CSV_KINDS) {
      const header = records(fileOf(kind))[0] ?? [];
      expect(headerProblem(header, kinds[kind]), kind).toBeUndefined();
      const example = readFileSync(path.join(PROJECT_ROOT, 'examples', `${kind}.csv`), 'utf8');
      expect(header.join(','), kind).toBe(example.split('\n')[0]?.trim());
    }
  });

  it('holds reference rows the import job’s rules accept, prices with exactly two places', () => {
    for (const kind of ['countries', 'warehouses', 'products'] as const) {
      const stage = REFERENCE_KINDS[kind].stage;
      for (const row of rows(fileOf(kind))) {
        const staged = stage(row);
        expect(staged.ok ? [] : staged.errors, `${kind} ${JSON.stringify(row)}`).toEqual([]);
      }
    }
    const products = rows(fileOf('products'));
    for (const p of products) expect(p.unit_price).toMatch(/^\d+\.\d\d$/);
    expect(new Set(products.map((p) => p.product_id)).size).toBe(products.length);
    // Some brands hold a comma: quoted, they read back whole.
    expect(products.some((p) => p.brand?.includes(','))).toBe(true);
    for (const c of rows(fileOf('countries'))) {
      expect(c.COUNTRY_NAME).not.toBe('');
      expect(c.CONTINENT).not.toBe('');
    }
  });

  it('holds fact rows their streams validate, as the import job checks them', () => {
    const codes = new Map(rows(fileOf('warehouses')).map((w) => [w.warehouse_id, w.code]));
    for (const kind of ['stock_counts', 'movements', 'sales'] as const) {
      const k = FACT_KINDS[kind];
      rows(fileOf(kind)).forEach((row, i) => {
        const item = k.toItem(
          row,
          { sha256: 'ab'.repeat(32), line: i + 2 },
          {
            warehouseCode: (w) => codes.get(w),
          },
        );
        const valid = item.ok ? k.stream.validate(item.item) : item;
        expect(valid.ok ? [] : valid.errors, `${kind} ${JSON.stringify(row)}`).toEqual([]);
      });
    }
  });

  it('names only warehouses, products and countries its reference files hold', () => {
    const warehouses = new Set(rows(fileOf('warehouses')).map((w) => w.warehouse_id));
    const products = new Set(rows(fileOf('products')).map((p) => p.product_id));
    const countries = new Set(rows(fileOf('countries')).map((c) => c.ID_COUNTRY));
    for (const w of rows(fileOf('warehouses'))) expect(countries).toContain(w.country_id);
    for (const kind of ['stock_counts', 'movements'] as const) {
      for (const r of rows(fileOf(kind))) {
        expect(warehouses).toContain(r.warehouse_id);
        expect(products).toContain(r.product_id);
      }
    }
    for (const s of rows(fileOf('sales'))) {
      expect(products).toContain(s.ID_PRODUCT);
      expect(countries).toContain(s.ID_SELLER_COUNTRY);
      expect(countries).toContain(s.ID_BUYER_COUNTRY);
    }
    // Every product of the world under both its ids, with its price.
    const byId = new Map(rows(fileOf('products')).map((p) => [p.product_id, p]));
    for (const p of world.products) {
      expect(byId.get(p.id)?.unit_price).toBe(centsText(p.priceCents));
      expect(byId.get(p.saleId)).toEqual({ ...byId.get(p.id), product_id: p.saleId });
    }
  });

  it('are the events a Kafka run publishes with no faults', () => {
    const options: GenerateOptions = {
      ...OPTIONS,
      malformed: 0,
      duplicates: 0,
      movementsTopic: 'm',
      salesTopic: 's',
    };
    const events = [...generateMessages(options)];
    const legs = events
      .filter((m) => m.kind === 'departure' || m.kind === 'arrival')
      .map((m) => (JSON.parse(m.value) as { data: Record<string, unknown> }).data);
    expect(
      rows(fileOf('movements')).map((r) => [r.movement_id, r.event, r.warehouse_id, r.quantity]),
    ).toEqual(legs.map((d) => [d.movement_id, d.event, d.warehouse_id, String(d.quantity)]));
    const sales = events
      .filter((m) => m.kind === 'sale')
      .map((m) => JSON.parse(m.value) as Record<string, unknown>);
    expect(rows(fileOf('sales'))).toEqual(
      sales.map((s) => ({ ...s, REVENUE: centsText(Math.round(Number(s.REVENUE) * 100)), QUANTITY: String(s.QUANTITY) })), // prettier-ignore
    );
  });
});

describe('generate --csv: determinism and sizes', () => {
  it('gives byte-identical files for the same seed, and others for another seed', async () => {
    const again = await write();
    for (const kind of CSV_KINDS) {
      const a = readFileSync(fileOf(kind), 'utf8');
      expect(readFileSync(path.join(again.dir, `${kind}.csv`), 'utf8'), kind).toBe(a);
    }
    const other = await write({ seed: 8 });
    expect(readFileSync(path.join(other.dir, 'warehouses.csv'), 'utf8')).not.toBe(
      readFileSync(fileOf('warehouses'), 'utf8'),
    );
  });

  it('sizes each kind alone: more sales or catalogue products change no other file', async () => {
    const bigger = await write({ sales: 1_000, products: MIN_PRODUCT_ROWS + 2_000 });
    const same = (kind: CsvKind) =>
      expect(readFileSync(path.join(bigger.dir, `${kind}.csv`), 'utf8'), kind).toBe(
        readFileSync(fileOf(kind), 'utf8'),
      );
    same('movements');
    same('stock_counts');
    same('warehouses');
    // The smaller catalogue is the start of the larger one. (More sale lines spread over the
    // same period, so they are other lines.)
    const big = readFileSync(path.join(bigger.dir, 'products.csv'), 'utf8');
    expect(big.startsWith(readFileSync(fileOf('products'), 'utf8'))).toBe(true);
    expect(rows(path.join(bigger.dir, 'sales.csv'))).toHaveLength(1_000);
  });

  it('writes only the kinds asked for, and refuses fewer products than the world has', async () => {
    const some = await write({ kinds: ['stock_counts', 'countries'] });
    expect(some.files.map((f) => f.kind)).toEqual(['countries', 'stock_counts']);
    expect(readFileSync(some.files[1]!.path, 'utf8')).toBe(readFileSync(fileOf('stock_counts'), 'utf8')); // prettier-ignore
    await expect(write({ products: MIN_PRODUCT_ROWS - 1 })).rejects.toThrow(/at least/);
  });

  it('stops when told, keeping the files complete so far and no partial one', async () => {
    const stop = new AbortController();
    stop.abort();
    const cut = await write({ products: 200_000, signal: stop.signal });
    expect(cut.interrupted).toBe(true);
    expect(cut.files.map((f) => f.kind)).toEqual(['countries']);
    expect(readdirSync(cut.dir)).toEqual(['countries.csv']);
    expect(existsSync(path.join(cut.dir, 'products.csv.partial'))).toBe(false);
  });
});
