import { ch, sql, type Sql } from '../../../lib/clickhouse/sql.js';
import { toCount } from '../money.js';
import type { DayRange } from '../params.js';
import { inDays, rows, type Analytics } from './run.js';

export interface RouteTransit {
  readonly sender_warehouse_id: string;
  readonly receiver_warehouse_id: string;
  readonly movements: number;
  readonly transit_p50_seconds: number;
  readonly transit_p90_seconds: number;
  readonly transit_p99_seconds: number;
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
}

/**
 * Completed movements per route arriving in the days: count, exact transit quantiles (seconds;
 * quantileExact picks the element at floor(level × n) of the sorted times, no interpolation),
 * units sent, received and lost on the way. Busiest routes first.
 */
export async function routeTransit(
  a: Analytics,
  days: DayRange,
  filter: { senderId: string | null; receiverId: string | null },
  limit: number,
): Promise<RouteTransit[]> {
  const conditions: Sql[] = [inDays(sql`day`, days)];
  if (filter.senderId !== null)
    conditions.push(sql`sender_warehouse_id = ${ch.string(filter.senderId)}`);
  if (filter.receiverId !== null) {
    conditions.push(sql`receiver_warehouse_id = ${ch.string(filter.receiverId)}`);
  }
  const where = conditions.reduce((acc, c) => sql`${acc} AND ${c}`);
  const result = await rows<{
    sender_warehouse_id: string;
    receiver_warehouse_id: string;
    movement_count: string;
    transit_seconds: string[];
    units_sent: string;
    units_received: string;
    units_lost: string;
  }>(
    a,
    sql`SELECT sender_warehouse_id, receiver_warehouse_id,
             countMerge(movements) AS movement_count,
             quantilesExactMerge(0.5, 0.9, 0.99)(transit) AS transit_seconds,
             sumMerge(sent) AS units_sent, sumMerge(received) AS units_received, sumMerge(lost) AS units_lost
      FROM ${a.db}.route_transit_daily WHERE ${where}
      GROUP BY sender_warehouse_id, receiver_warehouse_id
      ORDER BY movement_count DESC, sender_warehouse_id ASC, receiver_warehouse_id ASC
      LIMIT ${ch.uint(limit)}`,
  );
  return result.map((r) => ({
    sender_warehouse_id: r.sender_warehouse_id,
    receiver_warehouse_id: r.receiver_warehouse_id,
    movements: toCount(r.movement_count),
    transit_p50_seconds: toCount(r.transit_seconds[0]),
    transit_p90_seconds: toCount(r.transit_seconds[1]),
    transit_p99_seconds: toCount(r.transit_seconds[2]),
    sent: toCount(r.units_sent),
    received: toCount(r.units_received),
    lost: toCount(r.units_lost),
  }));
}
