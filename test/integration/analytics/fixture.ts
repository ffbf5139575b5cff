import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { analyticsFeature } from '../../../api/analytics/routes.js';
import { createClickHouse } from '../../../lib/clickhouse/client.js';
import { migrate } from '../../../lib/migrate.js';
import { createPool, type Pool } from '../../../lib/postgres/pool.js';
import { PROJECT_ROOT } from '../../../stack/paths.js';
import {
  config,
  createTestClickHouse,
  createTestDatabase,
  testLogger,
} from '../../../testkit/resources.js';
import { serveFeatures, type ServedApp } from '../../../testkit/serve-features.js';
import { generateDataset, type Sale } from './dataset.js';

// The analytics API against a fresh ClickHouse database, one per test file (random names, dropped
// afterwards). The generated rows go straight into the raw tables (the materialized views fill
// themselves); every answer is compared with the same question asked of the raw rows — computed
// in TypeScript (reference.ts) and, where the analysts' batch SQL exists, by running that SQL over
// the raw `sales` table. The Postgres database is fresh too: its reference tables start empty, so
// names (country names, continents) are `null` unless a test puts them there.

export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

/**
 * Call once at the top of a test file's `describe`: builds the data set there and then, loads it
 * and serves the API over it before the file's tests (and drops both after them).
 */
export function analyticsApi() {
  const { sales, stock, movements } = generateDataset();
  // Named now, created in beforeAll: the tests read `ch.name` and `ch.client` while they run.
  const ch = createTestClickHouse();
  // With the test database as its default, for the batch SQL files.
  const chDb = createClickHouse({ url: config.clickhouseUrl, database: ch.name });
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let pool: Pool | undefined;
  let app: ServedApp | undefined;
  let base = '';
  const offsets = [0, 0, 0];

  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${p}`, { headers });
  const json = async <T>(p: string, headers: Record<string, string> = {}): Promise<T> => {
    const res = await get(p, headers);
    const body = (await res.json()) as T;
    expect(res.status, `${p}: ${JSON.stringify(body)}`).toBe(200);
    return body;
  };
  const rows = async <T>(query: string): Promise<T[]> =>
    (await ch.client.query({ query, format: 'JSONEachRow' })).json<T>();
  /** A sale line as the raw `sales` table holds it, at the next offset of one of 3 partitions. */
  const saleRow = (s: Sale, i: number) => {
    const partition = i % 3;
    return {
      source_id: `sales:${partition}:${offsets[partition]}`,
      ...s,
      brand: 'brand',
      _topic: 'sales',
      _partition: partition,
      _offset: offsets[partition]!++,
    };
  };
  /** Runs an analysts' batch SQL file with its dates replaced. */
  const batch = async <T>(file: string, replace: Record<string, string>): Promise<T[]> => {
    let text = readFileSync(path.join(PROJECT_ROOT, 'sql', 'queries', file), 'utf8');
    for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
    return (await chDb.query({ query: text, format: 'JSONEachRow' })).json<T>();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 2, testLogger);
    await migrate({ pool, clickhouse: ch.client, clickhouseDatabase: ch.name, logger: testLogger });

    await ch.client.insert({
      table: `${ch.name}.sales`,
      values: sales.map(saleRow),
      format: 'JSONEachRow',
    });
    await ch.client.insert({
      table: `${ch.name}.stock_changes`,
      values: stock.map((c, i) => ({ ...c, _topic: 'stock_changes', _partition: 0, _offset: i })),
      format: 'JSONEachRow',
    });
    await ch.client.insert({
      table: `${ch.name}.movement_changes`,
      values: movements.map((m, i) => ({
        ...m,
        _topic: 'movement_changes',
        _partition: 0,
        _offset: i,
      })),
      format: 'JSONEachRow',
    });

    app = await serveFeatures([
      analyticsFeature({ clickhouse: ch.client, database: ch.name, pool }),
    ]);
    base = app.url;
  });

  afterAll(async () => {
    await app?.close();
    await chDb.close();
    await pool?.end();
    await db?.drop();
    await ch.drop();
  });

  /** The file's Postgres database (reference tables: countries, warehouses…), once set up. */
  const postgres = (): Pool => pool!;

  return { sales, stock, movements, ch, get, json, rows, batch, saleRow, postgres };
}
