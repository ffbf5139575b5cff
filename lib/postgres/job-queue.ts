// A Postgres-backed job queue (graphile-worker) as a service: tasks and cron
// items in, a runner that starts and stops with the process. graphile-worker
// schedules each cron tick once across every process that runs it (a row per
// cron item whose last execution only moves forward), and back-fills ticks
// missed while no process ran. 0.17 is the newest line that runs on Node 20.
import {
  Logger as WorkerLogger,
  parseCronItems,
  run,
  type CronItem,
  type Runner,
  type TaskList,
} from 'graphile-worker';
import { ConfigError } from '../errors.js';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../logger.js';

export interface JobQueueOptions {
  readonly connectionString: string;
  readonly logger: Logger;
  readonly tasks: TaskList;
  readonly cron: readonly CronItem[];
  /** Jobs run at once in this process. */
  readonly concurrency?: number;
  /** Tells which setting a bad cron line came from. */
  readonly cronSetting?: string;
}

/** graphile-worker's log calls, into the process's pino logger. */
function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => {
    const log = logger.child({ component: 'job-queue', ...scope });
    return (level, message, meta) => {
      const name = String(level) as 'error' | 'warning' | 'info' | 'debug';
      const pinoLevel = name === 'warning' ? 'warn' : name;
      log[pinoLevel](meta ?? {}, message);
    };
  });
}

export function jobQueueService(options: JobQueueOptions): Service {
  let parsed: ReturnType<typeof parseCronItems>;
  try {
    parsed = parseCronItems([...options.cron]);
  } catch (err) {
    throw new ConfigError(
      `${options.cronSetting ?? 'the schedule'} is not a valid cron line: ${(err as Error).message}`,
    );
  }
  let runner: Runner | undefined;
  return {
    name: 'job-queue',
    async start() {
      runner = await run({
        connectionString: options.connectionString,
        // One connection listens for new jobs; the others run them.
        maxPoolSize: (options.concurrency ?? 1) + 2,
        concurrency: options.concurrency ?? 1,
        taskList: options.tasks,
        parsedCronItems: parsed,
        noHandleSignals: true, // the process's lifecycle drains and stops it
        logger: workerLogger(options.logger),
      });
    },
    async stop() {
      await runner?.stop();
    },
  };
}
