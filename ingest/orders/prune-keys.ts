// Idempotency keys are kept ORDER_IDEMPOTENCY_HOURS (at least 24 h, as the
// IETF draft and Stripe keep them), then forgotten by an hourly job on the job
// queue, so the table holds about a day of keyed requests, not all of them.
import type { CronItem, Task } from 'graphile-worker';
import type { Logger } from '../../lib/logger.js';
import { pruneKeys } from '../../lib/postgres/idempotency-keys.js';
import type { Pool } from '../../lib/postgres/pool.js';

export const PRUNE_KEYS_TASK = 'stockflow_prune_idempotency_keys';

/** Hourly, at a minute away from the top of the hour that other schedules favour. */
export const pruneKeysCron: CronItem = {
  task: PRUNE_KEYS_TASK,
  match: '17 * * * *',
  identifier: PRUNE_KEYS_TASK,
  // A process starting after a missed hour runs it then (one hour of back-fill, one run: each
  // run deletes everything past its age).
  options: { queueName: PRUNE_KEYS_TASK, maxAttempts: 3, backfillPeriod: 60 * 60 * 1000 },
};

export function pruneKeysTask(pool: Pool, keepHours: number, logger: Logger): Task {
  return async () => {
    const deleted = await pruneKeys(pool, keepHours);
    logger.info({ deleted, keep_hours: keepHours }, 'idempotency keys pruned');
  };
}
