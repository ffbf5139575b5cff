// The knee of a stepped run: where latency leaves its floor.

/** How many times its floor a step's p99 must exceed to be the knee. */
export const KNEE_FACTOR = 3;

export interface Knee {
  /** The knee step's index in the run. */
  readonly index: number;
  readonly offered: number;
  /** Its p99 (ms); null when it had no 2xx answer at all. */
  readonly p99: number | null;
  /** The floor it left: the lowest p99 (ms) of the steps before it, and the rate that had it. */
  readonly floor: number;
  readonly floorOffered: number;
  /** KNEE_FACTOR × floor. */
  readonly threshold: number;
}

/**
 * The knee: the first step whose p99 exceeds KNEE_FACTOR × the floor, the floor being the lowest
 * p99 of the steps before it (steps in the order they ran, lowest rate first). A running floor
 * rather than the first step's p99, so a first step still slowed by a cold process does not set
 * it high. A step with no 2xx answer (p99 null) has left the floor too. Undefined when no step
 * after the first leaves it (nor when no step has a p99 to start from).
 */
export function findKnee(
  steps: readonly { readonly offered: number; readonly p99: number | null }[],
): Knee | undefined {
  let floor: { p99: number; offered: number } | undefined;
  for (const [index, s] of steps.entries()) {
    if (floor && (s.p99 === null || s.p99 > KNEE_FACTOR * floor.p99))
      return {
        index,
        offered: s.offered,
        p99: s.p99,
        floor: floor.p99,
        floorOffered: floor.offered,
        threshold: KNEE_FACTOR * floor.p99,
      };
    if (s.p99 !== null && (!floor || s.p99 < floor.p99)) floor = { p99: s.p99, offered: s.offered };
  }
  return undefined;
}

/** The floor over all steps (the lowest p99), for drawing the threshold when there is no knee. */
export function lowestP99(steps: readonly { readonly p99: number | null }[]): number | undefined {
  const ps = steps.flatMap((s) => (s.p99 === null ? [] : [s.p99]));
  return ps.length === 0 ? undefined : Math.min(...ps);
}
