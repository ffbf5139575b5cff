// What the benchmark reads back: topic ends, processor retries, when movements completed.
import type { Admin } from 'kafkajs';
import type { Runtime } from '../../lib/runtime.js';
import { fmt, percentile } from '../bench/util.js';
import type { Row } from './report.js';

export async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

export const sum = (m: Map<number, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);

/** Transactions the processor retried (deadlocks, lock timeouts): a cause of lost throughput. */
export async function retries(instance: { runtime: Runtime }): Promise<number> {
  const metric = instance.runtime.metrics.getSingleMetric('stockflow_processor_retries_total');
  const values = (await metric?.get())?.values ?? [];
  return values.reduce((a, v) => a + v.value, 0);
}

/** Produce → start of the transaction that completed the movement (its `updated_at` is `now()`). */
export async function committedRow(rt: Runtime, sampled: [string, number][]): Promise<Row> {
  const res = await rt.pool.query<{ movement_id: string; at: Date }>(
    'SELECT movement_id, updated_at AS at FROM movements WHERE movement_id = ANY($1::uuid[])',
    [sampled.map(([id]) => id)],
  );
  const at = new Map(res.rows.map((row) => [row.movement_id, row.at.getTime()]));
  const ms = sampled
    .flatMap(([id, producedAt]) => (at.has(id) ? [at.get(id)! - producedAt] : []))
    .sort((a, b) => a - b);
  return {
    measure: 'produce → completing tx start',
    result: `p50 ${fmt(percentile(ms, 50))} ms, p99 ${fmt(percentile(ms, 99))} ms, max ${fmt(percentile(ms, 100))} ms`,
  };
}
