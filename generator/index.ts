import type { Kafka } from 'kafkajs';
import type { Config } from '../lib/config.js';
import { ensureTopics } from '../lib/kafka/client.js';
import { javaCompatiblePartitioner } from '../lib/kafka/partitioner.js';
import type { Logger } from '../lib/logger.js';
import { DEMO_SEED } from './demo-reference.js';
import type { Progress } from './progress.js';
import { logProgress } from './progress.js';
import type { RunOptions } from './publish.js';
import { formatSummary, kafkaSink, runGeneration } from './publish.js';
import { defaultPeriod } from './timeline.js';
import type { GenerateOptions, Summary } from './types.js';

// The generator as a library: `npm run generate` (generator/cli.ts) and the
// service's demo data both come through here.

export type { GenerateOptions, GeneratedMessage, MessageKind, Summary } from './types.js';
export type { Plan } from './stream.js';
export { checkOptions, generateMessages, planGeneration } from './stream.js';
export type { RunOptions, Sink } from './publish.js';
export { formatSummary, kafkaSink, ndjsonSink, runGeneration } from './publish.js';
export type { Progress } from './progress.js';
export { streamProgress } from './progress.js';
export { buildWorld, CATEGORIES } from './world.js';
export { SALE_KEYS, centsText } from './sales.js';
export { defaultPeriod } from './timeline.js';
export type { CsvFile, CsvKind, CsvOptions, CsvSummary } from './csv/write-files.js';
export { CSV_KINDS, formatCsvSummary, writeCsvFiles } from './csv/write-files.js';
export type {
  DemoReferenceResult,
  ReferenceImporter,
  ReferenceImportOutcome,
  ReferenceKind,
} from './demo-reference.js';
export { DEMO_SEED, loadDemoReference } from './demo-reference.js';

export const DEFAULT_SALES_TOPIC = 'sales';

/** The raw sales topic: `KAFKA_SALES_TOPIC` where the config has it, else `sales`. */
export function salesTopicOf(config: Config): string {
  const value = (config as Partial<Record<'kafkaSalesTopic', unknown>>).kafkaSalesTopic;
  return typeof value === 'string' && value !== '' ? value : DEFAULT_SALES_TOPIC;
}

/** The defaults of `npm run generate`, for `config`'s topics. */
export function defaultOptions(config: Config, now = new Date()): GenerateOptions {
  return {
    movements: 10_000,
    sales: 10_000,
    seed: 1,
    ...defaultPeriod(now),
    malformed: 0.01,
    duplicates: 0.02,
    outOfOrder: 0.1,
    losses: 0.05,
    movementsTopic: config.kafkaTopic,
    salesTopic: salesTopicOf(config),
  };
}

export interface KafkaRun extends Omit<RunOptions, 'sink' | 'dryRun'> {
  readonly kafka: Kafka;
  /** Partitions of the topics created when missing. */
  readonly partitions: number;
}

/** Creates the two raw topics if missing, then publishes the run. */
export async function publishToKafka(run: KafkaRun): Promise<Summary> {
  const { kafka, partitions, ...options } = run;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      { topic: options.movementsTopic, numPartitions: partitions },
      { topic: options.salesTopic, numPartitions: partitions },
    ]);
  } finally {
    await admin.disconnect();
  }
  // One request in flight keeps every key's order (a departure before its
  // arrival, unless published early on purpose). Not idempotent: kafkajs warns
  // that the bounded retries of createKafka void its guarantee anyway, and a
  // rare retry duplicate is what the pipeline dedupes.
  const producer = kafka.producer({
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner,
  });
  await producer.connect();
  try {
    return await runGeneration({ ...options, sink: kafkaSink(producer), dryRun: false });
  } finally {
    await producer.disconnect();
  }
}

export interface DemoDataOptions {
  readonly kafka: Kafka;
  readonly config: Config;
  readonly logger: Logger;
  /** Default 2,000. */
  readonly movements?: number;
  /** Sale lines; default 5,000. */
  readonly sales?: number;
  readonly signal?: AbortSignal;
}

/**
 * A small, clean demo dataset for a newcomer's first look: seed 1 (DEMO_SEED), the last 90
 * days, no malformed messages and no duplicates (arrivals out of order and
 * losses in transit stay: they are part of the story). Published to the raw
 * topics, so it goes through ingest and processing like real upstream data.
 * The same day gives the same ids: publishing twice changes no stock.
 */
export async function publishDemoData(options: DemoDataOptions): Promise<Summary> {
  const { config, logger } = options;
  const log = logger.child({ component: 'demo-data' });
  const progress: Progress = logProgress((fields, message) => log.info(fields, message));
  const summary = await publishToKafka({
    ...defaultOptions(config),
    seed: DEMO_SEED,
    movements: options.movements ?? 2_000,
    sales: options.sales ?? 5_000,
    malformed: 0,
    duplicates: 0,
    kafka: options.kafka,
    partitions: config.kafkaPartitions,
    progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  log.info({ summary }, formatSummary(summary));
  return summary;
}
