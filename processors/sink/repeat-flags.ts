import {
  buyerDayFlags,
  type BuyerDay,
  type BuyerDayFlags,
} from '../../domain/repeat-buyer-flags.js';
import { selectWithExternalTable } from './external-table.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import {
  progressInsertSql,
  touchedBuyersSql,
  uncoveredRanges,
  type TouchRange,
} from '../../lib/clickhouse/sales-touches.js';
import { positions, withAdvisoryLock, writeSignedDelta, type RefresherDeps } from './refresher.js';
import { TsvBuffer, tsvDay, tsvValue } from './tsv.js';

// Keeps `buyer_day_flags` (sql/clickhouse/0007) current: the buyers whose sale lines the sink
// has committed since the last run get their flags recomputed from all their lines in `sales`,
// and only the rows that changed are written (a cancel and the new version, in one insert per
// group of buyers). Rerunning after a crash rewrites nothing: the difference is then empty.

export interface RepeatFlagsDeps extends RefresherDeps {
  /** Buyers recomputed per round trip (bounds the rows held in memory). */
  readonly buyersPerRound?: number;
}

export interface RefreshResult {
  /** Whether this process held the lock (another refresher may have run instead). */
  readonly ran: boolean;
  readonly buyers: number;
  /** Flag rows written: cancels and new versions. */
  readonly rowsWritten: number;
}

/** The Postgres advisory lock a refresh holds (a transaction-scoped one). */
export const REPEAT_FLAGS_LOCK_KEY = 0x5f_7e_f1_a9;

/** What the flags must cover next: committed lines past the progress, per topic partition. */
async function pending(deps: RepeatFlagsDeps): Promise<TouchRange[]> {
  const p = await positions(deps, [
    'sales_touch_positions',
    'sink_commits',
    'buyer_flags_progress',
  ]);
  // Only lines the sink has committed (their insert, and every view, is complete): every range
  // ends at a commit, so its `upTo` is set.
  return uncoveredRanges(p.sales_touch_positions, p.buyer_flags_progress, p.sink_commits);
}

/** The buyers with lines in the ranges, sorted. */
async function touchedBuyers(
  deps: RepeatFlagsDeps,
  ranges: readonly TouchRange[],
): Promise<string[]> {
  const result = await deps.clickhouse.query({
    query: touchedBuyersSql(ch.identifier(deps.database), ranges).text,
    format: 'JSONEachRow',
  });
  return (await result.json<{ buyer_id: string }>()).map((r) => r.buyer_id).sort();
}

const buyerTable = (buyers: readonly string[]) => {
  const data = new TsvBuffer(buyers.length * 12);
  for (const b of buyers) data.text(`${tsvValue(b)}\n`);
  return { name: 'buyers', structure: 'buyer_id String', data: data.body() };
};

/** A flag row as TSV (without the sign): the identity the difference is taken on. */
const flagLine = (buyer: string, f: BuyerDayFlags) =>
  `${tsvDay(f.day)}\t${tsvValue(buyer)}\t${f.multi ? 1 : 0}\t${f.prevOther}\t${f.nextOther}\t${f.prevAny}\t${f.revenueCents}`;

/** Recomputes the flags of `buyers` and writes what changed; returns the rows written. */
export async function refreshBuyers(
  deps: RepeatFlagsDeps,
  buyers: readonly string[],
): Promise<number> {
  if (buyers.length === 0) return 0;
  const db = ch.identifier(deps.database);
  const table = buyerTable(buyers);
  const [history, current] = await Promise.all([
    selectWithExternalTable<{
      buyer_id: string;
      day: number;
      lo: string;
      hi: string;
      cents: string;
    }>(
      deps.clickhouseUrl,
      sql`SELECT buyer_id, toUInt16(toDate(paid_at)) AS day, min(order_id) AS lo, max(order_id) AS hi,
          toString(sum(revenue_cents)) AS cents
        FROM ${db}.sales PREWHERE buyer_id IN (SELECT buyer_id FROM buyers)
        GROUP BY buyer_id, day ORDER BY buyer_id, day`,
      table,
      120_000,
    ),
    selectWithExternalTable<{
      buyer_id: string;
      day: number;
      multi: number;
      prev_other: number;
      next_other: number;
      prev_any: number;
      cents: string;
      n: string;
    }>(
      deps.clickhouseUrl,
      sql`SELECT buyer_id, toUInt16(day) AS day, multi, prev_other, next_other, prev_any,
          toString(revenue_cents) AS cents, toString(sum(sign)) AS n
        FROM ${db}.buyer_day_flags PREWHERE buyer_id IN (SELECT buyer_id FROM buyers)
        GROUP BY day, buyer_id, multi, prev_other, next_other, prev_any, revenue_cents
        HAVING sum(sign) != 0`,
      table,
      120_000,
    ),
  ]);
  // Desired count of each row (1) minus the stored count: the rows to write, signed.
  const delta = new Map<string, number>();
  for (const r of current) {
    const line = flagLine(r.buyer_id, {
      day: r.day,
      multi: r.multi === 1,
      prevOther: r.prev_other,
      nextOther: r.next_other,
      prevAny: r.prev_any,
      revenueCents: BigInt(r.cents),
    });
    delta.set(line, (delta.get(line) ?? 0) - Number(r.n));
  }
  let days: BuyerDay[] = [];
  const flush = (buyer: string) => {
    for (const f of buyerDayFlags(days)) {
      const line = flagLine(buyer, f);
      delta.set(line, (delta.get(line) ?? 0) + 1);
    }
    days = [];
  };
  let buyer: string | undefined;
  for (const r of history) {
    if (buyer !== undefined && r.buyer_id !== buyer) flush(buyer);
    buyer = r.buyer_id;
    days.push({ day: r.day, minOrder: r.lo, maxOrder: r.hi, revenueCents: BigInt(r.cents) });
  }
  if (buyer !== undefined) flush(buyer);
  return writeSignedDelta(
    deps,
    'buyer_day_flags',
    ['day', 'buyer_id', 'multi', 'prev_other', 'next_other', 'prev_any', 'revenue_cents', 'sign'],
    delta,
  );
}

/** One refresh: every buyer touched by committed lines the flags do not cover yet. */
export async function refreshRepeatFlags(
  deps: RepeatFlagsDeps,
  /** Checked between rounds: a stopped refresh records no progress, the next one redoes it. */
  stopping: () => boolean = () => false,
): Promise<RefreshResult> {
  const result = await withAdvisoryLock(deps.pool, REPEAT_FLAGS_LOCK_KEY, async () => {
    const ranges = await pending(deps);
    if (ranges.length === 0) return { ran: true, buyers: 0, rowsWritten: 0 };
    const buyers = await touchedBuyers(deps, ranges);
    const per = deps.buyersPerRound ?? 10_000;
    let rowsWritten = 0;
    for (let i = 0; i < buyers.length; i += per) {
      if (stopping()) return { ran: true, buyers: i, rowsWritten };
      rowsWritten += await refreshBuyers(deps, buyers.slice(i, i + per));
    }
    await deps.clickhouse.command({
      query: progressInsertSql(ch.identifier(deps.database), 'buyer_flags_progress', ranges).text,
    });
    return { ran: true, buyers: buyers.length, rowsWritten };
  });
  return result ?? { ran: false, buyers: 0, rowsWritten: 0 };
}
