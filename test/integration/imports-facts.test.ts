// Fact files (sales, stock counts, movement legs) go through the streams' own validation,
// Avro and validated topics into the real processor and sink: the answers of the HTTP API
// count every good row exactly once, also after a forced re-import, and every bad row is kept.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsFeature } from '../../api/analytics/routes.js';
import { movementsFeature } from '../../api/movements/routes.js';
import { importFactFile } from '../../ingest/imports/fact-import.js';
import { lineUuid } from '../../ingest/imports/fact-kinds.js';
import type { FactKindName } from '../../ingest/imports/fact-kinds.js';
import { importReferenceFile } from '../../ingest/imports/reference-import.js';
import { importsFeature, runningImports } from '../../ingest/imports/routes.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { producerService } from '../../lib/kafka/services.js';
import { salesTopics } from '../../lib/kafka/topics.js';
import {
  committedToEnd,
  createPipeline,
  eventually,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { testLogger } from '../../testkit/resources.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

const NORTH = '0c7a1d52-55d5-4f0e-8a52-000000000001';
const SOUTH = '0c7a1d52-55d5-4f0e-8a52-000000000002';
const NOWHERE = '0c7a1d52-55d5-4f0e-8a52-00000000dead';
const P1 = '0c7a1d52-55d5-4f0e-8a52-0000000000a1';
const P2 = '0c7a1d52-55d5-4f0e-8a52-0000000000a2';

describe('importing fact files', () => {
  let p: Pipeline;
  let ch: ClickHouseClient;
  let app: ServedApp | undefined;
  let base: string;
  let dir: string;
  const producer = () => producerService(p.runtime.kafka, 'test-import');
  let prod: ReturnType<typeof producer> | undefined;
  const running = runningImports(testLogger);
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };
  const importFacts = (kind: FactKindName, at: string, force = false) =>
    importFactFile(
      {
        pool: p.runtime.pool,
        logger: testLogger,
        config: p.config,
        producer: prod!.producer,
        registry: p.runtime.schemaRegistry,
      },
      { kind, path: at, force },
    );
  const get = async (url: string) => (await fetch(`${base}${url}`)).json();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stockflow-facts-'));
    p = await createPipeline();
    await p.startRole('ingest'); // creates the topics
    await p.startRole('process');
    await p.startRole('sink');
    prod = producer();
    await prod.start();
    mkdirSync(path.join(dir, 'inbox'));
    ch = createClickHouse({ url: p.config.clickhouseUrl });
    app = await serveFeatures([
      movementsFeature({ pool: p.runtime.pool }),
      importsFeature({
        pool: p.runtime.pool,
        start: {
          pool: p.runtime.pool,
          logger: testLogger,
          config: p.config,
          producer: prod.producer,
          registry: p.runtime.schemaRegistry,
          inbox: path.join(dir, 'inbox'),
          running,
        },
      }),
      analyticsFeature({
        clickhouse: ch,
        database: p.config.clickhouseDatabase,
        pool: p.runtime.pool,
        cacheTtlSeconds: 0,
      }),
    ]);
    base = app.url;
    await importReferenceFile(
      { pool: p.runtime.pool, logger: testLogger },
      {
        kind: 'warehouses',
        path: file(
          'warehouses.csv',
          `warehouse_id,code,name\n${NORTH},WH-0001,North\n${SOUTH},WH-0002,South\n`,
        ),
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    await running.stop();
    await prod?.stop();
    await ch?.close();
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stock counts and movement legs set the stock the stock endpoint shows; bad rows are kept', async () => {
    const counts = await importFacts(
      'stock_counts',
      file(
        'stock_counts.csv',
        'warehouse_id,product_id,quantity,counted_at\n' +
          `${NORTH},${P1},40,2025-03-01T08:00:00Z\n` +
          `${SOUTH},${P1},5,2025-03-01T08:00:00Z\n` +
          `${NORTH},${P2},-3,2025-03-01T08:00:00Z\n` + // line 4: negative
          `${NOWHERE},${P1},1,2025-03-01T08:00:00Z\n` + // line 5: no such warehouse
          `${NORTH},item1,7,2025-03-01T08:00:00Z\n` + // a catalog id, not a UUID
          `${NORTH},item 1,7,2025-03-01T08:00:00Z\n`, // line 7: no product id
      ),
    );
    expect(counts.import).toMatchObject({
      status: 'succeeded',
      rows_read: 6,
      rows_imported: 3,
      rows_failed: 3,
    });
    const failed = await p.runtime.pool.query(
      'SELECT line::int, reasons FROM failed_rows WHERE import_id = $1 ORDER BY line',
      [counts.import.import_id],
    );
    expect(failed.rows).toEqual([
      { line: 4, reasons: [{ column: 'quantity', message: expect.any(String) as unknown }] },
      {
        line: 5,
        reasons: [
          {
            column: 'warehouse_id',
            message: `warehouse "${NOWHERE}" has no known code: import it in a warehouses file first, or give a source column`,
          },
        ],
      },
      {
        line: 7,
        reasons: [
          {
            column: 'product_id',
            message: expect.stringContaining('must be a product id') as unknown,
          },
        ],
      },
    ]);
    const legs = await importFacts(
      'movements',
      file(
        'movements.csv',
        'movement_id,event,warehouse_id,product_id,quantity,timestamp\n' +
          `7f1d2a0e-1111-4a2b-9c3d-000000000001,departure,${NORTH},${P1},15,2025-03-02T09:00:00Z\n` +
          `7f1d2a0e-1111-4a2b-9c3d-000000000001,arrival,${SOUTH},${P1},15,2025-03-02T11:30:00Z\n` +
          `7f1d2a0e-1111-4a2b-9c3d-000000000002,teleport,${SOUTH},${P1},1,2025-03-02T11:30:00Z\n`,
      ),
    );
    expect(legs.import).toMatchObject({ rows_read: 3, rows_imported: 2, rows_failed: 1 });
    await p.caughtUp();
    const stock = (w: string) => get(`/api/warehouses/${w}/products/${P1}`);
    await eventually(async () =>
      ((await stock(SOUTH)) as { quantity?: number }).quantity === 20 ? true : undefined,
    );
    expect(await stock(NORTH)).toMatchObject({ quantity: 25 });
    expect(await get(`/api/warehouses/${NORTH}/products/item1`)).toMatchObject({
      product_id: 'item1',
      quantity: 7,
    });
    expect(await get('/api/movements/7f1d2a0e-1111-4a2b-9c3d-000000000001')).toMatchObject({
      status: 'completed',
      transit_duration: 'PT2H30M',
    });
    // A forced re-import of the counts names the same counts: nothing changes.
    const forced = await importFacts('stock_counts', path.join(dir, 'stock_counts.csv'), true);
    expect(forced.import.status).toBe('succeeded');
    await p.caughtUp();
    const dup = await p.runtime.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stock_ledger WHERE movement_id = $1`,
      [lineUuid(counts.import.sha256, 2)],
    );
    expect(dup.rows).toEqual([{ n: 1 }]);
    expect(await stock(NORTH)).toMatchObject({ quantity: 25 });
  });

  it('imported sales show in total_spent and top_products exactly, once even when imported twice', async () => {
    const sale = (order: string, product: string, revenue: string, qty = '') =>
      `${order},${product},b-1,s-1,203,170,2021-01-07 10:00:00,Acme,home,${revenue},${qty}\n`;
    const at = file(
      'sales.csv',
      'ID_ORDER,ID_PRODUCT,ID_BUYER,ID_SELLER,ID_SELLER_COUNTRY,ID_BUYER_COUNTRY,DATE_PAYMENT,BRAND,CATEGORY,REVENUE,QUANTITY\n' +
        sale('o-1', '501', '10.50', '2') +
        sale('o-1', '502', '4.25') +
        sale('o-2', '501', '1.999') + // line 4: three decimals
        sale('o-3', '503', '7', 'many') + // line 5: not a number
        sale('o-4', '502', '0.75', '3'),
    );
    const first = await importFacts('sales', at);
    expect(first.import).toMatchObject({ rows_read: 5, rows_imported: 3, rows_failed: 2 });
    const failed = await p.runtime.pool.query(
      'SELECT line::int, reasons FROM failed_rows WHERE import_id = $1 ORDER BY line',
      [first.import.import_id],
    );
    expect(
      failed.rows.map((r: { line: number; reasons: { column: string }[] }) => [
        r.line,
        r.reasons.map((x) => x.column),
      ]),
    ).toEqual([
      [4, ['REVENUE']],
      [5, ['QUANTITY']],
    ]);
    const forced = await importFacts('sales', at, true);
    expect(forced.import.rows_imported).toBe(3);
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [
      salesTopics(p.config.kafkaSalesTopic).validated,
    ]);
    expect(await get('/total_spent?start_date=2021-01-07&end_date=2021-01-07')).toEqual({
      total_spent: 15.5,
    });
    expect(await get('/top_products?start_date=2021-01-07&end_date=2021-01-07')).toEqual({
      top_products: [
        { product_id: '502', total_quantity: 4 },
        { product_id: '501', total_quantity: 2 },
      ],
    });
  });

  it('the example files import as README says: the sales file with three bad rows', async () => {
    const example = (name: string) => path.join(PROJECT_ROOT, 'examples', name);
    const warehouses = await importReferenceFile(
      { pool: p.runtime.pool, logger: testLogger },
      { kind: 'warehouses', path: example('warehouses.csv') },
    );
    expect(warehouses.import).toMatchObject({ rows_imported: 2, rows_failed: 0 });
    const counts = await importFacts('stock_counts', example('stock_counts.csv'));
    expect(counts.import).toMatchObject({ rows_read: 6, rows_imported: 6, rows_failed: 0 });
    const sales = await importFacts('sales', example('sales.csv'));
    expect(sales.import).toMatchObject({ rows_read: 6, rows_imported: 3, rows_failed: 3 });
    const legs = await importFacts('movements', example('movements.csv'));
    expect(legs.import).toMatchObject({ rows_read: 2, rows_imported: 2, rows_failed: 0 });
    await p.caughtUp();
    expect(await get('/api/movements/0b1e6a4e-3c2d-4f5a-9b8c-7d6e5f4a3b21')).toMatchObject({
      status: 'completed',
    });
  });

  it('POST /imports takes a file of the inbox, answers 202 and a Location to follow; nothing outside the inbox', async () => {
    const post = (body: unknown) =>
      fetch(`${base}/imports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    writeFileSync(
      path.join(dir, 'inbox', 'countries.csv'),
      'ID_COUNTRY,COUNTRY_NAME,CONTINENT\n203,Czechia,Europe\n170,Colombia,South America\n',
    );
    const res = await post({ kind: 'countries', path: 'countries.csv' });
    expect(res.status).toBe(202);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/imports\/\d+$/);
    expect(await res.json()).toMatchObject({ status: 'queued', file_name: 'countries.csv' });
    const done = await eventually(async () => {
      const now = (await get(location)) as { status: string };
      return now.status === 'succeeded' ? now : undefined;
    });
    expect(done).toMatchObject({ rows: { read: 2, imported: 2, failed: 0, duplicate: 0 } });
    const again = await post({ kind: 'countries', path: 'countries.csv' });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(location);
    writeFileSync(path.join(dir, 'outside.csv'), 'ID_COUNTRY,COUNTRY_NAME\n1,X\n');
    for (const outside of ['../outside.csv', path.join(dir, 'outside.csv'), 'missing.csv']) {
      const refused = await post({ kind: 'countries', path: outside });
      expect(refused.status, outside).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await post({ kind: 'planets', path: 'countries.csv' })).status).toBe(400);
  });

  it('POST /trigger-job imports the inbox files not imported yet, reference data first, and only those', async () => {
    const inbox = path.join(dir, 'inbox');
    writeFileSync(
      path.join(inbox, 'sales-2021-02-01.csv'),
      'ID_ORDER,ID_PRODUCT,ID_BUYER,ID_SELLER,ID_SELLER_COUNTRY,ID_BUYER_COUNTRY,DATE_PAYMENT,REVENUE\n' +
        'o-9,601,b-2,s-2,203,170,2021-02-01 10:00:00,12.00\n',
    );
    writeFileSync(
      path.join(inbox, 'warehouses-east.csv'),
      `warehouse_id,code,name\n${NOWHERE},WH-0009,East\n`,
    );
    writeFileSync(path.join(inbox, 'notes.txt'), 'not an import');
    const trigger = async () => {
      const res = await fetch(`${base}/trigger-job`, { method: 'POST' });
      expect(res.status).toBe(202);
      return (await res.json()) as {
        imports: { import_id: number; file_name: string }[];
        skipped: { file: string; reason: string }[];
      };
    };
    const job = await trigger();
    expect(job.imports.map((i) => i.file_name)).toEqual([
      'warehouses-east.csv',
      'sales-2021-02-01.csv',
    ]);
    expect(job.skipped).toEqual([
      {
        file: 'countries.csv',
        reason: expect.stringMatching(/^imported before, by import \d+$/) as unknown,
      },
      { file: 'notes.txt', reason: 'its name names no import kind' },
    ]);
    for (const i of job.imports) {
      await eventually(async () =>
        ((await get(`/imports/${i.import_id}`)) as { status: string }).status === 'succeeded'
          ? true
          : undefined,
      );
    }
    const again = await trigger();
    expect(again.imports).toEqual([]);
    expect(again.skipped.map((s) => s.file)).toEqual([
      'countries.csv',
      'warehouses-east.csv',
      'sales-2021-02-01.csv',
      'notes.txt',
    ]);
  });
});
