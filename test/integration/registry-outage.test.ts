// A schema registry that resets connections (restarting, overloaded) is the registry's
// fault, never the message's: decoding retries and then fails the batch, which comes again,
// so nothing valid is dead-lettered. Only a message that can never decode is.
import type { IncomingMessage } from 'node:http';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeValidated, registerStreamSchema } from '../../ingest/codec.js';
import { salesStream } from '../../ingest/streams/index.js';
import { createClickHouse } from '../../lib/clickhouse/client.js';
import { DependencyUnavailableError } from '../../lib/errors.js';
import { sendAll } from '../../lib/kafka/produce-chunked.js';
import { decodeRegistered } from '../../lib/kafka/registry-decode.js';
import { salesTopics } from '../../lib/kafka/topics.js';
import { SOURCE_HEADER } from '../../lib/kafka/provenance.js';
import { flakyProxy, type FlakyProxy } from '../../testkit/flaky-proxy.js';
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import {
  committedToEnd,
  createPipeline,
  topicSize,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { config, deleteSubjects, randomName } from '../../testkit/resources.js';
import { generatedSales } from '../fixtures/sales.js';

/**
 * More resets in a row than one registry-client call rides out with its own retries (four
 * tries), so a decode that trusted the client alone would give up: only stockflow's retry
 * around it gets through.
 */
const TOO_MANY = 6;

const schemaFetch = (req: IncomingMessage) =>
  req.method === 'GET' && (req.url ?? '').startsWith('/schemas/ids/');

describe('a schema registry that resets connections', () => {
  let proxy: FlakyProxy | undefined;
  let p: Pipeline | undefined;
  const subjects: string[] = [];
  afterEach(async () => {
    await p?.close();
    p = undefined;
    await proxy?.close();
    await deleteSubjects(subjects.splice(0));
  });

  it('decodes once it answers again; a foreign frame or an unknown schema id is the message’s fault', async () => {
    proxy = await flakyProxy(config.schemaRegistryUrl, schemaFetch, TOO_MANY);
    const subject = randomName('outage-value');
    subjects.push(subject);
    const schema = { type: 'record', name: 'Probe', fields: [{ name: 'n', type: 'int' }] };
    const { id } = await new SchemaRegistry({ host: config.schemaRegistryUrl }).register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from([84])]); // n = 42
    framed.writeInt32BE(id, 1);
    const registry = new SchemaRegistry({ host: proxy.url });
    const fast = { baseDelayMs: 5, maxDelayMs: 20 };
    expect(await decodeRegistered(registry, framed, fast)).toEqual({ ok: true, value: { n: 42 } });
    expect(proxy.dropped).toBe(TOO_MANY);
    expect(await decodeRegistered(registry, Buffer.from('{"n":42}'), fast)).toEqual({
      ok: false,
      reason: expect.stringMatching(/not in the Confluent wire format/) as unknown,
    });
    const unknown = Buffer.from(framed);
    unknown.writeInt32BE(2_000_000_000, 1);
    expect(await decodeRegistered(registry, unknown, fast)).toEqual({
      ok: false,
      reason: 'schema id 2000000000 is not in the registry',
    });
    const truncated = Buffer.from([0, 0, 0, 0, 0]);
    truncated.writeInt32BE(id, 1);
    expect(await decodeRegistered(registry, truncated, fast)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^not a decodable Avro message/) as unknown,
    });
  });

  it('that stays down: decoding throws DependencyUnavailableError after its retries', async () => {
    proxy = await flakyProxy(config.schemaRegistryUrl, schemaFetch, Infinity);
    const framed = Buffer.from([0, 0, 0, 0, 1, 84]);
    const registry = new SchemaRegistry({ host: proxy.url });
    const attempt = decodeRegistered(registry, framed, { maxAttempts: 3, baseDelayMs: 5 });
    await expect(attempt).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(attempt).rejects.toThrow(/could not fetch schema id 1/);
    expect(proxy.dropped).toBeGreaterThanOrEqual(3); // the client also retries within each try
  });

  it('the processor applies the stock counts whose schema fetch failed at first, and dead-letters none', async () => {
    proxy = await flakyProxy(config.schemaRegistryUrl, schemaFetch, 0);
    p = await createPipeline({ SCHEMA_REGISTRY_URL: proxy.url });
    const pipeline = p;
    await pipeline.startRole('ingest');
    proxy.failures = TOO_MANY; // the processor's first schema fetches
    await pipeline.startRole('process');
    const warehouse = uuidOf(0xe1, 1);
    const counts = [0, 1, 2].map((i) =>
      movementEvent('inventory', {
        movement: uuidOf(0xe2, i),
        warehouse,
        product: uuidOf(0xe3, i),
        quantity: 10 + i,
      }),
    );
    await pipeline.produceRaw(counts.map((e) => JSON.stringify(e)));
    await pipeline.caughtUp();
    const stock = await pipeline.runtime.pool.query<{ product_id: string; quantity: string }>(
      'SELECT product_id, quantity FROM stock WHERE warehouse_id = $1 ORDER BY product_id',
      [warehouse],
    );
    expect(stock.rows.map((r) => [r.product_id, Number(r.quantity)])).toEqual(
      counts.map((e) => [e.data.product_id, e.data.quantity]),
    );
    expect(proxy.dropped).toBe(TOO_MANY);
    expect(await topicSize(pipeline.topics.dlq)).toBe(0);
  });

  it('the sink stores the sales whose schema fetch failed at first, and dead-letters none', async () => {
    proxy = await flakyProxy(config.schemaRegistryUrl, schemaFetch, 0);
    p = await createPipeline({ SCHEMA_REGISTRY_URL: proxy.url });
    const pipeline = p;
    const topics = salesTopics(pipeline.config.kafkaSalesTopic);
    const sales = generatedSales(20, 5);
    const admin = pipeline.runtime.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topics.validated }], waitForLeaders: true });
    await admin.disconnect();
    const schemaId = await registerStreamSchema(
      pipeline.runtime.schemaRegistry,
      salesStream,
      topics.validated,
    );
    await sendAll(pipeline.producer, [
      {
        topic: topics.validated,
        messages: sales.map((s, i) => {
          const m = encodeValidated(salesStream, schemaId, s);
          return { ...m, headers: { [SOURCE_HEADER]: `outage:${i}` } };
        }),
      },
    ]);
    proxy.failures = TOO_MANY;
    await pipeline.startRole('sink');
    await committedToEnd(`${pipeline.config.kafkaGroupId}.sink`, [topics.validated]);
    const ch = createClickHouse({ url: pipeline.config.clickhouseUrl });
    try {
      const rows = await ch.query({
        query: `SELECT toString(count()) AS n FROM ${pipeline.config.clickhouseDatabase}.sales`,
        format: 'JSONEachRow',
      });
      expect(await rows.json()).toEqual([{ n: String(sales.length) }]);
    } finally {
      await ch.close();
    }
    expect(proxy.dropped).toBe(TOO_MANY);
    expect(await topicSize(topics.dlq)).toBe(0);
  });
});
