import type { Admin, Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { once, scrapeRead, type Registry } from '../metrics.js';

// kafka_consumer_lag{group,topic,partition}: how many messages of each partition a consumer group
// has not committed yet, as the broker sees it (the partition's high watermark less the group's
// committed offset), read with Kafka's admin API at scrape time. The consumer's own view of its
// backlog (ConsumerBacklog) lives inside one process; this one is the group's, whichever member
// holds the partition, and it also shows a group none of whose members runs.

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/**
 * A group's lag on one topic: end offset less the committed offset; a partition with no commit
 * yet (offset -1) waits for all it holds, as the consumers start from the beginning.
 */
export function partitionLags(
  topic: string,
  committed: readonly { partition: number; offset: string }[],
  ends: readonly { partition: number; high: string; low: string }[],
): PartitionLag[] {
  const done = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  return [...ends]
    .sort((a, b) => a.partition - b.partition)
    .map((e) => {
      const high = BigInt(e.high);
      const low = BigInt(e.low);
      const at = done.get(e.partition) ?? -1n;
      const from = at < 0n ? low : at < low ? low : at; // a commit below retention counts from low
      return { topic, partition: e.partition, lag: Number(high > from ? high - from : 0n) };
    });
}

interface LagState {
  readonly kafka: Kafka;
  readonly groups: Map<string, readonly string[]>;
  admin?: Admin;
  /** A connection under way: a scrape that gave up on it does not start another. */
  connecting?: Promise<Admin>;
}

const states = new WeakMap<Registry, LagState>();

async function readLags(state: LagState): Promise<Map<string, PartitionLag[]>> {
  if (!state.admin) {
    state.connecting ??= (async () => {
      const fresh = state.kafka.admin();
      try {
        await fresh.connect();
        state.admin = fresh;
        return fresh;
      } finally {
        state.connecting = undefined;
      }
    })();
    await state.connecting;
  }
  const admin = state.admin;
  if (!admin) throw new Error('no admin connection to Kafka');
  try {
    const ends = new Map<string, Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>>>();
    const endsOf = (topic: string) => {
      let e = ends.get(topic);
      if (!e) ends.set(topic, (e = admin.fetchTopicOffsets(topic)));
      return e;
    };
    const result = new Map<string, PartitionLag[]>();
    await Promise.all(
      [...state.groups].map(async ([groupId, topics]) => {
        const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
        const lags = await Promise.all(
          committed.map(async (t) => partitionLags(t.topic, t.partitions, await endsOf(t.topic))),
        );
        result.set(groupId, lags.flat());
      }),
    );
    return result;
  } catch (err) {
    // A broken connection is dropped: the next scrape connects afresh.
    state.admin = undefined;
    await admin.disconnect().catch(() => undefined);
    throw err;
  }
}

function lagState(registry: Registry, kafka: Kafka, logger: Logger): LagState {
  let state = states.get(registry);
  if (state) return state;
  const s: LagState = { kafka, groups: new Map() };
  states.set(registry, (state = s));
  const read = scrapeRead({
    registry,
    collector: 'kafka_consumer_lag',
    logger,
    // Its admin client retries a broker that is away for far longer: give up within the scrape.
    timeoutMs: 2_000,
    read: () => readLags(s),
  });
  once(
    registry,
    'kafka_consumer_lag',
    () =>
      new Gauge({
        name: 'kafka_consumer_lag',
        help: "Messages of a partition its consumer group has not committed yet: the partition's end offset less the group's committed offset, from Kafka at scrape time.",
        labelNames: ['group', 'topic', 'partition'],
        registers: [registry],
        async collect() {
          const lags = s.groups.size > 0 ? await read() : new Map<string, PartitionLag[]>();
          // Stale figures would mislead: a failed read shows no lag series (dependency_up tells why).
          this.reset();
          for (const [group, partitions] of lags ?? []) {
            for (const p of partitions) {
              this.set({ group, topic: p.topic, partition: String(p.partition) }, p.lag);
            }
          }
        },
      }),
  );
  return state;
}

export interface ConsumerLagOptions {
  readonly registry: Registry;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly groupId: string;
  readonly topics: readonly string[];
}

/**
 * Reports a consumer group's lag in kafka_consumer_lag while it runs. Every consumer role of a
 * process adds its group to the one gauge of the process's registry, read through one admin
 * connection; the last to stop closes it.
 */
export function consumerLagService(options: ConsumerLagOptions): Service {
  return {
    name: `consumer-lag-${options.groupId}`,
    start() {
      const state = lagState(options.registry, options.kafka, options.logger);
      state.groups.set(options.groupId, options.topics);
      return Promise.resolve();
    },
    async stop() {
      const state = states.get(options.registry);
      if (!state) return;
      state.groups.delete(options.groupId);
      if (state.groups.size === 0 && state.admin) {
        const admin = state.admin;
        state.admin = undefined;
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
