// The job queue's schedules: two stockflow processes that run the job queue
// start after ticks they both missed; the daily import's tick is caught up
// once, by one of them, and imports the inbox's new file once; the hourly
// pruning of idempotency keys forgets the keys past their age, and only those.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAILY_TASK } from '../../ingest/imports/schedule.js';
import { PRUNE_KEYS_TASK } from '../../ingest/orders/prune-keys.js';
import { eventually } from '../../testkit/pipeline-harness.js';
import { createTestDatabase, randomName } from '../../testkit/resources.js';
import {
  runStockflow,
  serveStockflow,
  stopChild,
  type ServingStockflow,
} from '../../testkit/stockflow-process.js';

describe('the daily import schedule', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let inbox: string;
  let apps: ServingStockflow[] = [];
  // A daily tick half an hour ago: missed, since nothing ran then.
  const tick = new Date(Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000);
  const schedule = `${tick.getUTCMinutes()} ${tick.getUTCHours()} * * *`;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    inbox = mkdtempSync(path.join(tmpdir(), 'stockflow-schedule-'));
    const id = 100_000 + Math.floor(Math.random() * 800_000);
    writeFileSync(
      path.join(inbox, 'countries-daily.csv'),
      `ID_COUNTRY,COUNTRY_NAME,CONTINENT\n${id},Ruritania,Europe\n`,
    );
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    expect(runStockflow(['main.ts', 'migrate'], env).status).toBe(0);
    // The schedule has been known for days and last ran two days ago, as after a downtime.
    await runMigrations({ connectionString: db.url, logger: undefined });
    await pool.query(
      `INSERT INTO graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
       VALUES ($1, now() - interval '5 days', now() - interval '2 days'),
              ($2, now() - interval '5 days', now() - interval '2 hours')`,
      [DAILY_TASK, PRUNE_KEYS_TASK],
    );
    // Keys of a day and an hour ago, and of an hour ago (ORDER_IDEMPOTENCY_HOURS is 24).
    await pool.query(
      `INSERT INTO idempotency_keys (key, request_hash, status_code, response, created_at) VALUES
         ('old', 'h', 202, '{}', now() - interval '25 hours'),
         ('fresh', 'h', 202, '{}', now() - interval '1 hour')`,
    );
    const topic = randomName('schedule');
    const start = () =>
      serveStockflow(['jobs'], {
        ...env,
        IMPORT_SCHEDULE: schedule,
        IMPORT_INBOX_DIR: inbox,
        KAFKA_TOPIC: `${topic}.movements`,
        KAFKA_SALES_TOPIC: `${topic}.sales`,
        KAFKA_GROUP_ID: topic,
      });
    apps = await Promise.all([start(), start()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => stopChild(a.child, 'SIGTERM')));
    await pool?.end();
    rmSync(inbox, { recursive: true, force: true });
    await db?.drop();
  });

  it('catches up a missed tick once across two processes, importing the new file once', async () => {
    const job = await eventually(
      async () => {
        const r = await pool.query<{ status: string }>(
          `SELECT status FROM import_jobs WHERE status <> 'running'`,
        );
        return r.rows[0];
      },
      60_000,
      'the caught-up run to finish',
    );
    expect(job.status).toBe('succeeded');
    // Nothing left queued: the queue's cron row has moved past the tick, no job waits.
    await eventually(
      async () => {
        const r = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1`,
          [DAILY_TASK],
        );
        return r.rows[0]!.n === 0 ? true : undefined;
      },
      30_000,
      'no daily job left in the queue',
    );
    const runs = await pool.query(
      `SELECT trigger, scheduled_for, backfilled, status FROM import_jobs`,
    );
    expect(runs.rows).toEqual([
      { trigger: 'schedule', scheduled_for: tick, backfilled: true, status: 'succeeded' },
    ]);
    const imports = await pool.query(
      `SELECT kind, file_name, status, rows_imported::int AS imported FROM imports`,
    );
    expect(imports.rows).toEqual([
      { kind: 'countries', file_name: 'countries-daily.csv', status: 'succeeded', imported: 1 },
    ]);
    expect((await pool.query(`SELECT name FROM countries`)).rows).toEqual([{ name: 'Ruritania' }]);
    expect(apps.every((a) => a.child.exitCode === null)).toBe(true);
  });

  it('prunes the idempotency keys past their age, keeping the others', async () => {
    const keys = await eventually(
      async () => {
        const r = await pool.query<{ key: string }>(
          `SELECT key FROM idempotency_keys ORDER BY key`,
        );
        return r.rows.some((k) => k.key === 'old') ? undefined : r.rows;
      },
      60_000,
      'the missed hourly pruning to run',
    );
    expect(keys).toEqual([{ key: 'fresh' }]);
  });
});
