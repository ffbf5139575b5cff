import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../domain/stock-engine.js';
import { registerMovementSchema, validatedMessage } from '../../ingest/movement-codec.js';
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
import { testLogger } from '../../testkit/resources.js';

// Two processors, two partitions, one stock row: a departure is put on hold in
// one transaction while another, applying a stock count for the same stock,
// waits for that row's lock. The count's transaction could not see the hold
// when it looked for held departures, so it must serve it after committing.
describe('a hold committed while a stock count waits for the lock', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await createPipeline();
  });
  afterAll(() => p.close());

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
    await a.query('BEGIN');
    await lockOffset(a, group, p.topics.validated, 0);
    const state = await lockStateForEvents(a, [departure]);
    const held = applyBatch([departure], state, { now: Date.now(), graceMs });
    await saveBatch(a, held, p.topics, state.movements);
    await saveOffset(a, group, p.topics.validated, 0, 1n);

    // Processor B: the count, through the real handler; it blocks on the stock row.
    const schemaId = await registerMovementSchema(p.runtime.schemaRegistry, p.topics.validated);
    const message = validatedMessage(schemaId, count);
    const kafkaMessage = {
      ...message,
      offset: '0',
      timestamp: '0',
      attributes: 0,
      size: 0,
    } as unknown as KafkaMessage;
    const handler = movementBatchHandler({
      pool: p.runtime.pool,
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
    await new Promise((resolve) => setTimeout(resolve, 300)); // B is now waiting for A's stock lock
    await a.query('COMMIT');
    a.release();
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
