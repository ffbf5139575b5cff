import { Kafka, logLevel, type ITopicConfig, type LogEntry, type Admin } from 'kafkajs';
import type { Logger } from '../logger.js';

// kafkajs has had no release since 2023: every use of it goes through this
// module and the role adapters, so swapping the client stays a local change.

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
}

export function createKafka(options: KafkaOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions?: number;
  readonly configEntries?: ITopicConfig['configEntries'];
}

/** Creates missing topics; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  // Topic sets overlap (a stream's topics and its pipeline's); each is created once.
  const missing = [...new Map(topics.map((t) => [t.topic, t])).values()].filter(
    (t) => !existing.has(t.topic),
  );
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.topic,
      numPartitions: t.numPartitions ?? 3,
      replicationFactor: -1, // the broker's default, so one config fits one node and a cluster
      ...(t.configEntries ? { configEntries: t.configEntries } : {}),
    })),
  });
}
