import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sale } from '../../domain/sale.js';
import { SALE_CATEGORIES } from '../../domain/sale.js';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.js';
import {
  createPipeline,
  readTopic,
  type Pipeline,
  type RoleInstance,
} from '../../testkit/pipeline-harness.js';
import { SEED_003_REQUEST, SEED_003_SALE } from '../fixtures/sales.js';
import { testKafka } from '../../testkit/resources.js';
import { serveFeatures, type ServedApp } from '../../testkit/serve-features.js';

const seed = SEED_003_REQUEST;
const seedSale: Sale = SEED_003_SALE;

const json = (v: unknown) => JSON.stringify(v);

describe('sales ingest: raw sales topic and POST /ingest → validated Avro topic, or the DLQ', () => {
  let p: Pipeline;
  let app: ServedApp;
  let base: string;
  let ingest: RoleInstance;

  beforeAll(async () => {
    p = await createPipeline();
    // The ingest role's own POST /ingest, as a process running it serves it.
    ingest = await p.startRole('ingest');
    app = await serveFeatures(ingest.features);
    base = app.url;
  });
  afterAll(async () => {
    await app.close();
    await p.close();
  });

  /** Every sale on the validated topic, decoded through the registry, with its key. */
  async function validated(count: number): Promise<{ key: string; sale: unknown }[]> {
    const messages = await readTopic(p.sales.validated, count);
    return Promise.all(
      messages.map(async (m) => ({
        key: m.key?.toString() ?? '',
        sale: (await p.runtime.schemaRegistry.decode(m.value!)) as unknown,
      })),
    );
  }

  async function validatedEnd(): Promise<bigint> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(p.sales.validated);
      return offsets.reduce((sum, o) => sum + BigInt(o.high), 0n);
    } finally {
      await admin.disconnect();
    }
  }

  it("validates the seed's sale from the raw topic into Avro on the validated topic, keyed by order", async () => {
    const numeric = {
      ...seed,
      ID_ORDER: 34033735,
      ID_SELLER_COUNTRY: 203,
      DATE_PAYMENT: '2021-01-07T02:09:24.5+02:00',
      BRAND: null,
      CATEGORY: 'shoes',
      REVENUE: '1234567890123.45',
      QUANTITY: 3,
    };
    await p.produce(p.sales.raw, [json(seed), json(numeric)], (i) => `raw-${i}`);
    const got = await validated(2);
    expect(got).toHaveLength(2);
    const byKey = new Map(got.map((g) => [g.key, g.sale]));
    expect(byKey.get('34033734')).toEqual(seedSale);
    expect(byKey.get('34033735')).toEqual({
      ...seedSale,
      ID_ORDER: '34033735',
      DATE_PAYMENT: Date.parse('2021-01-07T00:09:24.500Z'),
      BRAND: '',
      CATEGORY: 'shoes',
      REVENUE: '1234567890123.45',
      QUANTITY: 3,
    });
    const subject = await p.runtime.schemaRegistry.getLatestSchemaId(`${p.sales.validated}-value`);
    const [first] = await readTopic(p.sales.validated, 1);
    expect(first?.value?.readInt32BE(1)).toBe(subject);
  });

  it('sends malformed and invalid sales to the DLQ with the original bytes, every reason and the source position', async () => {
    const malformed = '{"ID_ORDER": "1", broken';
    const invalid = json({ ...seed, CATEGORY: 'cars', REVENUE: 1.005, COLOUR: 'red' });
    await p.produce(p.sales.raw, [malformed, invalid], (i) => `bad-${i}`);
    const dead = await readTopic(p.sales.dlq, 2);
    expect(dead).toHaveLength(2);
    const byKey = new Map(dead.map((m) => [m.key?.toString(), m]));
    const first = byKey.get('bad-0')!;
    expect(first.value?.toString()).toBe(malformed);
    expect(first.headers?.[DLQ_HEADERS.topic]?.toString()).toBe(p.sales.raw);
    expect(first.headers?.[DLQ_HEADERS.partition]?.toString()).toMatch(/^\d+$/);
    expect(first.headers?.[DLQ_HEADERS.offset]?.toString()).toMatch(/^\d+$/);
    expect(JSON.parse(first.headers![DLQ_HEADERS.errors]!.toString())).toEqual([
      { path: '', message: expect.stringMatching(/^malformed JSON/) as unknown },
    ]);
    const second = byKey.get('bad-1')!;
    expect(second.value?.toString()).toBe(invalid);
    const errors = JSON.parse(second.headers![DLQ_HEADERS.errors]!.toString()) as {
      path: string;
      message: string;
    }[];
    expect(errors.map((e) => e.path)).toEqual(['/CATEGORY', '/REVENUE', '/COLOUR']);
    expect(errors[0]?.message).toContain(SALE_CATEGORIES.join('", "'));
    expect(errors[1]?.message).toContain('3 decimal places');
    // Nothing of either reached the validated topic.
    expect(await validatedEnd()).toBe(2n);
  });

  const post = (body: unknown) =>
    fetch(`${base}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('accepts an array of sales over HTTP with 202, and puts them on the validated topic', async () => {
    const producedOf = async () =>
      (await ingest.runtime.metrics.getMetricsAsJSON())
        .find((m) => m.name === 'kafka_producer_messages_total')
        ?.values.find((v) => v.labels.topic === p.sales.validated)?.value ?? 0;
    const producedBefore = await producedOf();
    const before = await validatedEnd();
    const sales = [
      { ...seed, ID_ORDER: 'http-1' },
      { ...seed, ID_ORDER: 'http-2', REVENUE: '0.10', CATEGORY: 'food', QUANTITY: 2 },
      { ...seed, ID_ORDER: 'http-3', BRAND: undefined, REVENUE: 3 },
    ];
    const res = await post(sales);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3 });
    expect(await validatedEnd()).toBe(before + 3n);
    const one = await post({ ...seed, ID_ORDER: 'http-4' });
    expect(one.status).toBe(202);
    expect(await one.json()).toEqual({ accepted: 1 });
    // Counted as the Kafka path counts what it produces.
    expect((await producedOf()) - producedBefore).toBe(4);

    const got = new Map((await validated(Number(before) + 4)).map((g) => [g.key, g.sale]));
    expect(got.get('http-1')).toEqual({ ...seedSale, ID_ORDER: 'http-1' });
    expect(got.get('http-2')).toEqual({
      ...seedSale,
      ID_ORDER: 'http-2',
      REVENUE: '0.10',
      CATEGORY: 'food',
      QUANTITY: 2,
    });
    expect(got.get('http-3')).toEqual({
      ...seedSale,
      ID_ORDER: 'http-3',
      BRAND: '',
      REVENUE: '3.00',
    });
    expect(got.get('http-4')).toEqual({ ...seedSale, ID_ORDER: 'http-4' });
  });

  it('rejects an array with an unknown category with a 400 naming /1/CATEGORY, and produces nothing', async () => {
    const before = await validatedEnd();
    const res = await post([
      { ...seed, ID_ORDER: 'http-ok' },
      { ...seed, ID_ORDER: 'http-bad', CATEGORY: 'cars' },
    ]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { errors: { path: string; message: string }[] };
    const category = problem.errors.find((e) => /\/1\/CATEGORY$/.test(e.path));
    expect(category?.message).toContain(SALE_CATEGORIES.join(', '));
    expect(await validatedEnd()).toBe(before);
  });

  it('names every bad field of every sale, by index, when the types are right but the rules are not', async () => {
    const before = await validatedEnd();
    const res = await post([
      { ...seed, ID_ORDER: 'http-5' },
      { ...seed, ID_ORDER: 'a b', DATE_PAYMENT: '2021-02-30 00:00:00', REVENUE: '57.275' },
      { ...seed, REVENUE: -1 },
    ]);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { detail: string; errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual([
      '/1/ID_ORDER',
      '/1/DATE_PAYMENT',
      '/1/REVENUE',
      '/2/REVENUE',
    ]);
    expect(problem.detail).toBe('2 of 3 sales are invalid; none was accepted');
    expect(await validatedEnd()).toBe(before);
  });

  it('rejects malformed JSON with a 400 problem', async () => {
    const res = await post('{"ID_ORDER": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('MALFORMED_BODY');
  });
});
