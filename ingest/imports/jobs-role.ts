import { jobQueueService } from '../../lib/postgres/job-queue.js';
import { producerService, topicsService } from '../../lib/kafka/services.js';
import type { RoleParts } from '../../lib/role.js';
import type { Runtime } from '../../lib/runtime.js';
import { PRUNE_KEYS_TASK, pruneKeysCron, pruneKeysTask } from '../orders/prune-keys.js';
import { STREAMS } from '../streams/index.js';
import { importDeps } from './daily-job.js';
import { importMetrics } from './metrics.js';
import { DAILY_TASK, dailyCron, dailyTask } from './schedule.js';

/**
 * The job queue (graphile-worker on stockflow's Postgres) and its scheduled
 * jobs: the daily import (IMPORT_SCHEDULE) and the hourly pruning of old
 * idempotency keys. Fact files go to the validated topics, so the role has a
 * producer of its own and makes sure the topics exist.
 */
export function createRole(rt: Runtime): Promise<RoleParts> {
  const { config } = rt;
  const producer = producerService(rt.kafka, 'jobs-producer');
  const deps = importDeps(rt, producer.producer);
  importMetrics(rt.metrics, rt.pool, rt.logger);
  return Promise.resolve({
    services: [
      topicsService(
        rt.kafka,
        STREAMS.map((s) => s.topics(config)),
        config.kafkaPartitions,
      ),
      producer,
      jobQueueService({
        connectionString: config.databaseUrl,
        logger: rt.logger,
        tasks: {
          [DAILY_TASK]: dailyTask(deps),
          [PRUNE_KEYS_TASK]: pruneKeysTask(rt.pool, config.orderIdempotencyHours, rt.logger),
        },
        cron: [...dailyCron(config.importSchedule), pruneKeysCron],
        cronSetting: 'IMPORT_SCHEDULE',
      }),
    ],
    features: [],
    dependencies: ['kafka', 'schema_registry', 'postgres'],
  });
}
