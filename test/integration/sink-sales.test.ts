import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTwoWeeks } from '../../api/analytics/params.js';
import { repeatBuyers } from '../../api/analytics/queries/repeat-buyers.js';
import { analytics } from '../../api/analytics/queries/run.js';
import { topSuppliers } from '../../api/analytics/queries/top-suppliers.js';
import { revenueCents } from '../../domain/sale.js';
import { encodeValidated, registerStreamSchema } from '../../ingest/codec.js';
import { salesStream } from '../../ingest/streams/index.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { salesTopics } from '../../lib/kafka/topics.js';
import { SOURCE_HEADER } from '../../lib/kafka/provenance.js';
import { generatedSales } from '../fixtures/sales.js';
import {
  committedToEnd,
  createPipeline,
  eventually,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { spawnStockflow, stopChild } from '../../testkit/stockflow-process.js';

// The sink killed with SIGKILL in the middle of a large backlog, restarted,
// and fed duplicates at new offsets, still stores every sale line exactly once:
// raw table and every view agree with the lines that were sent.

describe('ClickHouse sink: sales, exactly once through a crash and duplicates', () => {
  let p: Pipeline;
  let ch: ClickHouseClient;
  const children: ChildProcess[] = [];
  const sales = generatedSales(60_000, 3);
  const expectedCents = sales.reduce((sum, s) => sum + revenueCents(s), 0n);
  const expectedItems = sales.reduce((sum, s) => sum + s.QUANTITY, 0);

  const one = async (query: string): Promise<string> => {
    const rows = await (await ch.query({ query, format: 'JSONEachRow' })).json<{ v: string }>();
    return rows[0]?.v ?? '';
  };

  const startSink = () => {
    // Small inserts, so the kill lands between two of them whatever the fetch size.
    const child = spawnStockflow(
      ['sink'],
      { ...p.env, PORT: '0', LOG_LEVEL: 'warn', CLICKHOUSE_INSERT_ROWS: '2000' },
      'ignore',
    );
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    p = await createPipeline();
    ch = createClickHouse({ url: p.config.clickhouseUrl });
    const topics = salesTopics(p.config.kafkaSalesTopic);
    const admin = p.runtime.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: topics.validated, numPartitions: 3 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const schemaId = await registerStreamSchema(
      p.runtime.schemaRegistry,
      salesStream,
      topics.validated,
    );
    const message = (i: number) => {
      const m = encodeValidated(salesStream, schemaId, sales[i]!);
      return { ...m, headers: { [SOURCE_HEADER]: `test:${i}` } };
    };
    await sendAll(p.producer, [
      { topic: topics.validated, messages: sales.map((_, i) => message(i)) },
    ]);
    // The same lines again at new offsets, as an ingest that crashed before committing would send them.
    await sendAll(p.producer, [
      { topic: topics.validated, messages: sales.slice(0, 2_000).map((_, i) => message(i)) },
    ]);
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await ch.close();
    await p.close();
  });

  it('stores each line once across a kill -9 mid-batch and a restart', async () => {
    const db = p.config.clickhouseDatabase;
    const victim = startSink();
    await eventually(
      async () =>
        Number((await one(`SELECT count() AS v FROM ${db}.sales`)) || 0) > 5_000 ? true : undefined,
      120_000,
      'the sink to start writing',
    );
    await stopChild(victim, 'SIGKILL');
    const atCrash = Number(await one(`SELECT count() AS v FROM ${db}.sales`));
    expect(atCrash).toBeLessThan(sales.length);
    startSink();
    await eventually(
      async () =>
        (await one(`SELECT toString(count()) AS v FROM ${db}.sales`)) === String(sales.length)
          ? true
          : undefined,
      120_000,
      'every line stored',
    );
    // Let the duplicate tail be read (and committed) too, then check nothing doubled anywhere.
    await committedToEnd(`${p.config.kafkaGroupId}.sink`, [
      salesTopics(p.config.kafkaSalesTopic).validated,
    ]);
    expect(await one(`SELECT toString(count()) AS v FROM ${db}.sales`)).toBe(String(sales.length));
    expect(await one(`SELECT toString(sum(revenue_cents)) AS v FROM ${db}.sales`)).toBe(
      expectedCents.toString(),
    );
    expect(
      await one(`SELECT toString(sum(revenue_cents)) AS v FROM ${db}.sales_by_product_key_daily`),
    ).toBe(expectedCents.toString());
    expect(
      await one(`SELECT toString(sum(quantity)) AS v FROM ${db}.sales_by_product_key_daily`),
    ).toBe(String(expectedItems));
    expect(
      await one(`SELECT toString(sum(quantity)) AS v FROM ${db}.sales_by_product_key_monthly`),
    ).toBe(String(expectedItems));
    expect(
      await one(`SELECT toString(sum(quantity)) AS v FROM ${db}.sales_by_product_key_yearly`),
    ).toBe(String(expectedItems));
    expect(
      await one(`SELECT toString(sum(quantity)) AS v FROM ${db}.sales_by_product_key_weekly`),
    ).toBe(String(expectedItems));
    // Only ids that are not canonical decimals need their key mapped back.
    const hashedIds = new Set(
      sales.map((s) => s.ID_PRODUCT).filter((id) => !/^(0|[1-9]\d{0,17})$/.test(id)),
    );
    expect(await one(`SELECT toString(uniqExact(product_id)) AS v FROM ${db}.product_keys`)).toBe(
      String(hashedIds.size),
    );
    expect(await one(`SELECT toString(sum(lines)) AS v FROM ${db}.sales_by_category_daily`)).toBe(
      String(sales.length),
    );
    expect(
      await one(`SELECT toString(sum(revenue_cents)) AS v FROM ${db}.sales_by_countries_daily`),
    ).toBe(expectedCents.toString());
    const orders = new Set(sales.map((s) => `${s.ID_SELLER}/${s.ID_ORDER}`)).size;
    expect(
      await one(
        `SELECT toString(sum(n)) AS v FROM (SELECT seller_id, uniqExactMerge(orders) AS n FROM ${db}.seller_orders_daily GROUP BY seller_id)`,
      ),
    ).toBe(String(orders));

    // The sink's refresher catches the repeat-buyer flags up with what it committed, and the
    // endpoint's query answers from them as the raw lines do.
    const a = analytics(ch, db);
    const covered = (table: string) =>
      `SELECT toString(sum(m)) AS v FROM (SELECT maxMerge(max_offset) AS m FROM ${db}.${table} GROUP BY topic, partition)`;
    await eventually(
      async () =>
        (await one(covered('buyer_flags_progress'))) ===
        (await one(covered('sales_touch_positions')))
          ? true
          : undefined,
      60_000,
      'the flags to cover every stored line',
    );
    for (const week of ['2025-01-01', '2025-01-20', '2025-02-10']) {
      const weeks = parseTwoWeeks({ week_start: week });
      const { from, ...ours } = await repeatBuyers(a, weeks);
      expect(from).toBe('flags');
      const line = (d: string) => `toDate(paid_at) ${d}`;
      const [r] = await (
        await ch.query({
          query: `SELECT toString(count()) AS buyers, toString(sum(w1)) AS w1, toString(sum(w2)) AS w2 FROM (
            SELECT buyer_id, uniqExact(order_id) AS n,
                   sumIf(revenue_cents, ${line(`<= '${weeks.week1.last}'`)}) AS w1,
                   sumIf(revenue_cents, ${line(`>= '${weeks.week2.first}'`)}) AS w2
            FROM ${db}.sales WHERE ${line(`>= '${weeks.week1.first}'`)} AND ${line(`<= '${weeks.week2.last}'`)}
            GROUP BY buyer_id HAVING n >= 2)`,
          format: 'JSONEachRow',
        })
      ).json<{ buyers: string; w1: string; w2: string }>();
      expect(ours, week).toEqual({
        buyers: Number(r?.buyers),
        week1_cents: BigInt(r?.w1 ?? 0),
        week2_cents: BigInt(r?.w2 ?? 0),
      });
    }

    // And the seller order days: top_suppliers then counts from their first-day sums.
    await eventually(
      async () =>
        (await one(covered('seller_days_progress'))) ===
        (await one(covered('sales_touch_positions')))
          ? true
          : undefined,
      60_000,
      'the seller order days to cover every stored line',
    );
    for (const [first, last] of [
      ['2025-01-01', '2025-01-31'],
      ['2025-01-10', '2025-02-20'],
      [null, null],
    ] as const) {
      const top = await topSuppliers(a, { first, last }, 20);
      expect(top.from).toBe('firsts');
      const expected = await (
        await ch.query({
          query: `SELECT seller_id, toString(uniqExact(order_id)) AS n, toString(sum(revenue_cents)) AS r
            FROM ${db}.sales WHERE toDate(paid_at) >= '${first ?? '1970-01-01'}' AND toDate(paid_at) <= '${last ?? '2105-12-31'}'
            GROUP BY seller_id ORDER BY uniqExact(order_id) DESC, seller_id ASC LIMIT 20`,
          format: 'JSONEachRow',
        })
      ).json<{ seller_id: string; n: string; r: string }>();
      expect(expected.length).toBeGreaterThan(0);
      expect(
        top.sellers.map((x) => ({ seller_id: x.seller_id, n: String(x.order_count), r: String(x.revenue_cents) })), // prettier-ignore
        `${first}..${last}`,
      ).toEqual(expected);
    }
  }, 300_000);
});
