// Hostile strings reach Postgres only as data: through a CSV import (COPY) and
// through POST /orders, each is read back exactly as it was sent, and nothing
// else changes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersFeature } from '../../api/orders/routes.js';
import type { OrderView } from '../../lib/postgres/order-rows.js';
import { createPipeline, type Pipeline } from '../../testkit/pipeline-harness.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';
import { runStockflow } from '../../testkit/stockflow-process.js';

// What SQL, COPY's text format, CSV, templates and shells treat as special.
const HOSTILE = [
  "Robert'); DROP TABLE products;--",
  '\\N',
  '\\.',
  'back\\slash \\t not a tab',
  `"double" 'single' \`back\``,
  '$1 $$ %s {db} ${x} ?',
  'Zürich 東京 🚚 مرحبا',
  ',comma, "quoted, too"',
  '<script>alert(1)</script>',
  "' OR '1'='1",
] as const;

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe('hostile strings', () => {
  let p: Pipeline;
  let served: ServedApp;
  let dir: string;

  beforeAll(async () => {
    p = await createPipeline();
    const ingest = await p.startRole('ingest');
    served = await serveFeatures([
      ...ingest.features,
      ordersFeature({
        pool: p.runtime.pool,
        kafka: p.runtime.kafka,
        acceptedTopic: p.orders.accepted,
        workerGroupId: `${p.config.kafkaGroupId}.orders`,
        memoMs: 0,
      }),
    ]);
    dir = mkdtempSync(path.join(tmpdir(), 'stockflow-hostile-'));
  }, 120_000);
  afterAll(async () => {
    await served?.close();
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in every text column of a CSV import are stored exactly as written', async () => {
    const rows = HOSTILE.map((s, i) => ({
      product_id: `hostile-${i}`,
      name: s,
      category: `${s} (category)`,
      brand: `(brand) ${s}`,
    }));
    const file = path.join(dir, 'products-hostile.csv');
    writeFileSync(
      file,
      'product_id,name,category,brand,unit_price\r\n' +
        rows
          .map((r) => [r.product_id, r.name, r.category, r.brand].map(csvField).join(',') + ',1.00')
          .join('\r\n') +
        '\r\n',
    );
    const run = runStockflow(['main.ts', 'import', 'products', file], {
      ...p.env,
      LOG_LEVEL: 'warn',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${rows.length} rows read, ${rows.length} imported, 0 failed`);
    const stored = await p.runtime.pool.query<(typeof rows)[number]>(
      `SELECT product_id, name, category, brand FROM products
        WHERE product_id LIKE 'hostile-%' ORDER BY length(product_id), product_id`,
    );
    expect(stored.rows).toEqual(rows);
    // The table is still there and holds only what was imported.
    const all = await p.runtime.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM products',
    );
    expect(all.rows[0]!.n).toBe(rows.length);
  });

  it('as an order user_id are stored and answered exactly as sent', async () => {
    for (const user of HOSTILE) {
      const res = await fetch(`${served.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: user, item_ids: ['hostile-0'], total_amount: 1 }),
      });
      expect(res.status, user).toBe(202);
      const order = (await res.json()) as OrderView;
      expect(order.user_id).toBe(user);
      const again = (await (
        await fetch(`${served.url}/orders/${encodeURIComponent(order.order_id)}`)
      ).json()) as OrderView;
      expect(again.user_id).toBe(user);
      const row = await p.runtime.pool.query<{ user_id: string }>(
        'SELECT user_id FROM orders WHERE order_id = $1',
        [order.order_id],
      );
      expect(row.rows[0]!.user_id).toBe(user);
    }
  });
});
