import { ch, joinSql, sql, type Sql } from './sql.js';

// What the tables the sink's refreshers keep (repeat-buyer flags, sql/clickhouse/0007; seller
// order days, 0008) do not cover yet, as both the refreshers (what to do next) and the queries
// (whether, or for whom, to answer from the raw aggregates) need it: the lines of
// `sales_line_touches` past a refresher's progress, per topic partition.

/** The position tables, each holding the highest offset per topic partition as a max state. */
export type PositionTable =
  'sales_touch_positions' | 'sink_commits' | 'buyer_flags_progress' | 'seller_days_progress';

/** Highest offset by topic partition (`topic\0partition`). */
export type Positions = ReadonlyMap<string, { topic: string; partition: number; offset: bigint }>;

export interface TouchRange {
  readonly topic: string;
  readonly partition: number;
  /** Exclusive; null: from the first offset. */
  readonly after: bigint | null;
  /** Inclusive; null: up to the last stored offset. */
  readonly upTo: bigint | null;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** One query reading several position tables; `run` runs it (JSONEachRow rows). */
export async function readPositions<T extends PositionTable>(
  run: (query: Sql) => Promise<{ kind: string; topic: string; partition: number; o: string }[]>,
  db: Sql,
  tables: readonly T[],
): Promise<Record<T, Positions>> {
  const rows = await run(
    joinSql(
      tables.map(
        (t) => sql`SELECT ${ch.string(t)} AS kind, topic, partition,
          toString(maxMerge(max_offset)) AS o FROM ${db}.${ch.identifier(t)} GROUP BY topic, partition`,
      ),
      sql` UNION ALL `,
    ),
  );
  const out = {} as Record<T, Map<string, { topic: string; partition: number; offset: bigint }>>;
  for (const t of tables) out[t] = new Map();
  for (const r of rows) {
    out[r.kind as T].set(key(r.topic, r.partition), {
      topic: r.topic,
      partition: r.partition,
      offset: BigInt(r.o),
    });
  }
  return out;
}

/**
 * The offsets of `stored` past `covered`, per topic partition, and no further than `limit` where
 * it has a position for that partition (a partition it lacks is left out).
 */
export function uncoveredRanges(
  stored: Positions,
  covered: Positions,
  limit?: Positions,
): TouchRange[] {
  const out: TouchRange[] = [];
  for (const [k, s] of stored) {
    let upTo: bigint | null = null;
    if (limit) {
      const l = limit.get(k);
      if (!l) continue;
      upTo = l.offset < s.offset ? l.offset : s.offset;
    }
    const after = covered.get(k)?.offset ?? null;
    if (after !== null && (upTo ?? s.offset) <= after) continue;
    out.push({ topic: s.topic, partition: s.partition, after, upTo });
  }
  return out;
}

/** The lines of `sales_line_touches` in the ranges (at least one range): a WHERE condition. */
export function inRanges(ranges: readonly TouchRange[]): Sql {
  return joinSql(
    ranges.map(
      (r) =>
        sql`(topic = ${ch.string(r.topic)} AND partition = ${ch.uint(r.partition)}${
          r.after === null ? sql`` : sql` AND kafka_offset > ${ch.uint(r.after)}`
        }${r.upTo === null ? sql`` : sql` AND kafka_offset <= ${ch.uint(r.upTo)}`})`,
    ),
    sql` OR `,
  );
}

/** `SELECT DISTINCT buyer_id` of the touches in the ranges (at least one range). */
export function touchedBuyersSql(db: Sql, ranges: readonly TouchRange[], limit?: number): Sql {
  return sql`SELECT DISTINCT buyer_id FROM ${db}.sales_line_touches
    WHERE ${inRanges(ranges)}${limit === undefined ? sql`` : sql` LIMIT ${ch.uint(limit)}`}`;
}

/**
 * Each range's first `count` offsets (its whole length when shorter), so a refresher can work
 * through a backlog in bounded rounds. A range from the first offset counts from offset 0.
 */
export function firstOffsets(ranges: readonly TouchRange[], count: bigint): TouchRange[] {
  return ranges.map((r) => {
    const end = (r.after ?? -1n) + count;
    return { ...r, upTo: r.upTo === null || r.upTo > end ? end : r.upTo };
  });
}

/** Records that a refresher covers the ranges (each with its `upTo` set) in `table`. */
export function progressInsertSql(
  db: Sql,
  table: PositionTable,
  ranges: readonly TouchRange[],
): Sql {
  return sql`INSERT INTO ${db}.${ch.identifier(table)}
    SELECT topic, toUInt32(partition), maxState(toUInt64(o)) FROM (${joinSql(
      ranges.map((r) => {
        if (r.upTo === null) throw new Error('a recorded range needs its upTo');
        return sql`SELECT ${ch.string(r.topic)} AS topic, ${ch.uint(r.partition)} AS partition, ${ch.uint(r.upTo)} AS o`;
      }),
      sql` UNION ALL `,
    )}) GROUP BY topic, partition`;
}
