import { ch, joinSql, sql, type Sql } from './clickhouse-sql.js';

// The buyers whose sale lines the repeat-buyer flags do not cover yet (sql/clickhouse/0007), as
// both the sink's refresher (what to recompute) and the repeat-buyers query (what to group live)
// need them: the lines of `sales_buyer_touches` past `buyer_flags_progress`, per topic partition.

/** The position tables, each holding the highest offset per topic partition as a max state. */
export type PositionTable = 'sales_touch_positions' | 'sink_commits' | 'buyer_flags_progress';

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

/** `SELECT DISTINCT buyer_id` of the touches in the ranges (at least one range). */
export function touchedBuyersSql(db: Sql, ranges: readonly TouchRange[], limit?: number): Sql {
  const conditions = ranges.map(
    (r) =>
      sql`(topic = ${ch.string(r.topic)} AND partition = ${ch.uint(r.partition)}${
        r.after === null ? sql`` : sql` AND kafka_offset > ${ch.uint(r.after)}`
      }${r.upTo === null ? sql`` : sql` AND kafka_offset <= ${ch.uint(r.upTo)}`})`,
  );
  return sql`SELECT DISTINCT buyer_id FROM ${db}.sales_buyer_touches
    WHERE ${joinSql(conditions, sql` OR `)}${limit === undefined ? sql`` : sql` LIMIT ${ch.uint(limit)}`}`;
}
