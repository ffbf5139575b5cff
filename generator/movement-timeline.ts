import { DAY, MINUTE } from './timeline.js';
import type { GenerateOptions } from './types.js';

/** When things happen inside the period. */
export function movementTimeline(options: GenerateOptions) {
  const start = options.from.getTime();
  const end = options.to.getTime();
  const period = end - start;
  const maxTransit = Math.min(3 * DAY, period * 0.2);
  const minTransit = Math.min(30 * MINUTE, maxTransit / 4);
  const countsEnd = start + Math.min(MINUTE, period * 0.01);
  return {
    start,
    countsEnd,
    departuresEnd: end - maxTransit,
    minTransit,
    maxTransit,
    /** Log-normal-ish transit: the median is the geometric middle (6 h for 30 min – 3 days). */
    medianTransit: Math.sqrt(minTransit * maxTransit),
  };
}
