import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../../lib/errors.js';
import { migrate, SQL_DIR } from '../../lib/migrate.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { createTestClickHouse, createTestDatabase, testLogger } from '../../testkit/resources.js';

function fixtureDir(extraPg = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-migrations-'));
  mkdirSync(path.join(dir, 'postgres'));
  mkdirSync(path.join(dir, 'clickhouse'));
  writeFileSync(
    path.join(dir, 'postgres', '0001_items.sql'),
    'CREATE TABLE items (id int PRIMARY KEY);',
  );
  writeFileSync(
    path.join(dir, 'postgres', '0002_item_names.sql'),
    `ALTER TABLE items ADD COLUMN name text; INSERT INTO items VALUES (1, 'one');${extraPg}`,
  );
  writeFileSync(
    path.join(dir, 'clickhouse', '0001_events.sql'),
    `CREATE TABLE IF NOT EXISTS {db}.events (id UInt32, note String DEFAULT ';') ENGINE = MergeTree ORDER BY id;
     INSERT INTO {db}.events (id) VALUES (1);`,
  );
  return dir;
}

describe('migrate', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    pool = createPool(db.url, 5, testLogger);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
    await ch.drop();
  });

  it('applies each migration exactly once when two migrators start together', async () => {
    const dir = fixtureDir();
    const options = {
      pool,
      clickhouse: ch.client,
      clickhouseDatabase: ch.name,
      logger: testLogger,
      dir,
    };
    const [a, b] = await Promise.all([migrate(options), migrate(options)]);
    const applied = [a, b].map((r) => [...r.postgres, ...r.clickhouse].length).sort();
    expect(applied).toEqual([0, 3]); // one did all the work, the other found nothing left
    const items = await pool.query('SELECT id, name FROM items');
    expect(items.rows).toEqual([{ id: 1, name: 'one' }]);
    const events = await ch.client.query({
      query: `SELECT count() AS n FROM ${ch.name}.events`,
      format: 'JSONEachRow',
    });
    expect(await events.json()).toEqual([{ n: '1' }]);
    const again = await migrate(options);
    expect(again).toEqual({ postgres: [], clickhouse: [] });
  });

  it('refuses to run when a landed migration was edited', async () => {
    const edited = fixtureDir(' SELECT 1;');
    await expect(
      migrate({
        pool,
        clickhouse: ch.client,
        clickhouseDatabase: ch.name,
        logger: testLogger,
        dir: edited,
      }),
    ).rejects.toThrow(MigrationError);
  });

  it("applies the project's own migrations to a fresh database", async () => {
    const fresh = await createTestDatabase();
    const freshCh = createTestClickHouse();
    const freshPool = createPool(fresh.url, 2, testLogger);
    try {
      const result = await migrate({
        pool: freshPool,
        clickhouse: freshCh.client,
        clickhouseDatabase: freshCh.name,
        logger: testLogger,
        dir: SQL_DIR,
      });
      const again = await migrate({
        pool: freshPool,
        clickhouse: freshCh.client,
        clickhouseDatabase: freshCh.name,
        logger: testLogger,
        dir: SQL_DIR,
      });
      expect(again).toEqual({ postgres: [], clickhouse: [] });
      const recorded = await freshPool.query(
        'SELECT name FROM stockflow_migrations ORDER BY version',
      );
      expect(recorded.rows.map((r: { name: string }) => r.name)).toEqual(result.postgres);
    } finally {
      await freshPool.end();
      await fresh.drop();
      await freshCh.drop();
    }
  });
});
