// GET /orders/metrics and /orders/status, each a few index-backed statements:
// finished orders from the totals the orders role keeps (migration 0008),
// unfinished ones from their partial index, quantiles over the latest
// finished orders, the last minute from the created_at index.
import type { Pool } from '../../lib/postgres/pool.js';

/** How many of the latest finished orders the processing-time quantiles cover. */
export const QUANTILE_WINDOW = 10_000;

export interface OrderMetrics {
  readonly average_processing_time_seconds: number;
  readonly order_status_counts: {
    readonly pending: number;
    readonly processing: number;
    readonly completed: number;
    readonly failed: number;
  };
  readonly total_orders: number;
  readonly processing_time_seconds: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
    readonly over_latest: number;
  };
  readonly orders_per_second_last_minute: number;
}

export async function orderMetrics(pool: Pool): Promise<OrderMetrics> {
  const r = await pool.query<{
    pending: number;
    processing: number;
    completed: number;
    failed: number;
    completed_seconds: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    over: number;
    last_minute: number;
  }>(
    `SELECT
       (SELECT count(*) FROM orders WHERE status = 'pending')::float8 AS pending,
       (SELECT count(*) FROM orders WHERE status = 'processing')::float8 AS processing,
       (SELECT orders FROM order_totals WHERE status = 'completed')::float8 AS completed,
       (SELECT orders FROM order_totals WHERE status = 'failed')::float8 AS failed,
       (SELECT processing_seconds FROM order_totals WHERE status = 'completed') AS completed_seconds,
       q.p50, q.p95, q.p99, q.over,
       (SELECT count(*) FROM orders WHERE created_at > now() - interval '1 minute')::float8 AS last_minute
     FROM (
       SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY s) AS p95,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99,
              count(*)::float8 AS over
         FROM (SELECT extract(epoch FROM completed_at - created_at)::float8 AS s FROM orders
                WHERE completed_at IS NOT NULL AND status = 'completed'
                ORDER BY completed_at DESC LIMIT $1) latest
     ) q`,
    [QUANTILE_WINDOW],
  );
  const row = r.rows[0]!;
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);
  const counts = {
    pending: row.pending,
    processing: row.processing,
    completed: row.completed,
    failed: row.failed,
  };
  return {
    average_processing_time_seconds:
      row.completed === 0 ? 0 : (round(row.completed_seconds / row.completed) ?? 0),
    order_status_counts: counts,
    total_orders: counts.pending + counts.processing + counts.completed + counts.failed,
    processing_time_seconds: {
      p50: round(row.p50),
      p95: round(row.p95),
      p99: round(row.p99),
      over_latest: row.over,
    },
    orders_per_second_last_minute: Math.round((row.last_minute / 60) * 1000) / 1000,
  };
}

export interface QueueStatus {
  readonly queue_length: number;
  readonly pending_orders: readonly string[];
  readonly total_processed: number;
  readonly oldest_pending_age_seconds: number | null;
}

export async function queueStatus(pool: Pool): Promise<QueueStatus> {
  const r = await pool.query<{
    queue: number;
    oldest: string[] | null;
    processed: number;
    age: number | null;
  }>(
    `SELECT
       (SELECT count(*) FROM orders WHERE status IN ('pending', 'processing'))::float8 AS queue,
       (SELECT array_agg(order_id ORDER BY created_at, order_id) FROM (
          SELECT order_id, created_at FROM orders WHERE status IN ('pending', 'processing')
           ORDER BY created_at, order_id LIMIT 10) o) AS oldest,
       (SELECT sum(orders) FROM order_totals)::float8 AS processed,
       (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM orders
         WHERE status IN ('pending', 'processing')) AS age`,
  );
  const row = r.rows[0]!;
  return {
    queue_length: row.queue,
    pending_orders: row.oldest ?? [],
    total_processed: row.processed,
    oldest_pending_age_seconds: row.age === null ? null : Math.round(row.age * 1000) / 1000,
  };
}

/** Messages of the accepted topic the orders role has not settled yet, per partition. */
export async function workerLag(
  pool: Pool,
  groupId: string,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
): Promise<{ partition: number; lag: number }[]> {
  const r = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
    [groupId, topic],
  );
  const done = new Map(r.rows.map((row) => [row.partition, BigInt(row.next_offset)]));
  return [...ends]
    .sort(([a], [b]) => a - b)
    .map(([partition, end]) => ({ partition, lag: Number(end - (done.get(partition) ?? 0n)) }));
}
