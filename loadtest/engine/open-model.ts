// The load engine: an open-model sender on undici, latencies in an HdrHistogram.
//
// Not autocannon (9.0.0): its paced rate (`overallRate`) is closed-loop and bursty, which hides
// the very latency a stepped load test is for (coordinated omission). Read in its lib/run.js and
// lib/httpClient.js:
//  - each connection gets a whole-number quota per second (overallRate / connections), reset by a
//    1 s timer that every connection starts at the same moment, and sends its quota back to back
//    at the top of each second: 1,000/s over 1,000 connections is one burst of 1,000 a second;
//  - below `connections` requests/s it opens only `overallRate` connections;
//  - a connection sends its next request only once the previous one is answered, and times each
//    from its own send, so a slow answer delays the requests queued behind it without their wait
//    being counted; the correction it applies (recordValueWithExpectedInterval with
//    Math.ceil(1 / rate): 1 ms, the rate being per second) back-fills a 1 ms ladder of made-up
//    samples instead.
// Here, open model: request k of a step is due at start + k / rate whatever happened before it,
// goes out on connection k mod N (N connections opened before the first step and kept, as N
// clients would), and its latency runs from when it was due to when its answer was read: time
// spent behind a busy connection or a late event loop counts. One undici Client per connection,
// not a Pool: a Pool hands each request to its first free connection and leaves the others idle
// until the server closes them.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { build, type Histogram } from 'hdr-histogram-js';
import { Client } from 'undici';
import type { HttpRequest, StepPlan, StepResult } from './types.js';

const now = () => performance.now();

/** Past this after its last due time a step stops waiting: what is unanswered is an error. */
const DRAIN_MS = 60_000;
/** An answer's headers or body later than this is a timeout (a socket error). */
const ANSWER_TIMEOUT_MS = 30_000;

export interface OpenOptions {
  /** Sent once on every connection to open it (default GET /health). */
  readonly probe?: HttpRequest;
}

/** `count` keep-alive connections to `origin`, each opened with one request. */
export class Connections {
  private clients: Client[] = [];
  /** The next request's number, across steps: connection and scenario request both follow it. */
  private next = 0;

  private constructor(
    private readonly origin: string,
    readonly count: number,
    private readonly probe: HttpRequest,
  ) {}

  static async open(origin: string, count: number, options: OpenOptions = {}) {
    const c = new Connections(origin, count, options.probe ?? { method: 'GET', path: '/health' });
    await c.connect();
    return c;
  }

  /** Opens every connection with the probe, all at once, as `count` clients arriving together. */
  private async connect(): Promise<void> {
    this.clients = Array.from(
      { length: this.count },
      () =>
        new Client(this.origin, {
          pipelining: 1,
          connectTimeout: ANSWER_TIMEOUT_MS,
          headersTimeout: ANSWER_TIMEOUT_MS,
          bodyTimeout: ANSWER_TIMEOUT_MS,
        }),
    );
    const statuses = await Promise.all(
      this.clients.map(async (c) => {
        const res = await c.request(this.probe);
        await res.body.arrayBuffer();
        return res.statusCode;
      }),
    );
    const bad = statuses.filter((s) => s < 200 || s > 299);
    if (bad.length > 0)
      throw new Error(`opening connections: ${this.probe.method} ${this.probe.path} answered ${bad[0]}`); // prettier-ignore
  }

  /**
   * One step: `plan.rate` requests a second for `plan.seconds`, request k due at k / rate from
   * the start; then waits for every answer (at most DRAIN_MS past the last due time).
   * `request(i)` makes the run's i-th request (i counts on across steps).
   */
  async step(plan: StepPlan, request: (i: number) => HttpRequest): Promise<StepResult> {
    const total = Math.round(plan.rate * plan.seconds);
    const interval = 1000 / plan.rate;
    const latency: Histogram = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 }); // prettier-ignore
    const statuses: Record<string, number> = {};
    const errorKinds: Record<string, number> = {};
    const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
    let ok = 0;
    let non2xx = 0;
    let socketErrors = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let lastAnswer = 0;
    const answers: Promise<void>[] = [];

    const send = (due: number) => {
      const i = this.next++;
      const client = this.clients[i % this.clients.length]!;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      const { expect, ...req } = request(i);
      answers.push(
        client.request(req).then(
          async (res) => {
            await res.body.arrayBuffer();
            const done = now();
            lastAnswer = done;
            inFlight--;
            bump(statuses, String(res.statusCode));
            if ((res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === expect) {
              ok++;
              // Microseconds, at least 1 (the histogram's lowest discernible value).
              latency.recordValue(Math.max(1, Math.round((done - due) * 1000)));
            } else non2xx++;
          },
          (err: unknown) => {
            lastAnswer = now();
            inFlight--;
            socketErrors++;
            bump(errorKinds, errorCode(err));
          },
        ),
      );
    };

    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const cpuBefore = process.cpuUsage();
    const start = now();
    let sent = 0;
    while (sent < total) {
      const dueNow = Math.min(total, Math.floor((now() - start) / interval) + 1);
      for (; sent < dueNow; sent++) send(start + sent * interval);
      if (sent < total) await sleep(Math.max(0, start + sent * interval - now()));
    }
    // Past the deadline the connections go, and what they still carry fails with STEP_DEADLINE
    // (not an AbortSignal per request: thousands of listeners on one signal cost the sender).
    let overdue = false;
    const deadline = setTimeout(
      () => {
        overdue = true;
        const err = Object.assign(new Error('no answer by the step deadline'), {
          code: 'STEP_DEADLINE',
        });
        for (const c of this.clients) void c.destroy(err);
      },
      start + plan.seconds * 1000 + DRAIN_MS - now(),
    );
    await Promise.all(answers);
    clearTimeout(deadline);
    if (overdue) await this.connect(); // fresh connections for the next step
    lag.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const elapsed = Math.max((lastAnswer - start) / 1000, plan.seconds);
    const at = (p: number) => (ok === 0 ? null : latency.getValueAtPercentile(p) / 1000);
    return {
      offered: plan.rate,
      seconds: plan.seconds,
      sent,
      ok,
      non2xx,
      socketErrors,
      statuses,
      errorKinds,
      elapsed,
      achieved: ok / elapsed,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      // As the percentiles are: the highest value of its bucket (3 significant digits).
      max: at(100),
      maxInFlight,
      senderLagP99: lag.percentile(99) / 1e6,
      senderCpu: (cpu.user + cpu.system) / 1e3 / (now() - start),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}

/** A socket error's name for the report: undici's or the system's code, else its class. */
function errorCode(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return err.name;
  }
  return 'unknown';
}
