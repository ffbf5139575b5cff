import { Rng } from './random.js';
import { STREAM, streamSeed } from './timeline.js';
import type { GenerateOptions } from './types.js';
import type { World } from './world.js';

// Who sends what to whom: every movement's sender, receiver and product, drawn
// from a stream of its own so the plan and the messages draw the same choices.

export interface MovementPlan {
  /** Per warehouse×product (warehouse * products + product): 1 where the run uses the pair. */
  readonly used: Uint8Array;
  /** Per product, the warehouses that use it, in index order. */
  readonly usedBy: readonly (readonly number[])[];
  /** Stock counts to publish: one per pair used. */
  readonly counts: number;
}

export interface Choice {
  readonly sender: number;
  readonly receiver: number;
  readonly product: number;
}

/**
 * Who sends what to whom, from a stream of its own: the plan draws every choice
 * once to learn which pairs are used (and so which stock counts come first),
 * and the generator replays the same stream. O(movements) time, O(pairs) memory.
 */
export function planMovements(world: World, options: GenerateOptions): MovementPlan {
  const W = world.warehouses.length;
  const P = world.products.length;
  const used = new Uint8Array(W * P);
  const rng = new Rng(streamSeed(options, STREAM.choices));
  for (let i = 0; i < options.movements; i++) {
    const c = drawChoice(rng, world);
    used[c.sender * P + c.product] = 1;
    used[c.receiver * P + c.product] = 1;
  }
  const usedBy: number[][] = Array.from({ length: P }, () => []);
  let counts = 0;
  for (let w = 0; w < W; w++) {
    for (let p = 0; p < P; p++) {
      if (used[w * P + p] !== 1) continue;
      usedBy[p]?.push(w);
      counts++;
    }
  }
  return { used, usedBy, counts };
}

export function drawChoice(rng: Rng, world: World): Choice {
  const W = world.warehouses.length;
  const sender = rng.weighted(world.warehouseWeights);
  let receiver = rng.weighted(world.warehouseWeights);
  if (receiver === sender) receiver = (sender + rng.int(1, W - 1)) % W;
  return { sender, receiver, product: rng.weighted(world.productWeights) };
}
