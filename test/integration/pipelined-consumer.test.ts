import type { Admin, Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchConsumer } from '../../lib/kafka/batch-consumer.js';
import type { BatchConsumerOptions, PartitionBatch } from '../../lib/kafka/batch-types.js';
import { ConsumerBacklog } from '../../lib/kafka/consumer-backlog.js';
import { ensureTopics } from '../../lib/kafka/client.js';
import { createRegistry, kafkaMetrics } from '../../lib/metrics.js';
import { postgresLeases, type PartitionLeases } from '../../lib/postgres/partition-leases.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { eventually } from '../../testkit/pipeline-harness.js';
import { config, randomName, testKafka, testLogger } from '../../testkit/resources.js';

// The pipelined consumer (lib/kafka/batch-consumer.ts) returns to KafkaJS while a batch is still being
// written, so that the next fetch overlaps it; these check what that must not change: a batch is
// committed only once done, a partition's batches never overlap, a failure is fetched again, a
// held lease keeps the consumer off its partition, and stopping waits for the work under way.

interface Gate {
  readonly promise: Promise<void>;
  open(): void;
  fail(err: Error): void;
}
const gate = (): Gate => {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  promise.catch(() => undefined);
  return { promise, open, fail };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pipelined batch consumer', () => {
  const kafka = testKafka();
  let admin: Admin;
  let producer: Producer;
  let pool: Pool;
  const topics: string[] = [];
  const scope = randomName('pipe_scope');
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    pool = createPool(config.databaseUrl, 6, testLogger);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await pool.end();
  });

  const newTopic = async () => {
    const topic = randomName('pipe');
    topics.push(topic);
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    return topic;
  };
  const produce = (topic: string, from: number, count: number) =>
    producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({ value: `m${from + i}` })),
    });
  const committed = async (groupId: string, topic: string) => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t?.partitions.find((p) => p.partition === 0)?.offset;
  };
  const leases = (): PartitionLeases => {
    const l = postgresLeases(pool, scope, testLogger, (err) => {
      throw err;
    });
    cleanups.push(() => l.close());
    return l;
  };
  /** A started pipelined consumer whose handler is `handle`. */
  const start = async (
    topic: string,
    handle: (batch: PartitionBatch) => { done: Promise<void> },
    extra: Pick<BatchConsumerOptions, 'backlog' | 'maxBytesPerPartition'> = {},
  ) => {
    const groupId = randomName('pipe_group');
    const consumer = batchConsumer({
      name: 'pipe-test',
      kafka,
      groupId,
      topics: [topic],
      logger: testLogger,
      metrics: kafkaMetrics(createRegistry()),
      handle: (batch) => Promise.resolve(handle(batch)),
      pipelined: { leases: leases() },
      ...extra,
      onFatal: (err) => {
        throw err;
      },
    });
    await consumer.start();
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await consumer.stop();
    };
    cleanups.push(stop);
    return { groupId, stop };
  };
  const offsets = (b: PartitionBatch) => b.messages.map((m) => Number(m.offset));

  it('commits a batch only once done, and holds the partition’s next batch until then', async () => {
    const topic = await newTopic();
    await produce(topic, 0, 5);
    const calls: number[][] = [];
    const first = gate();
    const { groupId } = await start(topic, (batch) => {
      calls.push(offsets(batch));
      return { done: calls.length === 1 ? first.promise : Promise.resolve() };
    });
    await eventually(
      () => Promise.resolve(calls.length > 0 ? true : undefined),
      30_000,
      'first batch',
    );
    expect(calls[0]).toEqual([0, 1, 2, 3, 4]);
    await produce(topic, 5, 5);
    await sleep(1_500);
    expect(calls).toHaveLength(1);
    expect(await committed(groupId, topic)).toBe('-1');

    first.open();
    await eventually(
      async () => ((await committed(groupId, topic)) === '10' ? true : undefined),
      30_000,
      'commit to the end',
    );
    expect(calls.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fetches a failed batch again from its first offset', async () => {
    const topic = await newTopic();
    await produce(topic, 0, 4);
    const calls: number[][] = [];
    const { groupId } = await start(topic, (batch) => {
      calls.push(offsets(batch));
      return {
        done: calls.length === 1 ? Promise.reject(new Error('insert failed')) : Promise.resolve(),
      };
    });
    await eventually(
      async () => ((await committed(groupId, topic)) === '4' ? true : undefined),
      30_000,
      'commit after the retry',
    );
    expect(calls[0]).toEqual([0, 1, 2, 3]);
    expect(calls[1]).toEqual([0, 1, 2, 3]);
  });

  it('waits for a partition lease another process holds', async () => {
    const topic = await newTopic();
    await produce(topic, 0, 3);
    const other = leases();
    expect(await other.acquire(topic, 0, () => false)).toBe(true);
    const calls: number[][] = [];
    const { groupId } = await start(topic, (batch) => {
      calls.push(offsets(batch));
      return { done: Promise.resolve() };
    });
    await sleep(2_000);
    expect(calls).toHaveLength(0);
    await other.release(topic, 0);
    await eventually(
      async () => ((await committed(groupId, topic)) === '3' ? true : undefined),
      30_000,
      'commit once the lease is free',
    );
    expect(calls).toEqual([[0, 1, 2]]);
  });

  it('stops only after the batch under way is done, and commits it', async () => {
    const topic = await newTopic();
    await produce(topic, 0, 3);
    const work = gate();
    let called = false;
    const { groupId, stop } = await start(topic, () => {
      called = true;
      return { done: work.promise };
    });
    await eventually(() => Promise.resolve(called ? true : undefined), 30_000, 'the batch');
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await sleep(1_000);
    expect(stopped).toBe(false);
    work.open();
    await stopping;
    expect(await committed(groupId, topic)).toBe('3');
  });

  it('tells its backlog what waits behind each batch, until every batch is done', async () => {
    const topic = await newTopic();
    // Twenty record batches of 100 KiB, fetched 128 KiB at a time: batches leave others waiting.
    for (let i = 0; i < 20; i++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 100 }, () => ({ value: 'x'.repeat(1_000) })),
      });
    }
    const backlog = new ConsumerBacklog();
    const seen: { first: number; rows: number }[] = [];
    const first = gate();
    await start(
      topic,
      (batch) => {
        seen.push({ first: Number(batch.messages[0]?.offset), rows: backlog.rows() });
        return { done: seen.length === 1 ? first.promise : Promise.resolve() };
      },
      { backlog, maxBytesPerPartition: 128 * 1024 },
    );
    await eventually(
      () => Promise.resolve(seen.length > 0 ? true : undefined),
      30_000,
      'a first batch',
    );
    await sleep(300);
    // Held by its first batch's insert: everything is still to do, fetched or not.
    expect(seen).toEqual([{ first: 0, rows: 2_000 }]);
    expect(backlog.rows()).toBe(2_000);
    first.open();
    await eventually(
      () => Promise.resolve(backlog.rows() === 0 ? true : undefined),
      30_000,
      'every batch done',
    );
    expect(seen.length).toBeGreaterThan(1);
    // Each later batch saw the messages from its own first offset on still to do.
    for (const s of seen) expect(s.rows).toBe(2_000 - s.first);
  });
});
