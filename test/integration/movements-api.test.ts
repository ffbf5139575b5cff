import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { movementsFeature } from '../../api/movements/routes.js';
import { migrate } from '../../lib/migrate.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { createTestClickHouse, createTestDatabase, testLogger } from '../../testkit/resources.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

// The seed's example: WH-3322 sends 100 units of one product to WH-3423.
const PRODUCT = '4705204f-498f-4f96-b4ba-df17fb56bf55';
const SENDER = '25718666-6af6-4281-b5a6-3016e36fa557';
const RECEIVER = 'c1d70455-7e14-11e9-812a-70106f431230';
const COMPLETED = 'c6290746-790e-43fa-8270-014dc90e02e0';
const ARRIVED_FIRST = '0b9f3c8e-2d4a-4c1e-9a7b-5e6f7a8b9c0d';
const REJECTED = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6';

const MOVEMENT_COLUMNS = [
  'movement_id',
  'status',
  'product_id',
  'dep_event_id',
  'dep_warehouse_id',
  'dep_source',
  'dep_product_id',
  'dep_quantity',
  'departed_at',
  'dep_state',
  'dep_pending_since',
  'dep_pending_until',
  'dep_reject_reason',
  'arr_event_id',
  'arr_warehouse_id',
  'arr_source',
  'arr_product_id',
  'arr_quantity',
  'arrived_at',
  'anomalies',
  'version',
  'updated_at',
] as const;
type MovementFixture = Partial<Record<(typeof MOVEMENT_COLUMNS)[number], unknown>>;

const departure = (quantity: number, at: string, state = 'applied') => ({
  dep_event_id: randomUUID(),
  dep_warehouse_id: SENDER,
  dep_source: 'WH-3322',
  dep_product_id: PRODUCT,
  dep_quantity: quantity,
  departed_at: at,
  dep_state: state,
});
const arrival = (quantity: number, at: string) => ({
  arr_event_id: randomUUID(),
  arr_warehouse_id: RECEIVER,
  arr_source: 'WH-3423',
  arr_product_id: PRODUCT,
  arr_quantity: quantity,
  arrived_at: at,
});

async function insertMovement(pool: Pool, m: MovementFixture): Promise<void> {
  const placeholders = MOVEMENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  await pool.query(
    `INSERT INTO movements (${MOVEMENT_COLUMNS.join(', ')}) VALUES (${placeholders})`,
    MOVEMENT_COLUMNS.map((c) => m[c] ?? (c === 'anomalies' ? '[]' : null)),
  );
}

interface LedgerFixture {
  id: string;
  movement_id: string;
  order_id: null;
  reason: string;
  delta: number;
  balance: number;
  occurred_at: string;
  recorded_at: string;
}

/** 25 changes of PRODUCT at SENDER: a count of 100, then alternating arrivals and departures. */
async function insertStock(pool: Pool): Promise<LedgerFixture[]> {
  const entries: LedgerFixture[] = [];
  let balance = 0;
  for (let i = 0; i < 25; i++) {
    const reason = i === 0 ? 'inventory' : i % 2 ? 'arrival' : 'departure';
    const delta = i === 0 ? 100 : i % 2 ? 10 : -7;
    balance += delta;
    const occurred = new Date(Date.UTC(2025, 1, 18, 9, i));
    const entry = {
      movement_id: randomUUID(),
      order_id: null,
      reason,
      delta,
      balance,
      occurred_at: occurred.toISOString(),
      recorded_at: new Date(occurred.getTime() + 1_500).toISOString(),
    };
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO stock_ledger (warehouse_id, product_id, reason, delta, balance, movement_id,
                                 event_id, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text AS id`,
      [
        SENDER,
        PRODUCT,
        reason,
        delta,
        balance,
        entry.movement_id,
        randomUUID(),
        entry.occurred_at,
        entry.recorded_at,
      ],
    );
    entries.push({ id: rows[0]!.id, ...entry });
    // Noise: the same product elsewhere and another product here must not show up.
    await pool.query(
      `INSERT INTO stock_ledger (warehouse_id, product_id, reason, delta, balance, movement_id, event_id, occurred_at)
       VALUES ($1, $2, 'arrival', 1, $3, $4, $5, now()), ($6, $7, 'arrival', 1, $3, $4, $5, now())`,
      [RECEIVER, PRODUCT, i + 1, randomUUID(), randomUUID(), SENDER, randomUUID()],
    );
  }
  await pool.query(
    'INSERT INTO stock (warehouse_id, product_id, quantity, version, updated_at) VALUES ($1, $2, $3, 25, $4)',
    [SENDER, PRODUCT, balance, entries.at(-1)!.recorded_at],
  );
  return entries.reverse(); // newest first, as the API lists them
}

describe('movements API', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let pool: Pool;
  let app: ServedApp | undefined;
  let base: string;
  let ledger: LedgerFixture[];
  const ids = { rejectedArrival: '', conflicting: randomUUID() };

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers });
  const stockPath = `/api/warehouses/${SENDER}/products/${PRODUCT}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    pool = createPool(db.url, 4, testLogger);
    await migrate({ pool, clickhouse: ch.client, clickhouseDatabase: ch.name, logger: testLogger });

    await insertMovement(pool, {
      movement_id: COMPLETED,
      status: 'completed',
      product_id: PRODUCT,
      ...departure(100, '2025-02-18T12:12:56Z'),
      ...arrival(100, '2025-02-18T14:34:56Z'),
      version: 2,
      updated_at: '2025-02-18T14:35:01.250Z',
    });
    await insertMovement(pool, {
      movement_id: ARRIVED_FIRST,
      status: 'arrived_first',
      product_id: PRODUCT,
      ...arrival(40, '2025-02-19T08:00:00Z'),
      version: 1,
      updated_at: '2025-02-19T08:00:02Z',
    });
    const rejectedArrival = arrival(480, '2025-02-21T09:00:30.250Z');
    ids.rejectedArrival = rejectedArrival.arr_event_id;
    await insertMovement(pool, {
      movement_id: REJECTED,
      status: 'rejected',
      product_id: PRODUCT,
      ...departure(500, '2025-02-20T09:59:30Z', 'rejected'),
      dep_pending_since: '2025-02-20T10:00:00Z',
      dep_pending_until: '2025-02-20T10:15:00Z',
      dep_reject_reason: 'WH-3322 held 120 of the 500 units when the hold ended',
      ...rejectedArrival,
      anomalies: JSON.stringify([
        {
          code: 'conflicting_leg',
          detail: 'quantity 500 → 450',
          event_id: ids.conflicting,
        },
        {
          code: 'arrival_for_rejected_departure',
          detail: 'goods arrived for a departure that was rejected',
          event_id: rejectedArrival.arr_event_id,
        },
      ]),
      version: 4,
      updated_at: '2025-02-21T09:00:31Z',
    });
    ledger = await insertStock(pool);

    app = await serveFeatures([movementsFeature({ pool })]);
    base = app.url;
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
    await ch?.drop();
  });

  describe('GET /api/movements/{movement_id}', () => {
    it('reports a completed movement with its transit time', async () => {
      const res = await get(`/api/movements/${COMPLETED}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('etag')).toMatch(/^W\/"m2\.[\w-]{12}"$/);
      expect(await res.json()).toEqual({
        movement_id: COMPLETED,
        product_id: PRODUCT,
        status: 'completed',
        sender: {
          warehouse_id: SENDER,
          warehouse_code: null,
          warehouse_name: null,
          source: 'WH-3322',
          departed_at: '2025-02-18T12:12:56.000Z',
          quantity: 100,
          state: 'applied',
          pending_until: null,
          reject_reason: null,
        },
        receiver: {
          warehouse_id: RECEIVER,
          warehouse_code: null,
          warehouse_name: null,
          source: 'WH-3423',
          arrived_at: '2025-02-18T14:34:56.000Z',
          quantity: 100,
        },
        transit_seconds: 8520,
        transit_duration: 'PT2H22M',
        quantity_difference: 0,
        anomalies: [],
        version: 2,
        updated_at: '2025-02-18T14:35:01.250Z',
      });
    });

    it('reports an arrival whose departure is not known yet', async () => {
      const res = await get(`/api/movements/${ARRIVED_FIRST}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        movement_id: ARRIVED_FIRST,
        product_id: PRODUCT,
        status: 'arrived_first',
        sender: null,
        receiver: {
          warehouse_id: RECEIVER,
          warehouse_code: null,
          warehouse_name: null,
          source: 'WH-3423',
          arrived_at: '2025-02-19T08:00:00.000Z',
          quantity: 40,
        },
        transit_seconds: null,
        transit_duration: null,
        quantity_difference: null,
        anomalies: [],
        version: 1,
        updated_at: '2025-02-19T08:00:02.000Z',
      });
    });

    it('reports a rejected departure, its reason and the anomalies', async () => {
      const res = await get(`/api/movements/${REJECTED}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        movement_id: REJECTED,
        product_id: PRODUCT,
        status: 'rejected',
        sender: {
          warehouse_id: SENDER,
          warehouse_code: null,
          warehouse_name: null,
          source: 'WH-3322',
          departed_at: '2025-02-20T09:59:30.000Z',
          quantity: 500,
          state: 'rejected',
          pending_until: '2025-02-20T10:15:00.000Z',
          reject_reason: 'WH-3322 held 120 of the 500 units when the hold ended',
        },
        receiver: {
          warehouse_id: RECEIVER,
          warehouse_code: null,
          warehouse_name: null,
          source: 'WH-3423',
          arrived_at: '2025-02-21T09:00:30.250Z',
          quantity: 480,
        },
        transit_seconds: 82_860.25,
        transit_duration: 'PT23H1M0.25S',
        quantity_difference: -20,
        anomalies: [
          { code: 'conflicting_leg', detail: 'quantity 500 → 450', event_id: ids.conflicting },
          {
            code: 'arrival_for_rejected_departure',
            detail: 'goods arrived for a departure that was rejected',
            event_id: ids.rejectedArrival,
          },
        ],
        version: 4,
        updated_at: '2025-02-21T09:00:31.000Z',
      });
    });

    it('answers 404 problem+json for an unknown movement', async () => {
      const id = randomUUID();
      const res = await get(`/api/movements/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toEqual({
        type: 'https://stockflow.dev/problems/not-found',
        title: 'Not Found',
        status: 404,
        detail: `no movement ${id}`,
        code: 'NOT_FOUND',
        instance: `/api/movements/${id}`,
      });
    });

    it('answers 304 while the version is unchanged, 200 with a new ETag after a change', async () => {
      const path = `/api/movements/${ARRIVED_FIRST}`;
      const etag = (await get(path)).headers.get('etag')!;
      for (const ifNoneMatch of [etag, `W/"other", ${etag}`, '*', etag.slice(2)]) {
        const res = await get(path, { 'If-None-Match': ifNoneMatch });
        expect(res.status, ifNoneMatch).toBe(304);
        expect(res.headers.get('etag')).toBe(etag);
        expect(res.headers.get('cache-control')).toBe('no-cache');
        expect(await res.text()).toBe('');
      }
      expect((await get(path, { 'If-None-Match': etag.replace('"m1.', '"m999.') })).status).toBe(
        200,
      );

      await pool.query('UPDATE movements SET version = version + 1 WHERE movement_id = $1', [
        ARRIVED_FIRST,
      ]);
      const res = await get(path, { 'If-None-Match': etag });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(etag.replace('"m1.', '"m2.'));
      expect(await res.json()).toMatchObject({ version: 2 });
    });
  });

  describe('GET /api/warehouses/{warehouse_id}/products/{product_id}', () => {
    it('reports the stock level and the 20 newest changes by default', async () => {
      const res = await get(stockPath);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toMatch(/^W\/"s25-20-\.[\w-]{12}"$/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.json()).toEqual({
        warehouse_id: SENDER,
        warehouse_code: null,
        warehouse_name: null,
        product_id: PRODUCT,
        quantity: 100 + 12 * 10 - 12 * 7,
        updated_at: ledger[0]!.recorded_at,
        movements: {
          items: ledger.slice(0, 20),
          next_cursor: Buffer.from(ledger[19]!.id).toString('base64url'),
        },
      });
    });

    it('walks every change exactly once, newest first, 10 at a time', async () => {
      const seen: LedgerFixture[] = [];
      const sizes: number[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const query: string = cursor ? `?limit=10&cursor=${cursor}` : '?limit=10';
        const res = await get(`${stockPath}${query}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as {
          movements: { items: LedgerFixture[]; next_cursor: string | null };
        };
        sizes.push(body.movements.items.length);
        seen.push(...body.movements.items);
        cursor = body.movements.next_cursor;
      }
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen).toEqual(ledger);
    });

    it('answers 404 problem+json when the warehouse never held the product', async () => {
      const other = randomUUID();
      const res = await get(`/api/warehouses/${RECEIVER}/products/${other}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toEqual({
        type: 'https://stockflow.dev/problems/not-found',
        title: 'Not Found',
        status: 404,
        detail: `warehouse ${RECEIVER} never held product ${other}`,
        code: 'NOT_FOUND',
        instance: `/api/warehouses/${RECEIVER}/products/${other}`,
      });
    });

    it('rejects a malformed cursor and an out-of-range limit with 400 naming the parameter', async () => {
      for (const [query, param] of [
        ['?cursor=bm9wZQ', 'cursor'], // base64url of "nope"
        ['?cursor=MDEw', 'cursor'], // "010": decodes, but no id looks like that
        ['?cursor=not%20base64', 'cursor'],
        ['?limit=101', 'limit'],
        ['?limit=0', 'limit'],
        ['?limit=ten', 'limit'],
        ['?page=2', 'page'],
      ] as const) {
        const res = await get(`${stockPath}${query}`);
        expect(res.status, query).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const body = (await res.json()) as { code: string; errors: { path: string }[] };
        expect(body.code).toBe('VALIDATION_FAILED');
        expect(body.errors.map((e) => e.path).join(' '), query).toContain(param);
      }
    });

    it('answers 304 while the stock is unchanged, 200 with a new ETag after a change', async () => {
      const path = `${stockPath}?limit=10`;
      const etag = (await get(path)).headers.get('etag')!;
      expect(etag).toMatch(/^W\/"s25-10-\.[\w-]{12}"$/);
      const res304 = await get(path, { 'If-None-Match': `"x", ${etag}` });
      expect(res304.status).toBe(304);
      expect(await res304.text()).toBe('');
      // Another page is another answer.
      expect((await get(stockPath, { 'If-None-Match': etag })).status).toBe(200);

      await pool.query('UPDATE stock SET version = version + 1 WHERE warehouse_id = $1', [SENDER]);
      const res = await get(path, { 'If-None-Match': etag });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(etag.replace('"s25-', '"s26-'));
    });
  });

  it('rejects a malformed id in any path parameter with 400 problem+json naming it', async () => {
    const bad = 'not-a-uuid';
    for (const [path, param] of [
      [`/api/movements/${bad}`, 'movement_id'],
      [`/api/movements/urn:uuid:${COMPLETED}`, 'movement_id'],
      [`/api/warehouses/${bad}/products/${PRODUCT}`, 'warehouse_id'],
      // A product id may be the catalog's own ('not-a-uuid' is one); a space is never in one.
      [`/api/warehouses/${SENDER}/products/not%20an%20id`, 'product_id'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await res.json()) as { instance: string; errors: { path: string }[] };
      expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: path });
      expect(body.errors.map((e) => e.path)).toContain(`/params/${param}`);
    }
  });
});
