// The daily import job on the job queue: IMPORT_SCHEDULE's ticks become jobs
// that run the job of daily-job.ts. One queue name runs them one at a time
// across processes; a tick missed while nothing ran is back-filled within a day.
import type { CronItem, Task } from 'graphile-worker';
import type { DailyJobDeps } from './daily-job.js';
import { prepareDailyJob } from './daily-job.js';

export const DAILY_TASK = 'stockflow_daily_import';
export const CATCH_UP_MS = 24 * 60 * 60 * 1000;

/** What graphile-worker puts in a cron job's payload. */
interface CronPayload {
  readonly _cron?: { readonly ts: string; readonly backfilled: boolean };
}

export function dailyCron(schedule: string): CronItem[] {
  if (schedule === 'off') return [];
  return [
    {
      task: DAILY_TASK,
      match: schedule,
      identifier: DAILY_TASK,
      options: { backfillPeriod: CATCH_UP_MS, queueName: DAILY_TASK, maxAttempts: 5 },
    },
  ];
}

/** The task: one run of the daily job for the tick in its payload. */
export function dailyTask(deps: DailyJobDeps): Task {
  return async (payload) => {
    const cron = (payload as CronPayload)._cron;
    const tick = cron ? new Date(cron.ts) : new Date();
    const job = await prepareDailyJob(deps, {
      by: 'schedule',
      scheduledFor: tick,
      backfilled: cron?.backfilled ?? false,
    });
    if (!job) {
      deps.logger.info({ tick }, 'daily import job: this tick has run already');
      return;
    }
    const finished = await job.run();
    deps.logger.info(
      { job_id: finished.job_id, status: finished.status, imports: job.imports.length },
      'daily import job finished',
    );
  };
}
