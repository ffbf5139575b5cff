// The daily import job on its schedule: two stockflow processes that run the
// job queue start after a tick they both missed; the tick is caught up once,
// by one of them, and imports the inbox's new file once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAILY_TASK } from '../../ingest/imports/schedule.js';
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
       VALUES ($1, now() - interval '5 days', now() - interval '2 days')`,
      [DAILY_TASK],
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
});
