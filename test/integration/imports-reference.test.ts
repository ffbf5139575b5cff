// Reference files (products, warehouses, countries) imported into a real Postgres: every
// good row in, every bad one kept with its line, raw text and reasons, counts that add up,
// a re-import that changes nothing, and a kill -9 mid-file that a re-run recovers from.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getImport } from '../../ingest/imports/import-store.js';
import { importsFeature } from '../../ingest/imports/routes.js';
import { importReferenceFile } from '../../ingest/imports/reference-import.js';
import { mergeLockSql } from '../../ingest/imports/reference-kinds.js';
import { migrate } from '../../lib/migrate.js';
import { createPool } from '../../lib/postgres/pool.js';
import { eventually } from '../../testkit/pipeline-harness.js';
import { createTestClickHouse, createTestDatabase, testLogger } from '../../testkit/resources.js';
import { serveFeatures } from '../../testkit/serve-features.js';
import { runStockflow, spawnStockflow, stopChild } from '../../testkit/stockflow-process.js';

describe('importing reference files', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let pool: pg.Pool;
  let dir: string;
  const deps = () => ({ pool, logger: testLogger });
  const file = (name: string, text: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    pool = createPool(db.url, 4, testLogger);
    await migrate({ pool, clickhouse: ch.client, clickhouseDatabase: ch.name, logger: testLogger });
    dir = mkdtempSync(path.join(tmpdir(), 'stockflow-imports-'));
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
    await ch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const PRODUCTS =
    '\ufeffproduct_id,name,category,brand,unit_price\r\n' +
    'p-1,"Kettle, steel",kitchen,Acme,19.9\r\n' + // line 2
    'p-2,Mug,,,4\r\n' + // 3: empty optional columns
    'p-3,,kitchen,Acme,1.00\r\n' + // 4: no name
    'p-4,Plate,kitchen,Acme,-2\r\n' + // 5: negative price
    'p-5,Bowl,kitchen\r\n' + // 6: too few fields
    '\r\n' + // 7: blank
    'p-6,"Cup ""tall""",kitchen,Acme,3.456\r\n' + // 8: three decimals
    'p-7,Fork,"cut"lery,Acme,1\r\n' + // 9: stray quote
    'p-1,Kettle again,kitchen,Acme,25\r\n' + // 10: p-1 again
    'p-8,"Spoon\nlong",kitchen,Acme,0.5\r\n' + // 11–12: a line break in a name
    'p-9,Knife,kitchen,Acme,2\r\n'; // 13

  it('imports every good row, keeps every bad one with its line, raw text and reasons; the counts add up', async () => {
    const { import: done, reused } = await importReferenceFile(deps(), {
      kind: 'products',
      path: file('products.csv', PRODUCTS),
    });
    expect(reused).toBe(false);
    expect(done).toMatchObject({
      status: 'succeeded',
      kind: 'products',
      file_name: 'products.csv',
      rows_read: 10,
      rows_imported: 3,
      rows_failed: 6,
      rows_duplicate: 1,
      bytes_done: Buffer.byteLength(PRODUCTS),
      error: null,
    });
    const products = await pool.query(
      'SELECT product_id, name, category, brand, unit_price::text FROM products ORDER BY product_id',
    );
    expect(products.rows).toEqual([
      {
        product_id: 'p-1',
        name: 'Kettle, steel',
        category: 'kitchen',
        brand: 'Acme',
        unit_price: '19.90',
      },
      { product_id: 'p-2', name: 'Mug', category: null, brand: null, unit_price: '4.00' },
      { product_id: 'p-9', name: 'Knife', category: 'kitchen', brand: 'Acme', unit_price: '2.00' },
    ]);
    const failed = await pool.query(
      'SELECT line::int, raw, reasons FROM failed_rows WHERE import_id = $1 ORDER BY line',
      [done.import_id],
    );
    const price = (got: string) => [
      {
        column: 'unit_price',
        message: `must be a non-negative decimal with at most 2 places, got "${got}"`,
      },
    ];
    expect(failed.rows).toEqual([
      {
        line: 4,
        raw: 'p-3,,kitchen,Acme,1.00',
        reasons: [{ column: 'name', message: 'is required' }],
      },
      { line: 5, raw: 'p-4,Plate,kitchen,Acme,-2', reasons: price('-2') },
      {
        line: 6,
        raw: 'p-5,Bowl,kitchen',
        reasons: [{ column: '', message: 'has 3 fields; the header has 5' }],
      },
      { line: 8, raw: 'p-6,"Cup ""tall""",kitchen,Acme,3.456', reasons: price('3.456') },
      {
        line: 9,
        raw: 'p-7,Fork,"cut"lery,Acme,1',
        reasons: [{ column: '', message: 'not a CSV row: a character after a closing quote: "l"' }],
      },
      {
        line: 11,
        raw: 'p-8,"Spoon\nlong",kitchen,Acme,0.5',
        reasons: [{ column: 'name', message: 'holds a control character' }],
      },
    ]);
  });

  it('a re-import of the same file changes nothing and returns the earlier import; --force runs it again', async () => {
    const p = file('products-again.csv', PRODUCTS); // another name, the same content
    const before = await pool.query('SELECT product_id, updated_at FROM products ORDER BY 1');
    const imports = await pool.query('SELECT count(*)::int AS n FROM imports');
    const again = await importReferenceFile(deps(), { kind: 'products', path: p });
    expect(again.reused).toBe(true);
    expect(again.import.file_name).toBe('products.csv');
    expect((await pool.query('SELECT count(*)::int AS n FROM imports')).rows).toEqual(imports.rows);
    const forced = await importReferenceFile(deps(), { kind: 'products', path: p, force: true });
    expect(forced).toMatchObject({ reused: false, import: { status: 'succeeded', forced: true } });
    expect(forced.import.import_id).not.toBe(again.import.import_id);
    // Equal rows are left alone: not even their updated_at moves.
    const after = await pool.query('SELECT product_id, updated_at FROM products ORDER BY 1');
    expect(after.rows).toEqual(before.rows);
  });

  it('a file that is not the declared kind, or not UTF-8 text, fails at once and imports nothing', async () => {
    const header = await importReferenceFile(deps(), {
      kind: 'countries',
      path: file('countries-bad.csv', 'ID_COUNTRY,NAME\n1,Chile\n'),
    });
    expect(header.import).toMatchObject({
      status: 'failed',
      rows_imported: 0,
      error:
        'not a countries file: header columns missing COUNTRY_NAME; unknown NAME (expected ID_COUNTRY, COUNTRY_NAME, optionally CONTINENT)',
    });
    const latin1 = await importReferenceFile(deps(), {
      kind: 'countries',
      path: file(
        'countries-latin1.csv',
        Buffer.from('ID_COUNTRY,COUNTRY_NAME\n1,M\xe9xico\n', 'latin1'),
      ),
    });
    expect(latin1.import.status).toBe('failed');
    expect(latin1.import.error).toMatch(/^the file is not UTF-8 text/);
    const empty = await importReferenceFile(deps(), {
      kind: 'countries',
      path: file('empty.csv', ''),
    });
    expect(empty.import.error).toBe('not a countries file: it is empty (no header row)');
    expect((await pool.query('SELECT count(*)::int AS n FROM countries')).rows).toEqual([{ n: 0 }]);
    const failed = await pool.query(
      `SELECT count(*)::int AS n FROM failed_rows JOIN imports USING (import_id) WHERE kind = 'countries'`,
    );
    expect(failed.rows).toEqual([{ n: 0 }]);
  });

  it('a warehouse code held by another warehouse fails that row, not the file', async () => {
    const a = '0b4c2c36-9d0a-4c5f-9f1e-000000000001';
    const b = '0b4c2c36-9d0a-4c5f-9f1e-000000000002';
    const c = '0b4c2c36-9d0a-4c5f-9f1e-000000000003';
    const { import: done } = await importReferenceFile(deps(), {
      kind: 'warehouses',
      path: file(
        'warehouses.csv',
        `warehouse_id,code,name,city,country_id\n${a},WH-0001,North,Oslo,578\n` +
          `${b},WH-0001,South,Rome,380\n${c},WH-12,East,,\n${c.toUpperCase()},WH-0003,East,,\n`,
      ),
    });
    expect(done).toMatchObject({
      rows_read: 4,
      rows_imported: 2,
      rows_failed: 2,
      rows_duplicate: 0,
    });
    const failed = await pool.query(
      'SELECT line::int, reasons FROM failed_rows WHERE import_id = $1 ORDER BY line',
      [done.import_id],
    );
    expect(failed.rows).toEqual([
      { line: 3, reasons: [{ column: 'code', message: `is already the code of warehouse ${a}` }] },
      {
        line: 4,
        reasons: [{ column: 'code', message: 'must be "WH-" and four digits, got "WH-12"' }],
      },
    ]);
    const rows = await pool.query('SELECT warehouse_id::text, code FROM warehouses ORDER BY code');
    expect(rows.rows).toEqual([
      { warehouse_id: a, code: 'WH-0001' },
      { warehouse_id: c, code: 'WH-0003' },
    ]);
  });

  it('the merge waits for another of the same kind (its advisory lock) rather than failing at the unique index', async () => {
    // Another import's merge, holding the kind's lock, has inserted k-1 and not yet committed.
    // Without the lock this import would not see k-1, insert it too, wait on the index and fail
    // with a duplicate key once the other commits; with it, it waits and then updates k-1.
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(mergeLockSql, ['products']);
      await other.query(
        `INSERT INTO products (product_id, name, unit_price) VALUES ('k-1', 'Old name', 1)`,
      );
      const importing = importReferenceFile(deps(), {
        kind: 'products',
        path: file('locked.csv', 'product_id,name,unit_price\nk-1,New name,2\nk-2,Other,3\n'),
      });
      await eventually(
        async () => {
          const r = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return r.rows[0]!.n > 0 || undefined;
        },
        30_000,
        'the import to wait on a lock',
      );
      await other.query('COMMIT');
      const { import: done } = await importing;
      expect(done).toMatchObject({ status: 'succeeded', rows_imported: 2, rows_failed: 0 });
      const rows = await pool.query(
        `SELECT product_id, name, unit_price::text FROM products WHERE product_id LIKE 'k-%' ORDER BY 1`,
      );
      expect(rows.rows).toEqual([
        { product_id: 'k-1', name: 'New name', unit_price: '2.00' },
        { product_id: 'k-2', name: 'Other', unit_price: '3.00' },
      ]);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      other.release();
    }
  });

  it('a changed row is updated (its updated_at moves), an equal one is left alone', async () => {
    const before = file('changes-1.csv', 'product_id,name,unit_price\nc-1,One,1\nc-2,Two,2\n');
    await importReferenceFile(deps(), { kind: 'products', path: before });
    const stamps = async () =>
      (
        await pool.query<{ product_id: string; name: string; updated_at: Date }>(
          `SELECT product_id, name, updated_at FROM products WHERE product_id LIKE 'c-%' ORDER BY 1`,
        )
      ).rows;
    const [one, two] = await stamps();
    const after = file(
      'changes-2.csv',
      'product_id,name,unit_price\nc-2,Two,2.00\nc-1,Uno,1\nc-1,Ignored,9\nc-3,Three,3\n',
    );
    const { import: done } = await importReferenceFile(deps(), { kind: 'products', path: after });
    expect(done).toMatchObject({
      rows_read: 4,
      rows_imported: 3,
      rows_failed: 0,
      rows_duplicate: 1,
    });
    const [one2, two2, three] = await stamps();
    expect(one2!.name).toBe('Uno');
    expect(one2!.updated_at.getTime()).toBeGreaterThan(one!.updated_at.getTime());
    expect(two2).toEqual(two);
    expect(three!.name).toBe('Three');
  });

  it('two imports of one file at once: one runs, the other returns it', async () => {
    const p = file(
      'countries.csv',
      'ID_COUNTRY,COUNTRY_NAME,CONTINENT\n203,Czechia,Europe\n170,Colombia,\n',
    );
    const [x, y] = await Promise.all([
      importReferenceFile(deps(), { kind: 'countries', path: p }),
      importReferenceFile(deps(), { kind: 'countries', path: p }),
    ]);
    expect([x.reused, y.reused].sort()).toEqual([false, true]);
    expect(x.import.import_id).toBe(y.import.import_id);
    const runs = await pool.query(
      `SELECT count(*)::int AS n FROM imports WHERE kind = 'countries' AND sha256 = $1`,
      [x.import.sha256],
    );
    expect(runs.rows).toEqual([{ n: 1 }]);
  });

  it('killed with SIGKILL mid-file, a re-run imports every row once and marks the dead import failed', async () => {
    const rows = 400_000;
    let text = 'product_id,name,category,brand,unit_price\n';
    for (let i = 0; i < rows; i++)
      text += `big-${i},Product ${i},bulk,Acme,${i % 1000}.${i % 100}\n`;
    const p = file('big-products.csv', text);
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    const victim = spawnStockflow(['import', 'products', p], env, 'ignore');
    const running = await eventually(
      async () => {
        const r = await pool.query<{ import_id: number }>(
          `SELECT import_id::int FROM imports
            WHERE file_name = 'big-products.csv' AND status = 'running' AND bytes_done > 0`,
        );
        return r.rows[0];
      },
      60_000,
      'the import to be under way',
    );
    await stopChild(victim, 'SIGKILL');
    const count = async () => {
      const r = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM products WHERE product_id LIKE 'big-%'`,
      );
      return r.rows[0]!.n;
    };
    expect(await count()).toBe(0); // nothing of a half-done import is kept
    const rerun = runStockflow(['main.ts', 'import', 'products', p], env);
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain(
      `succeeded: ${rows} rows read, ${rows} imported, 0 failed, 0 duplicate (products from big-products.csv)`,
    );
    expect(await count()).toBe(rows);
    const again = runStockflow(['main.ts', 'import', 'products', p], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /^import \d+: big-products\.csv was imported before \(same content\); nothing to do/m,
    );
    expect(again.stdout).not.toContain('succeeded');
    expect(await getImport(pool, running.import_id)).toMatchObject({
      status: 'failed',
      error: 'interrupted: its process ended before it finished; nothing of it was kept',
    });
  }, 180_000);

  it('the command line refuses an unknown kind or a missing file with one line and the usage', () => {
    const env = { DATABASE_URL: db.url };
    const kind = runStockflow(['main.ts', 'import', 'planets', 'x.csv'], env);
    expect(kind.status).toBe(1);
    expect(kind.stderr).toMatch(
      /^stockflow: unknown import kind "planets"\nusage: stockflow import KIND FILE/,
    );
    const missing = runStockflow(
      ['main.ts', 'import', 'products', path.join(dir, 'nope.csv')],
      env,
    );
    expect(missing.stderr).toMatch(/^stockflow: no such file: .*nope\.csv\n/);
  });

  it('GET /imports, /imports/{id} and its failed rows, as JSON pages or CSV', async () => {
    const app = await serveFeatures([importsFeature({ pool })]);
    const base = app.url;
    try {
      const first = (
        await pool.query<{ id: number }>(
          `SELECT min(import_id)::int AS id FROM imports WHERE file_name = 'products.csv'`,
        )
      ).rows[0]!.id;
      const one = await fetch(`${base}/imports/${first}`);
      expect(one.status).toBe(200);
      expect(await one.json()).toMatchObject({
        import_id: first,
        kind: 'products',
        status: 'succeeded',
        rows: { read: 10, imported: 3, failed: 6, duplicate: 1 },
        duration_seconds: expect.any(Number) as unknown,
      });
      const page = (await (await fetch(`${base}/imports?limit=2`)).json()) as {
        items: { import_id: number }[];
        next_before: number;
      };
      expect(page.items).toHaveLength(2);
      expect(page.items[0]!.import_id).toBeGreaterThan(page.items[1]!.import_id);
      const next = (await (
        await fetch(`${base}/imports?limit=2&before=${page.next_before}`)
      ).json()) as {
        items: { import_id: number }[];
      };
      expect(next.items[0]!.import_id).toBeLessThan(page.items[1]!.import_id);
      const rows = (await (await fetch(`${base}/imports/${first}/failed-rows?limit=4`)).json()) as {
        items: { line: number }[];
        next_after_line: number;
      };
      expect(rows.items.map((r) => r.line)).toEqual([4, 5, 6, 8]);
      const rest = (await (
        await fetch(`${base}/imports/${first}/failed-rows?after_line=${rows.next_after_line}`)
      ).json()) as { items: { line: number }[]; next_after_line: null };
      expect(rest).toMatchObject({ next_after_line: null });
      expect(rest.items.map((r) => r.line)).toEqual([9, 11]);
      const csv = await fetch(`${base}/imports/${first}/failed-rows`, {
        headers: { accept: 'text/csv' },
      });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await csv.text();
      expect(text.split('\r\n')[0]).toBe('line,raw,reasons');
      expect(text).toContain('4,"p-3,,kitchen,Acme,1.00",name: is required\r\n');
      expect(text).toContain(
        '11,"p-8,""Spoon\nlong"",kitchen,Acme,0.5",name: holds a control character\r\n',
      );
      const missing = await fetch(`${base}/imports/999999`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await fetch(`${base}/imports/abc`)).status).toBe(400);
    } finally {
      await app.close();
    }
  });
});
