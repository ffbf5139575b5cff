import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../domain/stock-engine.js';
import { encodeValidated, registerStreamSchema } from '../../ingest/codec.js';
import { movementsStream } from '../../ingest/streams/index.js';
import { createRegistry } from '../../lib/metrics.js';
import { processorMetrics } from '../../processors/metrics.js';
import { movementBatchHandler } from '../../processors/movement-processor.js';
import {
  lockOffset,
  lockStateForEvents,
  saveBatch,
  saveOffset,
} from '../../processors/movement-store.js';
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import { createPipeline, type Pipeline } from '../../testkit/pipeline-harness.js';
import { randomName, testLogger } from '../../testkit/resources.js';

/**
 * Polls `pg_stat_activity` until a session named `app` waits for a lock that
 * `holder` (a backend pid) holds. Fails when `work` settles first or the time
 * is up: then the two transactions never raced.
 */
async function blockedBy(
  pool: pg.Pool,
  app: string,
  holder: number,
  work: Promise<unknown>,
  timeoutMs = 20_000,
): Promise<void> {
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sessions = await pool.query<{ wait_event_type: string | null; blockers: number[] }>(
      `SELECT wait_event_type, pg_blocking_pids(pid) AS blockers
       FROM pg_stat_activity WHERE application_name = $1`,
      [app],
    );
    if (sessions.rows.some((s) => s.wait_event_type === 'Lock' && s.blockers.includes(holder)))
      return;
    if (settled) throw new Error(`${app} finished without waiting for a lock of pid ${holder}`);
    if (Date.now() > deadline)
      throw new Error(`${app} did not wait for a lock of pid ${holder} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

// Two processors, two partitions, one stock row: a departure is put on hold in
// one transaction while another, applying a stock count for the same stock,
// waits for that row's lock. The count's transaction could not see the hold
// when it looked for held departures, so it must serve it after committing.
// The test releases A only once Postgres shows B waiting for A's lock.
describe('a hold committed while a stock count waits for the lock', () => {
  let p: Pipeline;
  let bPool: pg.Pool;
  // B's own pool, named, so that its session can be found in pg_stat_activity.
  const bName = randomName('race_b');
  beforeAll(async () => {
    p = await createPipeline();
    bPool = new pg.Pool({ connectionString: p.env.DATABASE_URL, application_name: bName, max: 2 });
  });
  afterAll(async () => {
    await bPool?.end();
    await p?.close();
  });

  it('is served at once, not left to its grace period', async () => {
    const warehouse = uuidOf(20, 1);
    const departure = movementEvent('departure', {
      movement: uuidOf(21, 1),
      warehouse,
      quantity: 5,
    });
    const count = movementEvent('inventory', { movement: uuidOf(22, 1), warehouse, quantity: 8 });
    const group = `${p.config.kafkaGroupId}.process`;
    const graceMs = 300_000;

    // Processor A: the departure, in a transaction left open.
    const a = await p.runtime.pool.connect();
    const aPid = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await a.query('BEGIN');
    await lockOffset(a, group, p.topics.validated, 0);
    const state = await lockStateForEvents(a, [departure]);
    const held = applyBatch([departure], state, { now: Date.now(), graceMs });
    await saveBatch(a, held, p.topics, state.movements);
    await saveOffset(a, group, p.topics.validated, 0, 1n);

    // Processor B: the count, through the real handler; it blocks on the stock row.
    const schemaId = await registerStreamSchema(
      p.runtime.schemaRegistry,
      movementsStream,
      p.topics.validated,
    );
    const message = encodeValidated(movementsStream, schemaId, count);
    const kafkaMessage = {
      ...message,
      offset: '0',
      timestamp: '0',
      attributes: 0,
      size: 0,
    } as unknown as KafkaMessage;
    const handler = movementBatchHandler({
      pool: bPool,
      registry: p.runtime.schemaRegistry,
      producer: p.producer,
      topics: p.topics,
      groupId: group,
      logger: testLogger,
      metrics: processorMetrics(createRegistry()),
      graceMs,
      batchSize: 100,
    });
    const b = handler({ topic: p.topics.validated, partition: 1, messages: [kafkaMessage] }, () =>
      Promise.resolve(),
    );
    try {
      await blockedBy(p.runtime.pool, bName, aPid, b);
    } finally {
      await a.query('COMMIT');
      a.release();
    }
    await b;

    const m = await p.runtime.pool.query<{ status: string }>(
      'SELECT status FROM movements WHERE movement_id = $1',
      [departure.data.movement_id],
    );
    expect(m.rows[0]?.status).toBe('in_transit');
    const s = await p.runtime.pool.query<{ quantity: string }>(
      'SELECT quantity FROM stock WHERE warehouse_id = $1',
      [warehouse],
    );
    expect(s.rows[0]?.quantity).toBe('3');
  });
});
