// The demo dataset comes with its world's reference data, loaded by the import job itself:
// countries with names and continents, warehouses with codes and names, products under both
// their ids; loading it again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDemoIfEmpty } from '../../generator/demo-on-start.js';
import {
  DEMO_SEED,
  buildWorld,
  centsText,
  loadDemoReference,
  type ReferenceImporter,
} from '../../generator/index.js';
import { importReferenceFile } from '../../ingest/imports/reference-import.js';
import { createPipeline, topicSize, type Pipeline } from '../../testkit/pipeline-harness.js';
import { testLogger } from '../../testkit/resources.js';

describe('the demo reference data', () => {
  let p: Pipeline;
  let importReference: ReferenceImporter;
  const q = async (text: string) => (await p.runtime.pool.query(text)).rows as unknown[];

  beforeAll(async () => {
    p = await createPipeline();
    importReference = (r) => importReferenceFile(p.runtime, r);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('is loaded by the demo on an empty system, before its events are published', async () => {
    await publishDemoIfEmpty(p.runtime, { importReference });
    const imports = await q(
      `SELECT kind, file_name, rows_failed::int AS failed FROM imports ORDER BY import_id`,
    );
    expect(imports).toEqual(
      ['countries', 'warehouses', 'products'].map((kind) => ({
        kind,
        file_name: `demo-seed-${DEMO_SEED}-${kind}.csv`,
        failed: 0,
      })),
    );
    expect(await topicSize(p.sales.raw)).toBeGreaterThan(0);
  });

  it('holds the demo world’s countries, warehouses and products, imported once', async () => {
    const world = buildWorld(DEMO_SEED);
    expect(await q(`SELECT name, continent FROM countries WHERE country_id = '203'`)).toEqual([
      { name: 'Czechia', continent: 'Europe' },
    ]);
    expect(await q('SELECT count(*)::int AS n FROM countries WHERE continent IS NOT NULL')).toEqual(
      [{ n: 32 }],
    );
    const w = world.warehouses[0]!;
    expect(
      await q(`SELECT code, name, city, country_id FROM warehouses WHERE warehouse_id = '${w.id}'`),
    ).toEqual([{ code: w.code, name: w.name, city: w.city, country_id: w.country }]);
    expect(await q('SELECT count(*)::int AS n FROM warehouses')).toEqual([
      { n: world.warehouses.length },
    ]);
    const product = world.products[0]!;
    expect(
      await q(
        `SELECT product_id, unit_price::text AS price FROM products
          WHERE product_id IN ('${product.id}', '${product.saleId}') ORDER BY product_id`,
      ),
    ).toEqual(
      [product.id, product.saleId]
        .sort()
        .map((id) => ({ product_id: id, price: centsText(product.priceCents) })),
    );

    // Loaded again (a db:init after the demo): the import job finds the files imported before.
    const again = await loadDemoReference(importReference, { logger: testLogger });
    expect(again.map((r) => [r.kind, r.outcome.reused])).toEqual([
      ['countries', true],
      ['warehouses', true],
      ['products', true],
    ]);
    expect(await q('SELECT count(*)::int AS n FROM products')).toEqual([
      { n: 2 * world.products.length },
    ]);
  });
});
