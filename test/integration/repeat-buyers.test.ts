import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTwoWeeks } from '../../api/analytics/params.js';
import { repeatBuyers } from '../../api/analytics/queries/repeat-buyers.js';
import { analytics, rows, type Analytics } from '../../api/analytics/queries/run.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import type { Pool } from '../../lib/postgres/pool.js';
import {
  refreshBuyers,
  refreshRepeatFlags,
  REPEAT_FLAGS_LOCK_KEY,
  type RepeatFlagsDeps,
} from '../../processors/sink/repeat-flags.js';
import { createMigratedClickHouse, type createTestClickHouse } from '../../testkit/resources.js';

// repeat-buyers from the per-(buyer, day) flags the sink's refresher keeps: equal to the question
// asked of the raw lines for every window, before the first refresh, with lines the flags do not
// cover yet, after a refresh, and after a refresh repeated as after a crash.

const DAY = 86_400;
const DAY0 = Date.parse('2025-01-01T00:00:00Z') / 1000;
// Ids a TSV body or an external table could mangle.
const BUYERS = [
  ...Array.from({ length: 120 }, (_, i) => `B${i}`),
  'tab\there',
  'new\nline',
  'back\\slash',
  "quote'd",
  'Ünïcødé',
];

describe('repeat-buyers from refreshed flags', () => {
  let stores: Awaited<ReturnType<typeof createMigratedClickHouse>>;
  let chDb: ReturnType<typeof createTestClickHouse>;
  let pool: Pool;
  let a: Analytics;
  let deps: RepeatFlagsDeps;
  let offset = 0;
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  /** `orders` random orders (1–3 lines, now and then a line a few days later), as the sink stores them. */
  const insertOrders = async (orders: number, prefix: string) => {
    const lines: Record<string, unknown>[] = [];
    for (let o = 0; o < orders; o++) {
      const buyer = pick(BUYERS);
      const paid = DAY0 + Math.floor(rand() * 50 * DAY);
      const count = 1 + Math.floor(rand() * 3);
      for (let l = 0; l < count; l++) {
        const at = rand() < 0.15 ? paid + Math.floor(rand() * 5) * DAY : paid;
        const partition = offset % 2;
        lines.push({
          source_id: `t:${partition}:${offset}`,
          order_id: `${prefix}${o}`,
          buyer_id: buyer,
          product_id: 'p',
          paid_at: at,
          revenue_cents: 1 + Math.floor(rand() * 10_000),
          quantity: 1,
          _topic: 'sales.validated',
          _partition: partition,
          _offset: offset++,
        });
      }
    }
    await chDb.client.insert({ table: `${chDb.name}.sales`, values: lines, format: 'JSONEachRow' });
  };
  /** What the sink records once an insert is acknowledged (processors/sink/sink-handler.ts). */
  const commit = () =>
    chDb.client.command({
      query: `INSERT INTO ${chDb.name}.sink_commits SELECT topic, partition, max_offset FROM ${chDb.name}.sink_positions`,
    });

  const raw = async (weekStart: string) => {
    const w = parseTwoWeeks({ week_start: weekStart });
    const [r] = await rows<{ buyers: string; w1: string; w2: string }>(
      a,
      sql`SELECT toString(count()) AS buyers, toString(sum(w1)) AS w1, toString(sum(w2)) AS w2 FROM (
          SELECT buyer_id, uniqExact(order_id) AS n,
                 sumIf(revenue_cents, toDate(paid_at) <= ${ch.date(w.week1.last)}) AS w1,
                 sumIf(revenue_cents, toDate(paid_at) >= ${ch.date(w.week2.first)}) AS w2
          FROM ${a.db}.sales
          WHERE toDate(paid_at) >= ${ch.date(w.week1.first)} AND toDate(paid_at) <= ${ch.date(w.week2.last)}
          GROUP BY buyer_id HAVING n >= 2)`,
    );
    return { buyers: Number(r?.buyers), week1_cents: BigInt(r?.w1 ?? 0), week2_cents: BigInt(r?.w2 ?? 0) }; // prettier-ignore
  };
  const WEEKS = [
    '2024-12-25',
    '2025-01-01',
    '2025-01-09',
    '2025-01-20',
    '2025-02-03',
    '2025-02-15',
  ];
  /** Every window's answer, and where it came from. */
  const answers = async () => {
    const out: { week: string; from: string; equal: boolean }[] = [];
    for (const week of WEEKS) {
      const { from, ...ours } = await repeatBuyers(a, parseTwoWeeks({ week_start: week }));
      const expected = await raw(week);
      expect(ours, week).toEqual(expected);
      out.push({ week, from, equal: true });
    }
    return new Set(out.map((o) => o.from));
  };

  beforeAll(async () => {
    stores = await createMigratedClickHouse();
    ({ chDb, pool } = stores);
    a = analytics(chDb.client, chDb.name);
    deps = { ...stores.refresher, buyersPerRound: 40 /* several rounds */ };
    await insertOrders(900, 'A');
  });
  afterAll(async () => {
    await stores?.drop();
  });

  it('answers from the daily states before the first refresh, and from the flags after', async () => {
    expect(await answers()).toEqual(new Set(['daily']));
    // Nothing committed yet: the refresher only covers what the sink has acknowledged.
    expect(await refreshRepeatFlags(deps)).toEqual({ ran: true, buyers: 0, rowsWritten: 0 });
    await commit();
    const first = await refreshRepeatFlags(deps);
    expect(first.ran).toBe(true);
    expect(first.buyers).toBe(BUYERS.length);
    expect(await answers()).toEqual(new Set(['flags']));
  });

  it('stays exact with lines the flags do not cover yet, then covers them', async () => {
    await insertOrders(150, 'B'); // stored, not committed, not refreshed
    expect(await answers()).toEqual(new Set(['flags']));
    await commit();
    expect(await answers()).toEqual(new Set(['flags']));
    const second = await refreshRepeatFlags(deps);
    expect(second.buyers).toBeGreaterThan(0);
    expect(second.buyers).toBeLessThanOrEqual(BUYERS.length);
    expect(await answers()).toEqual(new Set(['flags']));
  });

  it('writes nothing when a refresh runs again, as after a crash before its progress', async () => {
    expect(await refreshBuyers(deps, BUYERS)).toBe(0);
    const [bad] = await rows<{ n: string }>(
      a,
      sql`SELECT toString(count()) AS n FROM (
          SELECT sum(sign) AS s FROM ${a.db}.buyer_day_flags
          GROUP BY day, buyer_id, multi, prev_other, next_other, prev_any, revenue_cents
          HAVING s NOT IN (0, 1))`,
    );
    expect(bad?.n).toBe('0');
    expect(await refreshRepeatFlags(deps)).toEqual({ ran: true, buyers: 0, rowsWritten: 0 });
  });

  it('records no progress when stopped between rounds, so the next refresh does the work', async () => {
    await insertOrders(60, 'S');
    await commit();
    const stopped = await refreshRepeatFlags(deps, () => true);
    expect(stopped).toEqual({ ran: true, buyers: 0, rowsWritten: 0 });
    expect((await refreshRepeatFlags(deps)).buyers).toBeGreaterThan(0);
    expect(await answers()).toEqual(new Set(['flags']));
  });

  it('lets one refresher run at a time', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [REPEAT_FLAGS_LOCK_KEY]);
      await insertOrders(20, 'C');
      await commit();
      expect((await refreshRepeatFlags(deps)).ran).toBe(false);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    expect((await refreshRepeatFlags(deps)).buyers).toBeGreaterThan(0);
    expect(await answers()).toEqual(new Set(['flags']));
  });
});
