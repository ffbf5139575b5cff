import { everyOrderFinished } from '../../testkit/orders.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeValidated, registerStreamSchema } from '../../ingest/codec.js';
import { salesStream } from '../../ingest/streams/index.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { SOURCE_HEADER } from '../../lib/kafka/provenance.js';
import { generatedSales } from '../fixtures/sales.js';
import {
  expandClickHouse,
  loadDashboards,
  panelQueries,
  resolveTime,
} from '../../testkit/grafana.js';
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import {
  committedToEnd,
  createPipeline,
  eventually,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

// Every ClickHouse panel of every dashboard in deploy/grafana, run as Grafana would run it (its
// macros expanded over the dashboard's own time range) against the views a short real pipeline
// run filled: sales, movements (one completed, one still in transit) and orders (completed and
// failed), all of them dated within the last days. A panel whose SQL fails on ClickHouse 18.16,
// or that shows nothing although its data is there, fails.

const HOUR = 3_600_000;
const W1 = uuidOf(0x9a1, 1);
const W2 = uuidOf(0x9a1, 2);
const PRODUCT = uuidOf(0x9b2, 1);

describe('grafana: every ClickHouse panel answers on real data', () => {
  let p: Pipeline;
  let ch: ClickHouseClient;
  let served: ServedApp;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  let events = 0;

  const count = async (query: string): Promise<string> => {
    const rows = await (await ch.query({ query, format: 'JSONEachRow' })).json<{ n: string }>();
    return String(rows[0]?.n ?? '');
  };
  const postEvent = async (body: unknown) => {
    const res = await fetch(`${served.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
  };
  const movement = (kind: 'inventory' | 'departure' | 'arrival', o: Record<string, unknown>) =>
    movementEvent(kind, { id: `gp-${++events}`, product: PRODUCT, ...o });

  beforeAll(async () => {
    p = await createPipeline();
    ch = createClickHouse({ url: p.config.clickhouseUrl });
    const db = p.config.clickhouseDatabase;
    const ingest = await p.startRole('ingest');
    await p.startRole('process');
    await p.startRole('relay');
    await p.startRole('orders');
    await p.startRole('sink');
    served = await serveFeatures(ingest.features);

    // Sales of the last three days, straight onto the validated topic (as sink-sales does).
    const sales = generatedSales(300, 11, 1).map((s, i) => ({
      ...s,
      DATE_PAYMENT: now - (i % 72) * HOUR,
    }));
    const schemaId = await registerStreamSchema(
      p.runtime.schemaRegistry,
      salesStream,
      p.sales.validated,
    );
    await sendAll(p.producer, [
      {
        topic: p.sales.validated,
        messages: sales.map((s, i) => ({
          ...encodeValidated(salesStream, schemaId, s),
          headers: { [SOURCE_HEADER]: `grafana:${i}` },
        })),
      },
    ]);

    // Stock counted at W1, one movement W1 → W2 completed (a little lost), one still in transit.
    await postEvent(
      movement('inventory', {
        movement: uuidOf(0x9c3, 1),
        warehouse: W1,
        quantity: 500,
        at: iso(now - 5 * HOUR),
      }),
    );
    await p.caughtUp();
    await postEvent(
      movement('departure', {
        movement: uuidOf(0x9d4, 1),
        warehouse: W1,
        quantity: 40,
        at: iso(now - 3 * HOUR),
      }),
    );
    await postEvent(
      movement('arrival', {
        movement: uuidOf(0x9d4, 1),
        warehouse: W2,
        quantity: 38,
        at: iso(now - 2 * HOUR),
      }),
    );
    await postEvent(
      movement('departure', {
        movement: uuidOf(0x9d4, 2),
        warehouse: W1,
        quantity: 25,
        at: iso(now - HOUR),
      }),
    );
    await p.caughtUp();

    // Orders: some complete, some fail (priced wrong, unknown product).
    await p.runtime.pool.query(
      `INSERT INTO products (product_id, name, unit_price) VALUES ('gp-lamp', 'Desk lamp', 79.99)`,
    );
    await postEvent(
      movement('inventory', {
        movement: uuidOf(0x9c3, 2),
        warehouse: W1,
        product: 'gp-lamp',
        quantity: 100,
      }),
    );
    await p.caughtUp();
    const orders = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0
        ? { user_id: `g${i}`, item_ids: ['gp-lamp'], total_amount: 1 }
        : i % 3 === 1
          ? { user_id: `g${i}`, item_ids: ['ghost'], total_amount: 1 }
          : { user_id: `g${i}`, item_ids: ['gp-lamp'], total_amount: 79.99 },
    );
    for (const body of orders) {
      const res = await fetch(`${served.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
    }
    await everyOrderFinished(p.runtime.pool, 120_000);

    // Everything in ClickHouse, views included (the sink commits once its inserts returned).
    const pg = async (query: string) =>
      (await p.runtime.pool.query<{ n: string }>(query)).rows[0]!.n;
    const want = {
      sales: String(sales.length),
      stock_changes: await pg('SELECT count(*)::text AS n FROM stock_ledger'),
      movement_changes: await pg('SELECT coalesce(sum(version), 0)::text AS n FROM movements'),
      order_changes: await pg(
        `SELECT count(*)::text AS n FROM order_transitions WHERE status != 'pending'`,
      ),
    };
    await eventually(
      async () => {
        for (const [table, n] of Object.entries(want)) {
          if ((await count(`SELECT toString(count()) AS n FROM ${db}.${table}`)) !== n) {
            return undefined;
          }
        }
        return true;
      },
      120_000,
      'the sink to store every sale, stock change, movement change and order change',
    );
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [
      p.sales.validated,
      p.topics.stockChanges,
      p.topics.movementChanges,
      p.orders.changes,
    ]);
  }, 240_000);

  afterAll(async () => {
    await served?.close();
    await ch?.close();
    await p?.close();
  });

  const files = loadDashboards();
  const queries = panelQueries(files, 'grafana-clickhouse-datasource');

  it('finds the ClickHouse panels', () => {
    expect(queries.length).toBeGreaterThanOrEqual(12);
  });

  it.each(queries.map((q) => [`${q.dashboard}: ${q.panel.title} (${q.target.refId})`, q] as const))(
    '%s',
    async (_, q) => {
      const { time } = files.find((f) => f.file === q.dashboard)!.dashboard;
      const at = new Date();
      const sqlText = expandClickHouse(q.query, {
        from: resolveTime(time.from, at),
        to: resolveTime(time.to, at),
        identifiers: { database: p.config.clickhouseDatabase },
      });
      const rows = await (await ch.query({ query: sqlText, format: 'JSONEachRow' })).json();
      expect(rows.length, `no rows from:\n${sqlText}`).toBeGreaterThan(0);
    },
  );
});
