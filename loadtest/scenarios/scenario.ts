// A load-test scenario: what it needs running, and the requests it sends. One file a scenario in
// this folder, named in index.ts; `npm run loadtest -- <name>` runs it (loadtest/run.ts).
import type { HttpRequest } from '../engine/types.js';

export interface Scenario {
  /** What is loaded, e.g. "POST /orders". */
  readonly title: string;
  /** What runs behind it, for the report: a sentence or two. */
  readonly description: string;
  /** Requests/s of each step when the command line gives no --steps (default 250 … 3,000). */
  readonly defaultSteps?: readonly number[];
  /** Brings up what the scenario loads; `log` takes progress lines. */
  start(log: (message: string) => void): Promise<Target>;
}

/** A running system under test. */
export interface Target {
  /** Its origin, http://127.0.0.1:PORT: loopback only. */
  readonly origin: string;
  /** The run's i-th request (i from 0, across the warm-up and every step); called as it is sent. */
  request(i: number): HttpRequest;
  /** Sent once on each connection to open it before the first step (default GET /health). */
  readonly probe?: HttpRequest;
  /** What the system itself counted after the run, to set beside the 2xx answers. */
  recorded?(): Promise<{ readonly what: string; readonly count: number }>;
  /** Stops what start() brought up and removes what it made. */
  close(): Promise<void>;
}
