import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../lib/kafka/client.js';
import {
  config,
  createTestClickHouse,
  createTestDatabase,
  deleteSubjects,
  randomName,
  testKafka,
} from '../../testkit/resources.js';

// One real round trip through every component proves the plumbing works.

describe('plumbing round trip', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('registers an Avro schema in the registry, produces and consumes an encoded message', async () => {
    const registry = new SchemaRegistry({ host: config.schemaRegistryUrl });
    const topic = randomName('plumbing');
    const subject = `${topic}-value`;
    const schema = JSON.stringify({
      type: 'record',
      name: 'Ping',
      namespace: 'dev.stockflow.test',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'count', type: 'int' },
      ],
    });
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject });
    cleanups.push(() => deleteSubjects([subject]));
    expect(id).toBeGreaterThan(0);
    expect(await registry.getLatestSchemaId(subject)).toBe(id);

    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    });
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const value = await registry.encode(id, { id: 'a-1', count: 42 });
    expect(value[0]).toBe(0); // Confluent wire format: magic byte, then the schema id
    expect(value.readInt32BE(1)).toBe(id);
    await producer.send({ topic, messages: [{ key: 'a-1', value }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: randomName('group') });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<unknown>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            resolve(await registry.decode(message.value as Buffer));
          },
        })
        .catch(reject);
    });
    await expect(received).resolves.toEqual({ id: 'a-1', count: 42 });
  });

  it('writes and reads Postgres', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)');
      await client.query('INSERT INTO t SELECT * FROM unnest($1::int[], $2::text[])', [
        [1, 2],
        ['a', 'b'],
      ]);
      const rows = await client.query<{ id: number; name: string }>(
        'SELECT id, name FROM t ORDER BY id',
      );
      expect(rows.rows).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('writes and reads ClickHouse', async () => {
    const ch = createTestClickHouse();
    cleanups.push(ch.drop);
    await ch.client.command({ query: `CREATE DATABASE ${ch.name}` });
    await ch.client.command({
      query: `CREATE TABLE ${ch.name}.t (id UInt32, amount Decimal(18, 2)) ENGINE = MergeTree ORDER BY id`,
    });
    await ch.client.insert({
      table: `${ch.name}.t`,
      values: [
        { id: 1, amount: 10.25 },
        { id: 2, amount: 0.1 },
      ],
      format: 'JSONEachRow',
    });
    const result = await ch.client.query({
      query: `SELECT toString(sum(amount)) AS total, count() AS n FROM ${ch.name}.t`,
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ total: '10.35', n: '2' }]);
  });
});
