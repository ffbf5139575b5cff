// The movement events the movements benchmark and the `movements` load-test scenario send
// through a pipeline: stock counts that cover every departure, then both legs of each movement.
import { ensureMovementTopics } from '../../lib/kafka/topics.js';
import type { Pipeline } from '../../testkit/pipeline-harness.js';
import { coveredWorkload } from '../../testkit/workload.js';

/** `n` legs (about n / 2 movements between 20 warehouses, of 100 products) and the counts first. */
export function eventsToProduce(n: number) {
  const workload = coveredWorkload({
    movements: Math.ceil(n / 2),
    warehouses: 20,
    products: 100,
    seed: 42,
  });
  return {
    counts: workload.counts.map((e) => JSON.stringify(e)),
    legs: workload.legs.slice(0, n).map((e) => JSON.stringify(e)),
    warehouses: [...new Set(workload.counts.map((e) => e.data.warehouse_id))],
    products: [...new Set(workload.counts.map((e) => e.data.product_id))],
    movementIds: [...new Set(workload.legs.slice(0, n).map((e) => e.data.movement_id))],
    movementId: workload.legs[0]?.data.movement_id ?? '',
  };
}

/**
 * Applies batches of raw events through the pipeline's own ingest and processor (in this
 * process), each committed before the next is produced (counts first, so every departure is
 * covered); the raw topic is made first (no auto-creation). Stops the roles when done.
 */
export async function applyMovementEvents(
  p: Pipeline,
  batches: readonly string[][],
  timeoutMs = 120_000,
): Promise<void> {
  const admin = p.runtime.kafka.admin();
  await admin.connect();
  try {
    await ensureMovementTopics(admin, p.topics, p.config.kafkaPartitions);
  } finally {
    await admin.disconnect();
  }
  for (const batch of batches) {
    await p.produceRaw(batch);
    const ingest = await p.startRole('ingest');
    const processor = await p.startRole('process');
    await p.caughtUp(timeoutMs);
    await processor.stop();
    await ingest.stop();
  }
}
