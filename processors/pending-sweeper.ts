import { applyBatch } from '../domain/stock-engine.js';
import type { Service } from '../lib/lifecycle.js';
import type { Logger } from '../lib/logger.js';
import { inTransaction, type Pool } from '../lib/postgres/pool.js';
import type { MovementTopics } from '../lib/kafka/topics.js';
import { lockExpiredPending, saveBatch } from './movement-store.js';

export interface SweeperOptions {
  readonly pool: Pool;
  readonly topics: MovementTopics;
  readonly logger: Logger;
  readonly graceMs: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** Ends the holds whose grace period ran out while no stock change woke them. */
export async function sweepOnce(options: SweeperOptions): Promise<number> {
  const now = (options.now ?? Date.now)();
  return inTransaction(options.pool, async (client) => {
    const state = await lockExpiredPending(client, now, 500);
    if (state.movements.size === 0) return 0;
    const result = applyBatch([], state, { now, graceMs: options.graceMs });
    await saveBatch(client, result, options.topics, state.movements);
    return result.movements.size;
  });
}

export function pendingSweeper(options: SweeperOptions): Service {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    name: 'pending-sweeper',
    start() {
      timer = setInterval(() => {
        inFlight = sweepOnce(options).catch((err: unknown) =>
          options.logger.warn({ err }, 'pending sweep failed; will retry'),
        );
      }, options.intervalMs ?? 1_000);
      return Promise.resolve();
    },
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
