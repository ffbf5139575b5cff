-- The daily job (seed 002's task): one row per run, scheduled or triggered by
-- hand, and the imports it started. A scheduled run is recorded once per tick
-- of the schedule, whichever process ran it: the job queue schedules a tick
-- once across processes, and this index makes a second record of it impossible.
CREATE TABLE import_jobs (
    job_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    scheduled_for timestamptz,
    backfilled    boolean NOT NULL DEFAULT false,
    status        text NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'succeeded', 'failed')),
    error         text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CHECK ((trigger = 'schedule') = (scheduled_for IS NOT NULL))
);
CREATE UNIQUE INDEX import_jobs_once_per_tick ON import_jobs (scheduled_for)
    WHERE trigger = 'schedule';

ALTER TABLE imports ADD COLUMN job_id bigint REFERENCES import_jobs ON DELETE SET NULL;
CREATE INDEX imports_of_job ON imports (job_id) WHERE job_id IS NOT NULL;
