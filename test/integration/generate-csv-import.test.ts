// `npm run generate -- --csv DIR` writes files the real import job takes as they are: every
// file of every kind imports with no failed row, and what lands adds up to what the files
// hold: the reference tables, the stock after the counts and legs, the sales in ClickHouse.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PRODUCT_ROWS } from '../../generator/csv/reference-records.js';
import { CSV_KINDS, buildWorld, writeCsvFiles, type CsvSummary } from '../../generator/index.js';
import { CsvRecordReader } from '../../ingest/imports/csv-records.js';
import { prepareImport } from '../../ingest/imports/start-import.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { producerService } from '../../lib/kafka/services.js';
import { committedToEnd, createPipeline, type Pipeline } from '../../testkit/pipeline-harness.js';
import { testLogger } from '../../testkit/resources.js';

const SEED = 11;
const MOVEMENTS = 400;
const SALES = 600;
const PRODUCTS = MIN_PRODUCT_ROWS + 300;

/** A file's data rows as records by header column. */
function rows(file: string): Record<string, string>[] {
  const reader = new CsvRecordReader();
  const [header, ...data] = [...reader.push(readFileSync(file, 'utf8')), ...reader.end()].map(
    (r) => ('fields' in r ? r.fields : []),
  );
  return data.map((f) => Object.fromEntries((header ?? []).map((h, i) => [h, f[i] ?? ''])));
}

describe('generated CSV files through the import job', () => {
  let p: Pipeline;
  let ch: ClickHouseClient;
  let dir: string;
  let written: CsvSummary;
  let prod: ReturnType<typeof producerService> | undefined;
  const file = (kind: string) => path.join(dir, `${kind}.csv`);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stockflow-generated-'));
    // One partition: the validated topic keeps the file's order, the order in which the
    // generator made sure no departure takes more than its warehouse holds.
    p = await createPipeline({ KAFKA_PARTITIONS: '1' });
    await p.startRole('ingest'); // creates the topics
    await p.startRole('process');
    await p.startRole('sink');
    prod = producerService(p.runtime.kafka, 'test-generated-import');
    await prod.start();
    ch = createClickHouse({ url: p.config.clickhouseUrl });
    written = await writeCsvFiles({
      dir,
      seed: SEED,
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-03-01T00:00:00Z'),
      movements: MOVEMENTS,
      sales: SALES,
      products: PRODUCTS,
      outOfOrder: 0.1,
      losses: 0.05,
    });
  });
  afterAll(async () => {
    await prod?.stop();
    await ch?.close();
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports every file with no failed row, and the tables add up to the files', async () => {
    const deps = {
      pool: p.runtime.pool,
      logger: testLogger,
      config: p.config,
      producer: prod!.producer,
      registry: p.runtime.schemaRegistry,
    };
    for (const f of written.files) {
      const prepared = await prepareImport(deps, { kind: f.kind, path: f.path });
      if (!('run' in prepared)) throw new Error(`${f.kind}: imported before`);
      const { import: done } = await prepared.run();
      expect(done, f.kind).toMatchObject({
        status: 'succeeded',
        rows_read: f.rows,
        rows_imported: f.rows,
        rows_failed: 0,
        rows_duplicate: 0,
      });
      // The counts are applied before the first leg is produced, as a live feed has them.
      if (f.kind === 'stock_counts') await p.caughtUp();
    }
    expect(written.files.map((f) => f.kind)).toEqual([...CSV_KINDS]);
    await p.caughtUp();
    const q = async (text: string) => (await p.runtime.pool.query(text)).rows as unknown[];

    // Reference data: the world's, named and placed.
    const world = buildWorld(SEED);
    expect(await q('SELECT count(*)::int AS n FROM products')).toEqual([{ n: PRODUCTS }]);
    expect(
      await q(
        `SELECT count(*)::int AS n, count(continent)::int AS continents FROM countries WHERE name <> ''`,
      ),
    ).toEqual([{ n: 32, continents: 32 }]);
    expect(
      await q('SELECT warehouse_id::text AS id, code, name, city, country_id FROM warehouses'),
    ).toEqual(
      expect.arrayContaining(
        world.warehouses.map((w) => ({
          id: w.id,
          code: w.code,
          name: w.name,
          city: w.city,
          country_id: w.country,
        })),
      ),
    );
    const product = world.products[0]!;
    expect(
      await q(
        `SELECT product_id, unit_price::text AS price FROM products WHERE product_id IN ('${product.id}', '${product.saleId}') ORDER BY 1`,
      ),
    ).toHaveLength(2);

    // Stock: every count and every leg applied, none refused for want of stock.
    const counts = rows(file('stock_counts'));
    const legs = rows(file('movements'));
    const total = (list: Record<string, string>[], event?: string) =>
      list.filter((r) => !event || r.event === event).reduce((n, r) => n + Number(r.quantity), 0);
    expect(await q('SELECT count(*)::int AS n FROM stock_counts')).toEqual([{ n: counts.length }]);
    expect(
      await q('SELECT status, count(*)::int AS n FROM movements GROUP BY status ORDER BY status'),
    ).toEqual([{ status: 'completed', n: MOVEMENTS }]);
    const stock = total(counts) - total(legs, 'departure') + total(legs, 'arrival');
    expect(stock).toBeLessThan(total(counts)); // units were lost in transit
    expect(await q('SELECT sum(quantity)::int AS units FROM stock')).toEqual([{ units: stock }]);

    // Sales: every line once in ClickHouse, to the cent.
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [p.sales.validated]);
    const sales = rows(file('sales'));
    const cents = sales.reduce((n, s) => n + Math.round(Number(s.REVENUE) * 100), 0);
    const result = await ch.query({
      query: `SELECT count() AS n, toString(sum(revenue_cents)) AS cents FROM ${p.config.clickhouseDatabase}.sales`,
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ n: String(SALES), cents: String(cents) }]);
  });
});
