import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitRange } from '../../api/analytics/params.js';
import { analytics, rows, type Analytics } from '../../api/analytics/queries/run.js';
import { PRODUCT_KEY, topProducts } from '../../api/analytics/queries/top-products.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import { createMigratedClickHouse, type createTestClickHouse } from '../../testkit/resources.js';

// top_products groups by a UInt64 product key (sql/clickhouse/0009): canonical decimal ids are
// their own keys, others are hashed and looked up in product_keys. Hashed ids must come back
// as they were; a key that two ids share (staged here: a real collision is a 1-in-2^63 event)
// must not mix them up, the answer comes from the raw lines instead.

const DAY = '2025-06-01';
const IDS = ['42', '042', '+42', 'sku-a', "it's", 'Ünïcødé', 'tab\there', '9223372036854775808'];

describe('top_products over product keys', () => {
  let stores: Awaited<ReturnType<typeof createMigratedClickHouse>>;
  let chDb: ReturnType<typeof createTestClickHouse>;
  let a: Analytics;
  const range = splitRange({
    start: Date.parse(`${DAY}T00:00:00Z`) / 1000,
    end: Date.parse(`${DAY}T00:00:00Z`) / 1000 + 86_400,
  });

  beforeAll(async () => {
    stores = await createMigratedClickHouse();
    ({ chDb } = stores);
    a = analytics(chDb.client, chDb.name);
    // Each id sells a different number of units; two more ids tie with '42' and 'sku-a'.
    const lines = [...IDS, 'tie-1', 'tie-2'].flatMap((id, i) =>
      Array.from({ length: id.startsWith('tie') ? 8 : 8 + (i % 4) * 3 }, (_, n) => ({
        source_id: `${id}:${n}`,
        product_id: id,
        paid_at: Date.parse(`${DAY}T10:00:00Z`) / 1000 + n,
        quantity: 1,
      })),
    );
    await chDb.client.insert({ table: `${chDb.name}.sales`, values: lines, format: 'JSONEachRow' });
  });
  afterAll(async () => {
    await stores?.drop();
  });

  const raw = async (limit: number) =>
    (
      await rows<{ product_id: string; q: string }>(
        a,
        sql`SELECT product_id, toString(sum(quantity)) AS q FROM ${a.db}.sales
          GROUP BY product_id ORDER BY sum(quantity) DESC, product_id ASC LIMIT ${ch.uint(limit)}`,
      )
    ).map((r) => ({ product_id: r.product_id, total_quantity: Number(r.q) }));

  it('keys canonical decimals by their value, hashes the rest with the top bit set and maps those back', async () => {
    const keys = await rows<{ id: string; k: string }>(
      a,
      sql`SELECT DISTINCT product_id AS id, toString(${PRODUCT_KEY}) AS k FROM ${a.db}.sales`,
    );
    const byId = new Map(keys.map((r) => [r.id, BigInt(r.k)]));
    expect(byId.get('42')).toBe(42n);
    for (const id of IDS.filter((x) => x !== '42')) {
      expect(byId.get(id)! >= 2n ** 63n, id).toBe(true);
    }
    // Only hashed keys need a way back.
    const mapped = await rows<{ id: string; k: string }>(
      a,
      sql`SELECT product_id AS id, toString(product_key) AS k FROM ${a.db}.product_keys
        GROUP BY product_id, product_key ORDER BY id`,
    );
    expect(mapped).toEqual(
      keys.filter((r) => BigInt(r.k) >= 2n ** 63n).sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
  });

  it('answers with every id as stored, ties by id, for any limit', async () => {
    for (const limit of [1, 3, 5, 10, 20]) {
      expect(await topProducts(a, range, limit), `limit ${limit}`).toEqual(await raw(limit));
    }
  });

  it('answers from the raw lines when two ids share a key', async () => {
    await chDb.client.command({
      query: `INSERT INTO ${chDb.name}.product_keys
        SELECT ${PRODUCT_KEY.text}, concat('impostor ', product_id) FROM (
          SELECT arrayJoin(['sku-a', 'Ünïcødé', '042', '+42']) AS product_id)`,
    });
    expect(await topProducts(a, range, 10)).toEqual(await raw(10));
  });
});
