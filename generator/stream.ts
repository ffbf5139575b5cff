import type { FaultCounts } from './faults.js';
import { corruptMovement, corruptSale, faultCounts, withFaults } from './faults.js';
import type { MovementPlan } from './movement-plan.js';
import { movementMessages } from './movement-messages.js';
import { planMovements } from './movement-plan.js';
import { Rng } from './random.js';
import { saleMessages } from './sales.js';
import { HOUR, STREAM, streamSeed } from './timeline.js';
import type { GenerateOptions, GeneratedMessage } from './types.js';
import type { World } from './world.js';
import { buildWorld } from './world.js';

// Everything a run publishes, as one lazy stream: movements and sales, each
// with its faults, merged by simulated time. Knows its exact length up front.

export interface Plan {
  readonly world: World;
  readonly movements: MovementPlan;
  readonly movementFaults: FaultCounts;
  readonly saleFaults: FaultCounts;
  /** Valid, distinct movement events: counts, departures and arrivals. */
  readonly movementEvents: number;
  readonly totals: { readonly movements: number; readonly sales: number; readonly all: number };
}

export const MAX_RECORDS = 1_000_000_000;

/** Throws one Error naming every problem with the options. */
export function checkOptions(o: GenerateOptions): void {
  const problems: string[] = [];
  const count = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 0 || v > MAX_RECORDS) {
      problems.push(`${name} must be an integer from 0 to ${MAX_RECORDS}, got ${v}`);
    }
  };
  const share = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0 || v > 1) {
      problems.push(`${name} must be a share from 0 to 1, got ${v}`);
    }
  };
  count('movements', o.movements);
  count('sales', o.sales);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    problems.push(`seed must be an integer from 0 to ${0xffffffff}, got ${o.seed}`);
  }
  share('malformed', o.malformed);
  share('duplicates', o.duplicates);
  share('out-of-order', o.outOfOrder);
  share('losses', o.losses);
  if (o.malformed + o.duplicates > 0.5) {
    problems.push('malformed + duplicates must be at most 0.5 of what is published');
  }
  const from = o.from.getTime();
  const to = o.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) problems.push('from and to must be dates');
  else if (to - from < HOUR) problems.push('the period (from → to) must be at least an hour');
  if (problems.length > 0) throw new Error(problems.join('; '));
}

export function planGeneration(options: GenerateOptions): Plan {
  checkOptions(options);
  const world = buildWorld(options.seed);
  const movements = planMovements(world, options);
  const movementEvents = movements.counts + 2 * options.movements;
  const movementFaults = faultCounts(movementEvents, options.malformed, options.duplicates);
  const saleFaults = faultCounts(options.sales, options.malformed, options.duplicates);
  const m = movementEvents + movementFaults.malformed + movementFaults.duplicates;
  const s = options.sales + saleFaults.malformed + saleFaults.duplicates;
  return {
    world,
    movements,
    movementFaults,
    saleFaults,
    movementEvents,
    totals: { movements: m, sales: s, all: m + s },
  };
}

/** Every message of the run, lazily, in publishing order. */
export function* generateMessages(
  options: GenerateOptions,
  plan: Plan = planGeneration(options),
): Generator<GeneratedMessage> {
  const movements = withFaults(
    movementMessages(plan.world, plan.movements, options),
    plan.movementEvents,
    plan.movementFaults,
    new Rng(streamSeed(options, STREAM.movementFaults)),
    corruptMovement,
  );
  const sales = withFaults(
    saleMessages(plan.world, options),
    options.sales,
    plan.saleFaults,
    new Rng(streamSeed(options, STREAM.saleFaults)),
    corruptSale,
  );
  yield* merge(movements, sales);
}

/** Two time-ordered streams as one; on a tie the first goes first. */
function* merge(
  a: Iterator<GeneratedMessage>,
  b: Iterator<GeneratedMessage>,
): Generator<GeneratedMessage> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (!x.done && (y.done || x.value.at <= y.value.at)) {
      yield x.value;
      x = a.next();
    } else if (!y.done) {
      yield y.value;
      y = b.next();
    }
  }
}
