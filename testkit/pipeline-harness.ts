import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage, Producer } from 'kafkajs';
import { loadConfig, type Config } from '../lib/config.js';
import type { Service } from '../lib/lifecycle.js';
import { createRegistry } from '../lib/metrics.js';
import { migrate } from '../lib/migrate.js';
import { createRuntime, type Runtime } from '../lib/runtime.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';
import {
  movementTopics,
  orderTopics,
  salesTopics,
  type MovementTopics,
  type OrderTopics,
  type SalesTopics,
} from '../lib/kafka/topics.js';
import type { RoleParts } from '../lib/role.js';
import { createRole as ingestRole } from '../ingest/role.js';
import { createRole as processRole } from '../processors/role.js';
import { createRole as ordersRole } from '../processors/orders/role.js';
import { createRole as relayRole } from '../processors/relay/role.js';
import { createRole as sinkRole } from '../processors/sink/role.js';
import {
  createTestClickHouse,
  createTestDatabase,
  deleteSubjects,
  randomName,
  testKafka,
  testLogger,
} from './resources.js';

/** An isolated pipeline: its own raw topic (and so every derived topic), group, Postgres and ClickHouse databases. */
export interface Pipeline {
  readonly env: Record<string, string>;
  readonly config: Config;
  readonly topics: MovementTopics;
  /** The sales pipeline's topics (`KAFKA_SALES_TOPIC`, random too). */
  readonly sales: SalesTopics;
  /** The orders' topics (`KAFKA_ORDERS_TOPIC`, random too). */
  readonly orders: OrderTopics;
  readonly runtime: Runtime;
  readonly producer: Producer;
  /** Starts another instance of a role in this process (same group). */
  startRole(role: HarnessRole): Promise<RoleInstance>;
  /** Produces to the raw movements topic. */
  produceRaw(values: (string | Buffer)[], key?: (i: number) => string | null): Promise<void>;
  /** Produces to any topic, e.g. `sales.raw`. */
  produce(
    topic: string,
    values: (string | Buffer)[],
    key?: (i: number) => string | null,
  ): Promise<void>;
  /** Waits until ingest has consumed everything on the raw topic and the processor everything ingest produced. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export type HarnessRole = 'ingest' | 'process' | 'orders' | 'relay' | 'sink';

export interface RoleInstance {
  readonly runtime: Runtime;
  /** The role's HTTP routes (ingest's POST endpoints), for a test to serve. */
  readonly features: RoleParts['features'];
  stop(): Promise<void>;
}

export async function createPipeline(settings: Record<string, string> = {}): Promise<Pipeline> {
  const db = await createTestDatabase();
  const ch = createTestClickHouse();
  const env: Record<string, string> = {
    KAFKA_TOPIC: randomName('movements'),
    KAFKA_SALES_TOPIC: randomName('sales'),
    KAFKA_ORDERS_TOPIC: randomName('orders'),
    KAFKA_GROUP_ID: randomName('group'),
    CLICKHOUSE_DATABASE: ch.name,
    DATABASE_POOL_SIZE: '5',
    ...settings,
  };
  const config = loadConfig({ ...process.env, ...env, DATABASE_URL: db.url });
  const runtime = createRuntime(config, testLogger, createRegistry());
  await migrate({
    pool: runtime.pool,
    clickhouse: ch.client,
    clickhouseDatabase: ch.name,
    logger: testLogger,
  });
  const topics = movementTopics(config.kafkaTopic);
  const sales = salesTopics(config.kafkaSalesTopic);
  const orders = orderTopics(config.kafkaOrdersTopic);
  const kafka = testKafka();
  const producer = kafka.producer();
  await producer.connect();
  const instances: RoleInstance[] = [];

  async function startRole(role: HarnessRole): Promise<RoleInstance> {
    const rt = createRuntime(config, testLogger, createRegistry());
    const create = {
      ingest: ingestRole,
      process: processRole,
      orders: ordersRole,
      relay: relayRole,
      sink: sinkRole,
    }[role];
    const parts: RoleParts = await create(rt);
    const started: Service[] = [];
    for (const s of parts.services) {
      await s.start();
      started.push(s);
    }
    const instance: RoleInstance = {
      runtime: rt,
      features: parts.features,
      async stop() {
        for (const s of started.reverse()) await s.stop();
        await rt.close();
        instances.splice(instances.indexOf(instance), 1);
      },
    };
    instances.push(instance);
    return instance;
  }

  async function produce(
    topic: string,
    values: (string | Buffer)[],
    key?: (i: number) => string | null,
  ): Promise<void> {
    await sendAll(producer, [
      { topic, messages: values.map((value, i) => ({ key: key ? key(i) : null, value })) },
    ]);
  }

  return {
    env: { ...env, DATABASE_URL: db.url },
    config,
    topics,
    sales,
    orders,
    runtime,
    producer,
    startRole,
    produceRaw: (values, key) => produce(topics.raw, values, key),
    produce,
    async caughtUp(timeoutMs = 60_000) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = async (topic: string) =>
          new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
        await eventually(
          async () => {
            const rawEnds = await ends(topics.raw);
            const ingested = await admin.fetchOffsets({
              groupId: `${config.kafkaGroupId}.ingest`,
              topics: [topics.raw],
            });
            for (const o of ingested[0]?.partitions ?? []) {
              const committed = BigInt(o.offset === '-1' ? 0 : o.offset);
              if (committed < (rawEnds.get(o.partition) ?? 0n)) return undefined;
            }
            if (
              (ingested[0]?.partitions.length ?? 0) < rawEnds.size &&
              [...rawEnds.values()].some((e) => e > 0n)
            ) {
              return undefined;
            }
            const validatedEnds = await ends(topics.validated);
            const applied = await runtime.pool.query<{ partition: number; next_offset: string }>(
              'SELECT partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
              [`${config.kafkaGroupId}.process`, topics.validated],
            );
            const done = new Map(applied.rows.map((r) => [r.partition, BigInt(r.next_offset)]));
            for (const [partition, end] of validatedEnds)
              if ((done.get(partition) ?? 0n) < end) return undefined;
            return true;
          },
          timeoutMs,
          'the pipeline to catch up',
        );
      } finally {
        await admin.disconnect();
      }
    },
    async close() {
      for (const i of [...instances].reverse()) await i.stop();
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      // Only the topics that exist: deleting a missing one is retried by kafkajs for some 20 s
      // (UNKNOWN_TOPIC_OR_PARTITION), and a pipeline whose roles never ran has few topics.
      const mine = [
        topics.raw,
        topics.validated,
        topics.dlq,
        topics.movementChanges,
        topics.stockChanges,
        sales.raw,
        sales.validated,
        sales.dlq,
        orders.raw,
        orders.validated,
        orders.dlq,
        orders.accepted,
        orders.changes,
      ];
      const existing = new Set(await admin.listTopics().catch(() => mine));
      await admin
        .deleteTopics({ topics: mine.filter((t) => existing.has(t)) })
        .catch(() => undefined);
      await admin.disconnect();
      await deleteSubjects([`${topics.validated}-value`, `${sales.validated}-value`]);
      await runtime.close();
      await db.drop();
      await ch.drop();
    },
  };
}

/**
 * Waits until `groupId` has committed every partition of `topics` up to its end (partitions
 * never written to count as done). The sink commits only after its inserts returned.
 */
export async function committedToEnd(
  groupId: string,
  topics: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        for (const topic of topics) {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          for (const h of await admin.fetchTopicOffsets(topic)) {
            const c = committed?.partitions.find((o) => o.partition === h.partition)?.offset;
            if (h.high !== '0' && c !== h.high) return undefined;
          }
        }
        return true;
      },
      timeoutMs,
      `${groupId} to commit ${topics.join(', ')} to the end`,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Polls until `check` returns a value (not undefined), or fails with the last value seen. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Reads `count` messages of a topic from the beginning (fewer if they do not come within the timeout). */
export async function readTopic(
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const consumer = testKafka().consumer({ groupId: randomName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: KafkaMessage[] = [];
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: ({ message }) => {
        got.push(message);
        if (got.length >= count) resolve();
        return Promise.resolve();
      },
    });
  });
  await Promise.race([done, sleep(timeoutMs)]);
  await consumer.disconnect();
  return got;
}

/** Messages in a topic so far (0 for a topic nobody created). */
export async function topicSize(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata();
    if (!topics.some((t) => t.name === topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}
