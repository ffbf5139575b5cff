// The import_jobs table: one row per run of the daily job; one function per statement.
import type pg from 'pg';

export type JobTrigger =
  | { readonly by: 'manual' }
  | { readonly by: 'schedule'; readonly scheduledFor: Date; readonly backfilled: boolean };

export interface ImportJobRecord {
  readonly job_id: number;
  readonly trigger: 'schedule' | 'manual';
  readonly scheduled_for: string | null;
  readonly backfilled: boolean;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly error: string | null;
  readonly started_at: string;
  readonly finished_at: string | null;
}

const COLUMNS = `job_id::float8 AS job_id, trigger, to_json(scheduled_for)#>>'{}' AS scheduled_for,
  backfilled, status, error, to_json(started_at)#>>'{}' AS started_at,
  to_json(finished_at)#>>'{}' AS finished_at`;

/** Records a run; undefined when this tick of the schedule has been recorded already. */
export async function createJobRun(
  pool: pg.Pool,
  trigger: JobTrigger,
): Promise<ImportJobRecord | undefined> {
  const r = await pool.query<ImportJobRecord>(
    `INSERT INTO import_jobs (trigger, scheduled_for, backfilled) VALUES ($1, $2, $3)
     ON CONFLICT (scheduled_for) WHERE trigger = 'schedule' DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      trigger.by,
      trigger.by === 'schedule' ? trigger.scheduledFor : null,
      trigger.by === 'schedule' && trigger.backfilled,
    ],
  );
  return r.rows[0];
}

export async function finishJobRun(
  pool: pg.Pool,
  jobId: number,
  error: string | null,
): Promise<ImportJobRecord> {
  const r = await pool.query<ImportJobRecord>(
    `UPDATE import_jobs SET status = CASE WHEN $2::text IS NULL THEN 'succeeded' ELSE 'failed' END,
            error = $2, finished_at = now()
      WHERE job_id = $1 RETURNING ${COLUMNS}`,
    [jobId, error],
  );
  return r.rows[0]!;
}

/** The newest runs first. */
export async function listJobRuns(pool: pg.Pool, limit: number): Promise<ImportJobRecord[]> {
  const r = await pool.query<ImportJobRecord>(
    `SELECT ${COLUMNS} FROM import_jobs ORDER BY job_id DESC LIMIT $1`,
    [limit],
  );
  return r.rows;
}
