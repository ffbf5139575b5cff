import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import type { Message, Producer } from 'kafkajs';
import { sendAll } from '../lib/kafka/produce-chunked.js';
import type { Progress } from './progress.js';
import { fmt, noProgress } from './progress.js';
import { generateMessages, planGeneration } from './stream.js';
import type { GenerateOptions, GeneratedMessage, Summary } from './types.js';

// Publishing a run: batches go to a sink (Kafka, or NDJSON for --dry-run) one
// after the other, in order, while the next batch is being generated; a token
// bucket holds the overall rate when one is set.

export const DEFAULT_BATCH = 2_000;

export interface Sink {
  send(batch: readonly GeneratedMessage[]): Promise<void>;
}

/** To Kafka, keyed as generated, in slices the broker accepts. */
export function kafkaSink(producer: Producer): Sink {
  return {
    async send(batch) {
      const byTopic = new Map<string, Message[]>();
      for (const m of batch) {
        let list = byTopic.get(m.topic);
        if (list === undefined) byTopic.set(m.topic, (list = []));
        list.push({ key: m.key, value: m.value });
      }
      await sendAll(
        producer,
        [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      );
    },
  };
}

/** One `{"topic","key","value"}` line per message, honouring backpressure. */
export function ndjsonSink(out: Writable): Sink {
  return {
    async send(batch) {
      let text = '';
      for (const m of batch) {
        text += `${JSON.stringify({ topic: m.topic, key: m.key, value: m.value })}\n`;
      }
      if (!out.write(text)) await once(out, 'drain');
    },
  };
}

/** Holds an average rate; a burst of at most `capacity` after idling. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  async take(n: number): Promise<void> {
    const t = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1_000) * this.perSecond);
    this.last = t;
    this.tokens -= n;
    if (this.tokens < 0) await sleep((-this.tokens / this.perSecond) * 1_000);
  }
}

export interface RunOptions extends GenerateOptions {
  readonly sink: Sink;
  readonly dryRun: boolean;
  /** Events per second overall; undefined: as fast as the sink takes them. */
  readonly rate?: number;
  readonly batchSize?: number;
  readonly progress?: Progress;
  /** Stops between batches; the summary then says `interrupted`. */
  readonly signal?: AbortSignal;
}

export async function runGeneration(options: RunOptions): Promise<Summary> {
  const plan = planGeneration(options);
  const progress = options.progress ?? noProgress;
  const rate = options.rate;
  if (rate !== undefined && !(rate > 0)) throw new Error(`rate must be above 0, got ${rate}`);
  let batchSize = options.batchSize ?? DEFAULT_BATCH;
  // At a limited rate, small batches keep the flow smooth: about 20 a second.
  if (rate !== undefined) batchSize = Math.max(1, Math.min(batchSize, Math.ceil(rate / 20)));
  const bucket = rate === undefined ? undefined : new TokenBucket(rate, batchSize);

  const tally = newTally();
  const started = performance.now();
  let sent = 0;
  let inFlight: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  let batch: GeneratedMessage[] = [];
  let interrupted = false;

  const flush = async (): Promise<void> => {
    if (bucket !== undefined) await bucket.take(batch.length);
    await inFlight;
    if (failure !== undefined) throw failure.error;
    const going = batch;
    batch = [];
    inFlight = options.sink.send(going).then(
      () => {
        sent += going.length;
        for (const m of going) count(tally, m);
        progress.update(sent);
      },
      (error: unknown) => {
        failure = { error };
      },
    );
  };

  progress.start(plan.totals.all);
  for (const message of generateMessages(options, plan)) {
    batch.push(message);
    if (batch.length >= batchSize) {
      await flush();
      if (options.signal?.aborted === true) {
        interrupted = true;
        break;
      }
    }
  }
  if (!interrupted && batch.length > 0) await flush();
  await inFlight;
  if (failure !== undefined) throw failure.error;
  progress.finish();

  const elapsedMs = performance.now() - started;
  return {
    dryRun: options.dryRun,
    interrupted,
    seed: options.seed,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    topics: { movements: options.movementsTopic, sales: options.salesTopic },
    movements: { ...tally.movements },
    sales: { ...tally.sales },
    messages: sent,
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: elapsedMs > 0 ? Math.round(sent / (elapsedMs / 1_000)) : 0,
  };
}

type Tally = {
  -readonly [K in 'movements' | 'sales']: { -readonly [F in keyof Summary[K]]: number };
};

function newTally(): Tally {
  return {
    movements: {
      counts: 0,
      departures: 0,
      arrivals: 0,
      outOfOrder: 0,
      losses: 0,
      duplicates: 0,
      malformed: 0,
      messages: 0,
    },
    sales: { lines: 0, orders: 0, duplicates: 0, malformed: 0, messages: 0 },
  };
}

function count(t: Tally, m: GeneratedMessage): void {
  const kind = m.kind === 'malformed' ? m.brokenKind : m.kind;
  const part = kind === 'sale' ? t.sales : t.movements;
  part.messages++;
  if (m.kind === 'malformed') part.malformed++;
  else if (m.duplicate) part.duplicates++;
  else if (m.kind === 'sale') {
    t.sales.lines++;
    if (m.newOrder === true) t.sales.orders++;
  } else if (m.kind === 'inventory') t.movements.counts++;
  else if (m.kind === 'departure') t.movements.departures++;
  else {
    t.movements.arrivals++;
    if (m.early === true) t.movements.outOfOrder++;
    if (m.lost !== undefined) t.movements.losses++;
  }
}

/** The one-line summary. */
export function formatSummary(s: Summary): string {
  const m = s.movements;
  const sa = s.sales;
  const where = s.dryRun ? 'dry run (stdout)' : `${s.topics.movements}, ${s.topics.sales}`;
  return (
    `${s.interrupted ? 'interrupted after' : 'generated'} ${fmt(s.messages)} messages in ${(s.elapsedMs / 1_000).toFixed(1)} s ` +
    `(${fmt(s.eventsPerSecond)} events/s) → ${where}: ` +
    `movements ${fmt(m.messages)} [${fmt(m.counts)} counts, ${fmt(m.departures)} departures, ` +
    `${fmt(m.arrivals)} arrivals (${fmt(m.outOfOrder)} before their departure, ${fmt(m.losses)} with losses), ` +
    `${fmt(m.duplicates)} duplicates, ${fmt(m.malformed)} malformed]; ` +
    `sales ${fmt(sa.messages)} [${fmt(sa.lines)} lines in ${fmt(sa.orders)} orders, ` +
    `${fmt(sa.duplicates)} duplicates, ${fmt(sa.malformed)} malformed]; seed ${s.seed}`
  );
}
