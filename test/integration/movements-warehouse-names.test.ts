import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movementsFeature } from '../../api/movements/routes.js';
import { importReferenceFile } from '../../ingest/imports/reference-import.js';
import { migrate } from '../../lib/migrate.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { createTestClickHouse, createTestDatabase, testLogger } from '../../testkit/resources.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

// Movement and stock answers name their warehouses from the imported reference table: a
// warehouse no import has named shows `null`s, one inserted shows its code and name, and a
// rename by a later warehouses import shows at once, with a new ETag, though neither the
// movement nor the stock row changed (their versions alone would have answered 304).

const code = (n: number) => `WH-${String(n % 10_000).padStart(4, '0')}`;

describe('warehouse names in movement and stock answers', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let pool: Pool;
  let app: ServedApp | undefined;
  let base: string;
  let dir: string;
  const sender = { id: randomUUID(), code: code(randomInt(10_000)) };
  const receiver = { id: randomUUID(), code: code(Number(sender.code.slice(3)) + 1) };
  const product = randomUUID();
  const movement = randomUUID();

  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${p}`, { headers });
  const movementPath = `/api/movements/${movement}`;
  const stockPath = `/api/warehouses/${sender.id}/products/${product}`;
  /** Imports a warehouses file through the import job, as an operator would. */
  const importWarehouses = async (rows: string) => {
    const file = path.join(dir, `warehouses-${randomUUID()}.csv`);
    writeFileSync(file, `warehouse_id,code,name,city,country_id\n${rows}`);
    const { import: done } = await importReferenceFile(
      { pool, logger: testLogger },
      { kind: 'warehouses', path: file },
    );
    expect(done).toMatchObject({ status: 'succeeded', rows_failed: 0 });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    pool = createPool(db.url, 4, testLogger);
    await migrate({ pool, clickhouse: ch.client, clickhouseDatabase: ch.name, logger: testLogger });
    dir = mkdtempSync(path.join(tmpdir(), 'stockflow-warehouse-names-'));
    await pool.query(
      `INSERT INTO movements (movement_id, status, product_id,
         dep_event_id, dep_warehouse_id, dep_source, dep_product_id, dep_quantity, departed_at, dep_state,
         arr_event_id, arr_warehouse_id, arr_source, arr_product_id, arr_quantity, arrived_at, version)
       VALUES ($1, 'completed', $2, $3, $4, $5, $2, 10, '2025-03-01T08:00:00Z', 'applied',
               $6, $7, $8, $2, 10, '2025-03-01T10:00:00Z', 2)`,
      [movement, product, randomUUID(), sender.id, sender.code, randomUUID(), receiver.id, receiver.code], // prettier-ignore
    );
    await pool.query(
      'INSERT INTO stock (warehouse_id, product_id, quantity, version) VALUES ($1, $2, 5, 3)',
      [sender.id, product],
    );
    app = await serveFeatures([movementsFeature({ pool })]);
    base = app.url;
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
    await ch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = (body: unknown) => {
    const b = body as Record<string, Record<string, unknown> | null>;
    const leg = (l: Record<string, unknown> | null | undefined) =>
      l && { code: l.warehouse_code, name: l.warehouse_name };
    return { sender: leg(b.sender), receiver: leg(b.receiver) };
  };

  it('names both legs where known, null where not, and a rename shows with a new ETag', async () => {
    const unknown = await get(movementPath);
    expect(unknown.status).toBe(200);
    expect(names(await unknown.json())).toEqual({
      sender: { code: null, name: null },
      receiver: { code: null, name: null },
    });
    const unknownTag = unknown.headers.get('etag')!;

    await pool.query(
      `INSERT INTO warehouses (warehouse_id, code, name, city, country_id)
       VALUES ($1, $2, 'Prague North', 'Prague', '203')`,
      [sender.id, sender.code],
    );
    const known = await get(movementPath, { 'If-None-Match': unknownTag });
    expect(known.status).toBe(200);
    const body = (await known.json()) as Record<string, unknown>;
    expect(names(body)).toEqual({
      sender: { code: sender.code, name: 'Prague North' },
      receiver: { code: null, name: null },
    });
    // The seed-001 fields stand as they were; the names come beside them.
    expect(body).toMatchObject({
      version: 2,
      sender: { warehouse_id: sender.id, source: sender.code, quantity: 10 },
      receiver: { warehouse_id: receiver.id, source: receiver.code, quantity: 10 },
    });
    const knownTag = known.headers.get('etag')!;
    expect(knownTag).not.toBe(unknownTag);
    expect((await get(movementPath, { 'If-None-Match': knownTag })).status).toBe(304);

    await importWarehouses(
      `${sender.id},${sender.code},Prague Main,Prague,203\n` +
        `${receiver.id},${receiver.code},"Bogotá Central, dock 2",Bogotá,170\n`,
    );
    const renamed = await get(movementPath, { 'If-None-Match': knownTag });
    expect(renamed.status).toBe(200);
    expect(names(await renamed.json())).toEqual({
      sender: { code: sender.code, name: 'Prague Main' },
      receiver: { code: receiver.code, name: 'Bogotá Central, dock 2' },
    });
    const renamedTag = renamed.headers.get('etag')!;
    expect(renamedTag).not.toBe(knownTag);
    expect((await get(movementPath, { 'If-None-Match': renamedTag })).status).toBe(304);
  });

  it('names the warehouse of a stock level, and a rename changes its ETag', async () => {
    await importWarehouses(`${sender.id},${sender.code},Prague Main,Prague,203\n`);
    const before = await get(stockPath);
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({
      warehouse_id: sender.id,
      warehouse_code: sender.code,
      warehouse_name: 'Prague Main',
      product_id: product,
      quantity: 5,
    });
    const tag = before.headers.get('etag')!;
    expect((await get(stockPath, { 'If-None-Match': tag })).status).toBe(304);

    await importWarehouses(`${sender.id},${sender.code},Prague East,Prague,203\n`);
    const after = await get(stockPath, { 'If-None-Match': tag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(tag);
    expect(await after.json()).toMatchObject({
      warehouse_code: sender.code,
      warehouse_name: 'Prague East',
      quantity: 5,
    });
  });

  it('answers null names for a stock level at a warehouse no import named', async () => {
    const elsewhere = randomUUID();
    await pool.query(
      'INSERT INTO stock (warehouse_id, product_id, quantity, version) VALUES ($1, $2, 1, 1)',
      [elsewhere, product],
    );
    const res = await get(`/api/warehouses/${elsewhere}/products/${product}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      warehouse_id: elsewhere,
      warehouse_code: null,
      warehouse_name: null,
    });
  });
});
