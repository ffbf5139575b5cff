import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analytics, rows, type Analytics } from '../../api/analytics/queries/run.js';
import { topSuppliers } from '../../api/analytics/queries/top-suppliers.js';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import { createPipeline, type Pipeline } from '../../testkit/pipeline-harness.js';

// top_suppliers counts exactly only the sellers with the highest upper bounds. Here 25 sellers'
// bounds are inflated: each has one order whose lines arrive in 45 separate inserts (the monthly
// bound adds the distinct orders of each insert), so the first sellers counted all turn out to
// have one order, and the query must count more before it may answer.

const HONEST_DAY = '2025-04-10';
const SPLIT_DAY = '2025-04-20';
const at = (day: string) => Date.parse(`${day}T12:00:00Z`) / 1000;

describe('top_suppliers: exact counts from upper bounds', () => {
  let p: Pipeline;
  let clickhouse: ClickHouseClient;
  let a: Analytics;
  let line = 0;

  const insert = (lines: { seller: string; order: string; day: string }[]) =>
    clickhouse.insert({
      table: `${p.config.clickhouseDatabase}.sales`,
      values: lines.map((l) => ({
        source_id: `t:0:${line++}`,
        order_id: l.order,
        seller_id: l.seller,
        product_id: 'p',
        paid_at: at(l.day),
        revenue_cents: 100,
        quantity: 1,
      })),
      format: 'JSONEachRow',
    });

  beforeAll(async () => {
    p = await createPipeline();
    clickhouse = createClickHouse({ url: p.config.clickhouseUrl });
    a = analytics(clickhouse, p.config.clickhouseDatabase);
    // 40 sellers with 1..40 orders of two lines, plus two ties at 38, in one insert.
    const honest: { seller: string; order: string; day: string }[] = [];
    const sellers = Array.from({ length: 40 }, (_, i) => [`honest-${i + 1}`, i + 1] as const);
    for (const [seller, orders] of [...sellers, ['tie-a', 38], ['tie-b', 38]] as const)
      for (let o = 0; o < orders; o++)
        for (let l = 0; l < 2; l++)
          honest.push({ seller, order: `${seller}/${o}`, day: HONEST_DAY });
    await insert(honest);
    for (let block = 0; block < 45; block++) {
      await insert(
        Array.from({ length: 25 }, (_, s) => ({
          seller: `split-${s}`,
          order: `split-${s}/only`,
          day: SPLIT_DAY,
        })),
      );
    }
  });
  afterAll(async () => {
    await clickhouse.close();
    await p.close();
  });

  const raw = async (first: string, last: string, limit: number) =>
    (
      await rows<{ seller_id: string; n: string }>(
        a,
        sql`SELECT seller_id, toString(uniqExact(order_id)) AS n FROM ${a.db}.sales
          WHERE toDate(paid_at) >= ${ch.date(first)} AND toDate(paid_at) <= ${ch.date(last)}
          GROUP BY seller_id ORDER BY uniqExact(order_id) DESC, seller_id ASC LIMIT ${ch.uint(limit)}`,
      )
    ).map((r) => [r.seller_id, Number(r.n)]);

  const ours = async (first: string | null, last: string | null, limit: number) => {
    const top = await topSuppliers(a, { first, last }, limit);
    // No refresher runs here: the first-day sums never cover these lines.
    expect(top.from).toBe('states');
    return top.sellers.map((s) => [s.seller_id, s.order_count]);
  };

  it('answers exactly over a whole month where the first bounds are inflated', async () => {
    const bounds = await rows<{ n: string }>(
      a,
      sql`SELECT toString(sum(orders_upper)) AS n FROM ${a.db}.seller_orders_monthly_upper WHERE seller_id = 'split-0'`,
    );
    expect(bounds[0]?.n).toBe('45'); // the bound really is loose: one order
    for (const limit of [1, 3, 5, 30]) {
      expect(await ours('2025-04-01', '2025-04-30', limit), `limit ${limit}`).toEqual(
        await raw('2025-04-01', '2025-04-30', limit),
      );
    }
    expect(await ours('2025-04-01', '2025-04-30', 4)).toEqual([
      ['honest-40', 40],
      ['honest-39', 39],
      ['honest-38', 38],
      ['tie-a', 38],
    ]);
  });

  it('answers exactly over open ranges and partial months', async () => {
    expect(await ours(null, null, 5)).toEqual(await raw('1970-01-01', '2105-12-31', 5));
    expect(await ours('2025-04-10', '2025-04-20', 3)).toEqual(
      await raw('2025-04-10', '2025-04-20', 3),
    );
    expect(await ours(SPLIT_DAY, SPLIT_DAY, 3)).toEqual(await raw(SPLIT_DAY, SPLIT_DAY, 3));
    // Up to a week is counted in one query over every seller; eight days go through the bounds.
    for (const [first, last] of [
      ['2025-04-08', '2025-04-14'],
      ['2025-04-14', '2025-04-21'],
    ] as const) {
      for (const limit of [3, 30]) {
        expect(await ours(first, last, limit), `${first}..${last} ${limit}`).toEqual(
          await raw(first, last, limit),
        );
      }
    }
    expect(await ours('2025-05-01', null, 5)).toEqual([]);
  });
});
