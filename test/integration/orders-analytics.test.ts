import { everyOrderFinished } from '../../testkit/orders.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsFeature } from '../../api/analytics/routes.js';
import { centsToNumber } from '../../api/analytics/money.js';
import { parseCents } from '../../domain/order.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.js';
import { insertOrders, type OrderView } from '../../lib/postgres/order-rows.js';
import { inTransaction } from '../../lib/postgres/pool.js';
import { uuidOf } from '../../testkit/movement-events.js';
import {
  committedToEnd,
  createPipeline,
  eventually,
  readTopic,
  topicSize,
  type Pipeline,
  type RoleInstance,
} from '../../testkit/pipeline-harness.js';
import { testKafka } from '../../testkit/resources.js';
import { countStock } from '../../testkit/stock-counts.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

// GET /analytics/orders must equal what the Postgres `orders` rows say, once every order has gone
// POST /orders → worker → outbox → relay → sink → ClickHouse views: accepted per created day,
// completed and failed per finished day, revenue to the cent, and the processing-time quantiles
// exactly (quantilesExactWeighted is exact: the nearest rank, which Postgres' percentile_disc
// computes too). And it must stay equal when order changes are delivered again.

const W1 = uuidOf(0x0a1, 1);
const W2 = uuidOf(0x0a1, 2);
const DAY_MS = 86_400_000;

interface Figures {
  orders: number;
  completed: number;
  failed: number;
  revenue: number;
  processing_time_seconds: { p50: number | null; p95: number | null; p99: number | null };
}
interface Answer {
  start_date: string;
  end_date: string;
  granularity: string;
  buckets: (Figures & { period: string })[];
  totals: Figures;
}

/** `YYYY-MM-DD` of the UTC day `n` days before today. */
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

describe('order analytics: POST /orders → worker → sink → GET /analytics/orders', () => {
  let p: Pipeline;
  let served: ServedApp;
  let base: string;
  let ch: ClickHouseClient;
  let sink: RoleInstance;

  const rows = async <T>(query: string): Promise<T[]> =>
    (await ch.query({ query, format: 'JSONEachRow' })).json<T>();
  const answer = async (query: string): Promise<Answer> => {
    const res = await fetch(`${base}/analytics/orders?${query}`);
    const body = (await res.json()) as Answer;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };

  const count = (warehouse: string, product: string, quantity: number) =>
    countStock(base, p.runtime.pool, { warehouse, product, quantity });

  const post = async (body: unknown): Promise<OrderView> => {
    const res = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    return (await res.json()) as OrderView;
  };

  /** Every order finished, and every change of theirs in ClickHouse with its views written. */
  async function settled(): Promise<void> {
    await everyOrderFinished(p.runtime.pool, 120_000);
    // The changes the orders role wrote: every transition but the intake's pending.
    const changes = await p.runtime.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM order_transitions WHERE status != 'pending'`,
    );
    await eventually(
      async () => {
        const [stored] = await rows<{ n: string }>(
          `SELECT count() AS n FROM ${p.config.clickhouseDatabase}.order_changes`,
        );
        return stored?.n === changes.rows[0]!.n ? true : undefined;
      },
      120_000,
      'the sink to store every order change',
    );
    // Raw rows show before their views' rows: the sink commits only once its inserts returned.
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [p.orders.changes]);
  }

  /**
   * What Postgres says, per period (`day`, `week`, `month`, or `range` for the totals): orders by
   * created day, completed and failed by completed day, their revenue, and percentile_disc of the
   * completed orders' milliseconds (each time truncated to the millisecond, as the sink reads it).
   */
  async function expected(
    granularity: 'day' | 'week' | 'month' | 'range',
    first: string,
    last: string,
  ) {
    const period = (column: string) =>
      granularity === 'range'
        ? `'range'::text`
        : `to_char(date_trunc('${granularity}', (${column} AT TIME ZONE 'UTC')), 'YYYY-MM-DD')`;
    const r = await p.runtime.pool.query<{
      period: string;
      orders: number;
      completed: number;
      failed: number;
      revenue: string;
      p50: string | null;
      p95: string | null;
      p99: string | null;
    }>(
      `WITH o AS (
         SELECT *, (created_at AT TIME ZONE 'UTC')::date AS created_day,
                (completed_at AT TIME ZONE 'UTC')::date AS completed_day,
                floor(extract(epoch FROM completed_at) * 1000) - floor(extract(epoch FROM created_at) * 1000) AS ms
           FROM orders
       ),
       accepted AS (
         SELECT ${period('created_at')} AS period, count(*)::int AS orders
           FROM o WHERE created_day BETWEEN $1::date AND $2::date GROUP BY 1
       ),
       finished AS (
         SELECT ${period('completed_at')} AS period,
                count(*) FILTER (WHERE status = 'completed')::int AS completed,
                count(*) FILTER (WHERE status = 'failed')::int AS failed,
                coalesce(sum(total_amount) FILTER (WHERE status = 'completed'), 0)::text AS revenue,
                (percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE status = 'completed'))::text AS p50,
                (percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) FILTER (WHERE status = 'completed'))::text AS p95,
                (percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) FILTER (WHERE status = 'completed'))::text AS p99
           FROM o WHERE completed_day BETWEEN $1::date AND $2::date GROUP BY 1
       )
       SELECT period, coalesce(a.orders, 0) AS orders, coalesce(f.completed, 0) AS completed,
              coalesce(f.failed, 0) AS failed, coalesce(f.revenue, '0') AS revenue, f.p50, f.p95, f.p99
         FROM accepted a FULL JOIN finished f USING (period)
        ORDER BY period`,
      [first, last],
    );
    const seconds = (ms: string | null) => (ms === null ? null : Number(ms) / 1000);
    return r.rows.map((row) => ({
      period: row.period,
      orders: row.orders,
      completed: row.completed,
      failed: row.failed,
      revenue: centsToNumber(parseCents(row.revenue) ?? -1n),
      processing_time_seconds: {
        p50: seconds(row.p50),
        p95: seconds(row.p95),
        p99: seconds(row.p99),
      },
    }));
  }

  async function matchesPostgres(first: string, last: string): Promise<Answer> {
    const range = `start_date=${first}&end_date=${last}`;
    let daily: Answer | undefined;
    for (const granularity of ['day', 'week', 'month'] as const) {
      const got = await answer(`${range}&granularity=${granularity}`);
      expect(got, granularity).toEqual({
        start_date: first,
        end_date: last,
        granularity,
        buckets: await expected(granularity, first, last),
        totals: (({ period: _, ...t }) => t)((await expected('range', first, last))[0]!),
      });
      if (granularity === 'day') daily = got;
    }
    return daily!;
  }

  beforeAll(async () => {
    p = await createPipeline({ KAFKA_PARTITIONS: '3' });
    ch = createClickHouse({ url: p.config.clickhouseUrl });
    const ingest = await p.startRole('ingest');
    await p.startRole('process');
    await p.startRole('relay');
    await p.startRole('orders');
    sink = await p.startRole('sink');
    served = await serveFeatures([
      analyticsFeature({
        clickhouse: p.runtime.clickhouse,
        database: p.config.clickhouseDatabase,
        pool: p.runtime.pool,
      }),
      ...ingest.features,
    ]);
    base = served.url;
    await p.runtime.pool.query(
      `INSERT INTO products (product_id, name, unit_price) VALUES
         ('lamp', 'Desk lamp', 79.99), ('pad', 'Notebook A5', 20.00), ('bolt', 'Bolt', 0.10)`,
    );
    await count(W1, 'lamp', 40);
    await count(W1, 'pad', 100);
    await count(W2, 'bolt', 60);

    // Orders accepted on earlier days, as a backlog left by workers that were down would be:
    // stored as the intake stores them, their creation moved back before the commit hands them
    // over. They finish today, days after they were created.
    const backlog = [9, 9, 8, 3, 3, 3, 1].flatMap((ago, i) =>
      Array.from({ length: 4 }, (_, j) => ({
        ago,
        order: {
          order_id: `ORD-OA-${i}-${j}`,
          request: {
            user_id: `old-${i}`,
            lines: [{ product_id: j === 3 ? 'nope' : 'pad', quantity: 1 + j }],
            total_cents: 2000n * BigInt(1 + j),
            warehouse_id: null,
          },
        },
      })),
    );
    await inTransaction(p.runtime.pool, async (client) => {
      await insertOrders(
        client,
        backlog.map((b) => b.order),
        p.orders.accepted,
      );
      await client.query(
        `UPDATE orders o SET created_at = o.created_at - make_interval(days => x.ago) - make_interval(secs => x.n * 7.5::float8),
                updated_at = o.created_at - make_interval(days => x.ago)
           FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS x(id, ago, n)
          WHERE o.order_id = x.id`,
        [backlog.map((b) => b.order.order_id), backlog.map((b) => b.ago)],
      );
    });

    // And today's, over HTTP, all at once: completed, priced wrong, unknown, short of stock.
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => {
        const kind = i % 6;
        return post(
          kind === 0
            ? { user_id: `u${i}`, item_ids: ['lamp'], total_amount: 79.99 }
            : kind === 1
              ? { user_id: `u${i}`, item_ids: ['lamp', 'pad'], total_amount: 99.98 } // 99.99 is right
              : kind === 2
                ? {
                    user_id: `u${i}`,
                    items: [{ product_id: 'bolt', quantity: 3 }],
                    total_amount: 0.3,
                  }
                : kind === 3
                  ? {
                      user_id: `u${i}`,
                      items: [{ product_id: 'pad', quantity: 2 }],
                      total_amount: '40.00',
                    }
                  : kind === 4
                    ? { user_id: `u${i}`, item_ids: ['ghost'], total_amount: 1 }
                    : {
                        user_id: `u${i}`,
                        items: [{ product_id: 'lamp', quantity: 5 }],
                        total_amount: 399.95,
                      },
        );
      }),
    );
    await settled();
  }, 240_000);

  afterAll(async () => {
    await served?.close();
    await ch?.close();
    await p?.close();
  });

  it('answers per day, week and month what the orders rows say, with totals over the range', async () => {
    const statuses = await p.runtime.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM orders GROUP BY status ORDER BY status',
    );
    // Both outcomes, in numbers the quantiles can tell apart.
    expect(statuses.rows.map((r) => r.status)).toEqual(['completed', 'failed']);
    expect(Math.min(...statuses.rows.map((r) => r.n))).toBeGreaterThan(30);

    const daily = await matchesPostgres(daysAgo(12), daysAgo(0));
    // The backlog's four created days, and today's orders.
    expect(daily.buckets.length).toBeGreaterThanOrEqual(5);
    expect(daily.totals.orders).toBe(120 + 28);
    expect(daily.totals.completed + daily.totals.failed).toBe(120 + 28);
    // The backlog took days: its times are far beyond the seconds of today's orders.
    expect(daily.totals.processing_time_seconds.p99).toBeGreaterThan(86_400);
    expect(daily.totals.processing_time_seconds.p50).toBeLessThan(
      daily.totals.processing_time_seconds.p99!,
    );
    // A range that cuts the weeks and months, and one that holds no order.
    await matchesPostgres(daysAgo(8), daysAgo(2));
    expect(await answer(`start_date=2001-01-01&end_date=2001-12-31&granularity=month`)).toEqual({
      start_date: '2001-01-01',
      end_date: '2001-12-31',
      granularity: 'month',
      buckets: [],
      totals: {
        orders: 0,
        completed: 0,
        failed: 0,
        revenue: 0,
        processing_time_seconds: { p50: null, p95: null, p99: null },
      },
    });
  });

  it('serves the same periods as CSV, money as exact decimals', async () => {
    const range = `start_date=${daysAgo(12)}&end_date=${daysAgo(0)}`;
    const json = await answer(range);
    const res = await fetch(`${base}/analytics/orders?${range}`, {
      headers: { accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'period,orders,completed,failed,revenue,processing_p50_seconds,processing_p95_seconds,processing_p99_seconds',
    );
    const revenue = await p.runtime.pool.query<{ day: string; revenue: string }>(
      `SELECT to_char((completed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, sum(total_amount)::text AS revenue
         FROM orders WHERE status = 'completed' GROUP BY 1`,
    );
    const exact = new Map(revenue.rows.map((r) => [r.day, r.revenue]));
    expect(lines.slice(1)).toEqual(
      json.buckets.map((b) => {
        const t = b.processing_time_seconds;
        return [
          b.period,
          b.orders,
          b.completed,
          b.failed,
          exact.get(b.period) ?? '0.00',
          t.p50 ?? '',
          t.p95 ?? '',
          t.p99 ?? '',
        ].join(',');
      }),
    );
  });

  it('refuses bad parameters with 400 problems naming them', async () => {
    for (const [query, param] of [
      ['end_date=2025-01-31', 'start_date'],
      ['start_date=2025-02-01&end_date=2025-01-31', 'start_date'],
      ['start_date=2025-01-01&end_date=2025-02-30', 'end_date'],
      ['start_date=2025-01-01T00:00:00Z&end_date=2025-01-31', 'start_date'],
      ['start_date=2025-01-01&end_date=2025-01-31&granularity=hour', 'granularity'],
      ['start_date=2025-01-01&end_date=2025-01-31&granularity=year', 'granularity'],
      ['start_date=2025-01-01&end_date=2025-01-31&currency=EUR', 'currency'],
    ] as const) {
      const res = await fetch(`${base}/analytics/orders?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type'), query).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { errors: { path: string }[] };
      expect(
        problem.errors.map((e) => e.path),
        query,
      ).toContain(`/query/${param}`);
    }
  });

  it('a change that does not fit its contract goes to the orders DLQ with the reason, not into a table', async () => {
    const misfit = JSON.stringify({
      order_id: 'ORD-MISFIT',
      status: 'completed',
      previous_status: 'processing',
      user_id: 'x',
      total_amount: '10.5',
      warehouse_id: null,
      failure_code: null,
      created_at: '2025-02-18T12:00:00+00:00',
      changed_at: '2025-02-18T12:00:01+00:00',
      completed_at: '2025-02-18T12:00:01+00:00',
    });
    await p.produce(p.orders.changes, [misfit], () => 'ORD-MISFIT');
    const dead = await eventually(
      async () =>
        (await readTopic(p.orders.dlq, 1_000, 2_000)).find((m) => m.value?.toString() === misfit),
      60_000,
      'the misfit on the DLQ',
    );
    expect(JSON.parse(String(dead.headers?.[DLQ_HEADERS.errors]))).toEqual([
      {
        path: '',
        message:
          'order change does not fit its contract: /total_amount should be decimal text with two places, got "10.5"',
      },
    ]);
    expect(String(dead.headers?.[DLQ_HEADERS.topic])).toBe(p.orders.changes);
    const [stored] = await rows<{ n: string }>(
      `SELECT count() AS n FROM ${p.config.clickhouseDatabase}.order_changes WHERE order_id = 'ORD-MISFIT'`,
    );
    expect(stored?.n).toBe('0');
  });

  it('counts a change delivered twice once: copies at new offsets, and the whole topic again', async () => {
    const range = `start_date=${daysAgo(12)}&end_date=${daysAgo(0)}`;
    const db = p.config.clickhouseDatabase;
    const before = await answer(range);
    const [stored] = await rows<{ n: string }>(`SELECT count() AS n FROM ${db}.order_changes`);
    // The relay publishes a batch again when it crashes after sending: the same messages, at
    // later offsets. Copy every change on the topic (the misfit too: it stays dead).
    const published = await readTopic(p.orders.changes, await topicSize(p.orders.changes));
    expect(published.length).toBe(Number(stored!.n) + 1);
    await p.producer.send({
      topic: p.orders.changes,
      messages: published.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    });
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [p.orders.changes]);
    // And make the sink read every partition from the start again.
    await sink.stop();
    const admin = testKafka().admin();
    await admin.connect();
    await admin.resetOffsets({
      groupId: `${p.config.kafkaGroupId}.sink`,
      topic: p.orders.changes,
      earliest: true,
    });
    await admin.disconnect();
    sink = await p.startRole('sink');
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [p.orders.changes]);
    expect(await rows(`SELECT count() AS n FROM ${db}.order_changes`)).toEqual([stored]);
    const [unique] = await rows<{ n: string }>(
      `SELECT count() AS n FROM (SELECT DISTINCT order_id, status FROM ${db}.order_changes)`,
    );
    expect(unique).toEqual(stored);
    expect(await answer(range)).toEqual(before);
    await matchesPostgres(daysAgo(12), daysAgo(0));
  });
});
