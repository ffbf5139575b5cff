import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { coveredWorkload, type Workload } from '../../testkit/workload.js';
import {
  createPipeline,
  eventually,
  topicSize,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { spawnStockflow, stopChild } from '../../testkit/stockflow-process.js';

async function assertExact(p: Pipeline, workload: Workload): Promise<void> {
  expect(await topicSize(p.topics.dlq)).toBe(0); // every event is valid: none dead-lettered
  const rows = await p.runtime.pool.query<{
    warehouse_id: string;
    product_id: string;
    quantity: string;
    ledger: string | null;
  }>(
    `SELECT s.warehouse_id, s.product_id, s.quantity,
            (SELECT sum(delta) FROM stock_ledger l WHERE l.warehouse_id = s.warehouse_id AND l.product_id = s.product_id) AS ledger
     FROM stock s`,
  );
  const actual = new Map(
    rows.rows.map((r) => [`${r.warehouse_id}/${r.product_id}`, Number(r.quantity)]),
  );
  expect(actual).toEqual(workload.expected);
  for (const r of rows.rows) expect(Number(r.ledger)).toBe(Number(r.quantity));
  // Each leg changed stock once: no (movement, reason) pair twice in the ledger.
  const twice = await p.runtime.pool.query(
    `SELECT movement_id, reason FROM stock_ledger GROUP BY movement_id, reason HAVING count(*) > 1`,
  );
  expect(twice.rows).toEqual([]);
  const statuses = await p.runtime.pool.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM movements GROUP BY status',
  );
  const movements = new Set(workload.legs.map((e) => e.data.movement_id)).size;
  expect(statuses.rows).toEqual([{ status: 'completed', n: String(movements) }]);
}

describe('exactly-once effect on Postgres', () => {
  let p: Pipeline | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) await stopChild(c, 'SIGKILL');
    await p?.close();
  });

  it('two processor instances in one group, joining mid-stream, keep stock exact', async () => {
    p = await createPipeline({ KAFKA_PARTITIONS: '4', PROCESSOR_BATCH_SIZE: '100' });
    const workload = coveredWorkload({ movements: 1500, warehouses: 6, products: 4, seed: 7 });
    await p.startRole('ingest');
    const first = await p.startRole('process');
    await p.produceRaw(workload.counts.map((e) => JSON.stringify(e)));
    await p.caughtUp();
    await p.produceRaw(workload.legs.slice(0, 1500).map((e) => JSON.stringify(e)));
    const second = await p.startRole('process'); // rebalance while work is in flight
    await p.produceRaw(workload.legs.slice(1500).map((e) => JSON.stringify(e)));
    await p.caughtUp(120_000);
    await assertExact(p, workload);
    await second.stop(); // and another rebalance: nothing changes
    await first.stop();
    // Longer than the 120 s it gives the catch-up through two rebalances on a loaded machine.
  }, 180_000);

  it('a processor killed mid-batch and restarted leaves stock exact', async () => {
    p = await createPipeline({ KAFKA_PARTITIONS: '3', PROCESSOR_BATCH_SIZE: '50' });
    const pipeline = p;
    const workload = coveredWorkload({ movements: 3000, warehouses: 5, products: 3, seed: 11 });
    await pipeline.startRole('ingest');
    const startProcessor = () => {
      const child = spawnStockflow(
        ['process'],
        { ...pipeline.env, PORT: '0', LOG_LEVEL: 'warn' },
        'ignore',
      );
      children.push(child);
      return child;
    };
    const first = startProcessor();
    await pipeline.produceRaw(workload.counts.map((e) => JSON.stringify(e)));
    await pipeline.caughtUp();
    expect(await stopChild(first, 'SIGTERM')).toBe(0);
    await pipeline.produceRaw(workload.legs.map((e) => JSON.stringify(e)));
    const total = workload.counts.length + workload.legs.length;
    const victim = startProcessor();
    const applied = async () => {
      const r = await pipeline.runtime.pool.query<{ n: string | null }>(
        'SELECT sum(next_offset) AS n FROM consumer_offsets',
      );
      return Number(r.rows[0]?.n ?? 0);
    };
    // Kill it hard somewhere in the middle of the backlog.
    await eventually(
      async () => ((await applied()) > total * 0.3 ? true : undefined),
      60_000,
      'progress',
    );
    await stopChild(victim, 'SIGKILL');
    const atCrash = await applied();
    expect(atCrash).toBeLessThan(total);
    await sleep(200);
    startProcessor();
    await pipeline.caughtUp(120_000);
    await assertExact(pipeline, workload);
    // Longer than the 60 s to progress and 120 s to catch up it allows itself.
  }, 240_000);
});
