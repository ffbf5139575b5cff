// One run of a scenario as the report shows it.
import type { StepResult } from '../engine/types.js';

export interface RunReport {
  readonly scenario: {
    readonly name: string;
    /** What is loaded, e.g. "POST /orders". */
    readonly title: string;
    /** What runs behind it, a sentence or two. */
    readonly description: string;
  };
  /** ISO time the first step started. */
  readonly startedAt: string;
  readonly connections: number;
  readonly stepSeconds: number;
  readonly warmupSeconds: number;
  /** CPU model and cores, and the 1-minute load average before and after the steps. */
  readonly machine: string;
  readonly steps: readonly StepResult[];
  /** The warm-up before the first step, at its rate: not charted, but its requests count too. */
  readonly warmup?: StepResult;
  /** What the system under test itself counted after the run, to set beside the 2xx answers. */
  readonly recorded?: { readonly what: string; readonly count: number };
}
