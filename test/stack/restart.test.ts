import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { commandLine } from '../../stack/processes.js';
import { COMPONENTS, stackContext, stackDown, stackStatus, stackUp } from '../../stack/manager.js';
import {
  config,
  createTestClickHouse,
  createTestDatabase,
  deleteSubjects,
  randomName,
  testKafka,
} from '../../testkit/resources.js';

const allLocal = Object.values(config.local).every(Boolean);

/** Processes whose command line mentions the stack folder: ours. */
function stackProcesses(marker: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter(
      (pid) =>
        pid !== process.pid &&
        commandLine(pid).includes(marker) &&
        !commandLine(pid).includes('vitest'),
    );
}

describe.skipIf(!allLocal)('local stack restart', () => {
  it('keeps topics, schemas and rows across stack:down and stack:up, and leaves no process behind', async () => {
    const ctx = stackContext(config, () => {});
    const topic = randomName('persist');
    const subject = `${topic}-value`;
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const registry = new SchemaRegistry({ host: config.schemaRegistryUrl });
    const schema = JSON.stringify({
      type: 'record',
      name: 'Kept',
      fields: [{ name: 'n', type: 'int' }],
    });
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject });
    const db = await createTestDatabase();
    const ch = createTestClickHouse();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE kept (n int)');
    await client.query('INSERT INTO kept VALUES (7)');
    await client.end();
    await ch.client.command({ query: `CREATE DATABASE ${ch.name}` });
    await ch.client.command({
      query: `CREATE TABLE ${ch.name}.kept (n UInt8) ENGINE = MergeTree ORDER BY n`,
    });
    await ch.client.command({ query: `INSERT INTO ${ch.name}.kept VALUES (7)` });

    await stackDown(ctx);
    expect(stackProcesses(ctx.paths.root)).toEqual([]);
    expect((await stackStatus(ctx)).map((s) => s.state)).toEqual(COMPONENTS.map(() => 'stopped'));

    await stackUp(ctx);
    const status = await stackStatus(ctx);
    expect(status.every((s) => s.state === 'running' && s.health.ok)).toBe(true);

    const admin2 = testKafka().admin();
    await admin2.connect();
    const meta = await admin2.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(2);
    await admin2.deleteTopics({ topics: [topic] });
    await admin2.disconnect();
    const registryAfter = new SchemaRegistry({ host: config.schemaRegistryUrl });
    expect(await registryAfter.getLatestSchemaId(subject)).toBe(id);
    const client2 = new pg.Client({ connectionString: db.url });
    await client2.connect();
    expect((await client2.query('SELECT n FROM kept')).rows).toEqual([{ n: 7 }]);
    await client2.end();
    const rows = await ch.client.query({
      query: `SELECT n FROM ${ch.name}.kept`,
      format: 'JSONEachRow',
    });
    expect(await rows.json()).toEqual([{ n: 7 }]);
    await deleteSubjects([subject]);
    await db.drop();
    await ch.drop();
  });
});
