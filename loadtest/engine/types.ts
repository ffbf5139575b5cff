// What the load engine sends and what it measures, shared by the scenarios, the CLI and the report.

/** One HTTP request of a scenario; `path` includes the query string. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** A status besides 2xx that counts as a success, e.g. 304 for a conditional GET (not sent). */
  readonly expect?: number;
}

/** One step of a stepped load: `rate` requests a second, evenly spaced, for `seconds`. */
export interface StepPlan {
  readonly rate: number;
  readonly seconds: number;
}

/** What one step measured. Latencies are in milliseconds, over the successful (`ok`) answers only. */
export interface StepResult {
  /** The requests/s the step offered (its plan's rate). */
  readonly offered: number;
  readonly seconds: number;
  /** Requests sent: rate × seconds, each at its due time whatever the answers before it. */
  readonly sent: number;
  /** 2xx answers, and those with the status the request expected (HttpRequest.expect). */
  readonly ok: number;
  /** Answers with any other status. */
  readonly non2xx: number;
  /** Requests with no answer: refused or reset connections, timeouts, the step's deadline. */
  readonly socketErrors: number;
  /** Answers per status code, 2xx included. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Socket errors per error code. */
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Seconds from the step's start to its end or its last answer, whichever is later. */
  readonly elapsed: number;
  /** 2xx answers per second of `elapsed`. */
  readonly achieved: number;
  /** Latency percentiles (null when no 2xx answer came). */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** The most requests in flight at once (sent, not yet answered). */
  readonly maxInFlight: number;
  /** The sender's event-loop delay, p99 ms: high, and the sender itself was late. */
  readonly senderLagP99: number;
  /** The sender's CPU over the step, in cores (1 = one core busy throughout). */
  readonly senderCpu: number;
}
