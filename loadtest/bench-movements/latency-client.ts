// The latency load generator runs in a child process, so that producing and
// polling do not share an event loop with the roles they measure.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createKafka } from '../../lib/kafka/client.js';
import { movementEvent } from '../../testkit/movement-events.js';
import { now } from '../bench/util.js';

const POLL_MS = 20;
const VISIBLE_TIMEOUT_MS = 30_000; // a sample not visible by then counts as timed out

export interface ClientJob {
  readonly brokers: readonly string[];
  readonly rawTopic: string;
  readonly apiUrl: string;
  readonly rate: number;
  readonly seconds: number;
  readonly warehouses: readonly string[];
  readonly products: readonly string[];
}

export interface ClientResult {
  readonly produced: number;
  readonly producedSeconds: number;
  readonly latenciesMs: number[];
  /** Sampled movement ids with their produce time (epoch ms), to split the latency by stage. */
  readonly sampled: [string, number][];
  readonly timedOut: number;
  readonly polls: number;
  readonly pollRoundTripMs: number;
}

export async function latencyClient(job: ClientJob): Promise<ClientResult> {
  const kafka = createKafka({
    brokers: job.brokers,
    clientId: 'bench-latency',
    logger: pino({ level: 'warn' }),
  });
  const producer = kafka.producer();
  await producer.connect();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let polls = 0;
  let pollTime = 0;
  const get = (path: string, etag?: string) =>
    new Promise<{ status: number; etag?: string; body: string }>((resolve, reject) => {
      const req = http.get(
        `${job.apiUrl}${path}`,
        { agent, headers: etag ? { 'if-none-match': etag } : {} },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, body }),
          );
        },
      );
      req.on('error', reject);
    });

  /** Polls one movement until both legs are applied; the ETag makes unchanged polls a cheap 304. */
  async function visibleAfter(id: string, producedAt: number): Promise<number | undefined> {
    let etag: string | undefined;
    while (now() - producedAt < VISIBLE_TIMEOUT_MS) {
      polls++;
      const sent = now();
      const res = await get(`/api/movements/${id}`, etag).catch(() => undefined);
      pollTime += now() - sent;
      if (res?.status === 200) {
        etag = res.etag;
        if ((JSON.parse(res.body) as { status: string }).status === 'completed')
          return now() - producedAt;
      }
      await sleep(POLL_MS);
    }
    return undefined;
  }

  const movements = Math.floor((job.rate * job.seconds) / 2);
  const stride = Math.max(1, Math.min(10, Math.floor(movements / 300))); // ≥ 300 samples
  const watches: Promise<number | undefined>[] = [];
  const sampledAt: [string, number][] = [];
  let made = 0;
  const start = now();
  // Each tick sends what is due by now, so a slow send is made up on the next tick.
  while (made < movements && now() - start < job.seconds * 1000 + 30_000) {
    const due = Math.min(movements, Math.floor(((now() - start) / 1000) * (job.rate / 2)));
    const values: string[] = [];
    const sampled: string[] = [];
    for (; made < due; made++) {
      const id = randomUUID();
      const w = made % job.warehouses.length;
      const shared = { movement: id, product: job.products[made % job.products.length] };
      const quantity = 1 + (made % 5);
      const to = job.warehouses[(w + 1) % job.warehouses.length];
      values.push(
        JSON.stringify(
          movementEvent('departure', { ...shared, warehouse: job.warehouses[w], quantity }),
        ),
        JSON.stringify(movementEvent('arrival', { ...shared, warehouse: to, quantity })),
      );
      if (made % stride === 0) sampled.push(id);
    }
    if (values.length > 0) {
      const producedAt = now();
      const producedEpoch = Date.now();
      const sent = producer.send({
        topic: job.rawTopic,
        acks: -1,
        messages: values.map((value) => ({ key: null, value })),
      });
      for (const id of sampled) {
        watches.push(visibleAfter(id, producedAt));
        sampledAt.push([id, producedEpoch]);
      }
      await sent;
    }
    await sleep(5);
  }
  const producedSeconds = (now() - start) / 1000;
  const results = await Promise.all(watches);
  await producer.disconnect();
  agent.destroy();
  const latenciesMs = results.filter((r): r is number => r !== undefined);
  return {
    produced: made * 2,
    producedSeconds,
    latenciesMs,
    sampled: sampledAt,
    timedOut: results.length - latenciesMs.length,
    polls,
    pollRoundTripMs: pollTime / Math.max(1, polls),
  };
}
