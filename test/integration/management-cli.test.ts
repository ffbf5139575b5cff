// The management commands, run as a user types them: `npx stockflow <command>`
// from the repository root, on a database and inbox of this test's own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { sections, shellCommands } from '../markdown.js';
import { createTestClickHouse, createTestDatabase, randomName } from '../../testkit/resources.js';
import { serveStockflow, stopChild } from '../../testkit/stockflow-process.js';

describe('npx stockflow <command>', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: ReturnType<typeof createTestClickHouse>;
  let inbox: string;
  let env: Record<string, string>;
  const npx = (...args: string[]) =>
    spawnSync('npx', ['--no-install', 'stockflow', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    ch = createTestClickHouse();
    inbox = mkdtempSync(path.join(tmpdir(), 'stockflow-cli-'));
    const topic = randomName('cli');
    env = {
      DATABASE_URL: db.url,
      CLICKHOUSE_DATABASE: ch.name,
      IMPORT_INBOX_DIR: inbox,
      KAFKA_TOPIC: `${topic}.movements`,
      KAFKA_SALES_TOPIC: `${topic}.sales`,
      KAFKA_GROUP_ID: topic,
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    rmSync(inbox, { recursive: true, force: true });
    await db?.drop();
    await ch?.drop();
  });

  it('--help lists every command; an unknown one gets one line and the commands', () => {
    const help = npx('--help');
    expect(help.status).toBe(0);
    for (const command of [
      'up',
      'down',
      'status',
      'logs',
      'migrate',
      'db:new-migration',
      'db:shell',
      'db:run',
      'db:init',
      'import',
      'imports',
      'failed-rows',
      'trigger',
      'verify',
    ])
      // prettier-ignore
      expect(help.stdout).toMatch(new RegExp(`^  (\\S+ \\| )*${command}\\b`, 'm'));
    const unknown = npx('frobnicate');
    expect(unknown.status).toBe(1);
    const lines = unknown.stderr.trim().split('\n');
    expect(lines[0]).toBe('stockflow: unknown command frobnicate');
    expect(lines[1]).toMatch(/^usage: stockflow <command> .*commands: all, .*verify/);
    expect(lines).toHaveLength(2);
    const none = npx();
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^stockflow: a command is needed\nusage: /);
  });

  it('db:init migrates and loads examples/ once; imports and failed-rows show it; db:run reads it', () => {
    const init = npx('db:init');
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/duplicate \(countries from countries\.csv\)/);
    expect(init.stdout).toMatch(
      /succeeded: 6 rows read, 3 imported, 3 failed, 0 duplicate \(sales from sales\.csv\)/,
    );
    expect(init.stdout).not.toMatch(/ndjson/);
    expect(init.stdout).toMatch(
      /^demo countries: import \d+ succeeded, (\d+) of \1 rows imported, 0 failed$/m,
    );
    expect(init.stdout).toMatch(/^demo warehouses: import \d+ succeeded/m);
    const again = npx('db:init');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/sales\.csv: skipped, imported before, by import \d+/);
    expect(again.stdout).toMatch(/nothing new in .*examples/);
    expect(again.stdout).toMatch(/^demo countries: imported before, by import \d+$/m);

    const list = npx('imports', '--limit', '4');
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(4); // the newest first: the demo's three, then the sales file
    expect(lines[0]).toMatch(/\(products from demo-seed-1-products\.csv\)$/);
    const sales = /import (\d+) succeeded: .*\(sales from sales\.csv\)/.exec(lines[3]!);
    expect(sales).not.toBeNull();
    const failed = npx('failed-rows', sales![1]!);
    expect(failed.status).toBe(0);
    const rows = failed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number });
    expect(rows.map((r) => r.line)).toHaveLength(3);

    const countries = npx('db:run', "SELECT country_id, name FROM countries WHERE country_id IN ('170', '203') ORDER BY 1"); // prettier-ignore
    expect(countries.status).toBe(0);
    expect(countries.stdout).toMatch(/'170'\s*│\s*'Colombia'/);
    expect(countries.stdout).toMatch(/\(2 rows\)/);
    const bad = npx('db:run', 'SELEC 1');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('stockflow: db:run: syntax error at or near "SELEC"');
    expect(npx('db:run').stderr).toMatch(/^stockflow: db:run needs one SQL statement/);
    expect(npx('imports', '--limit', 'lots').stderr).toMatch(/^stockflow: --limit must be/);
    expect(npx('db:new-migration').stderr).toMatch(/^stockflow: db:new-migration needs one NAME/);
  }, 240_000);

  it('trigger imports the inbox files not imported yet, and then nothing', () => {
    writeFileSync(
      path.join(inbox, 'countries-cli.csv'),
      'ID_COUNTRY,COUNTRY_NAME,CONTINENT\n900001,Elbonia,Europe\n',
    );
    writeFileSync(path.join(inbox, 'notes.txt'), 'not an import');
    const first = npx('trigger');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/notes\.txt: skipped, its name names no import kind/);
    expect(first.stdout).toMatch(/1 rows read, 1 imported, 0 failed, 0 duplicate \(countries from countries-cli\.csv\)/); // prettier-ignore
    const second = npx('trigger');
    expect(second.stdout).toMatch(/countries-cli\.csv: skipped, imported before/);
    expect(second.stdout).toMatch(/nothing new in /);
    const gone = spawnSync('npx', ['--no-install', 'stockflow', 'trigger'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, IMPORT_INBOX_DIR: path.join(inbox, 'absent') },
      encoding: 'utf8',
    });
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(
      /failed: the import inbox .*absent does not exist \(IMPORT_INBOX_DIR\)/,
    );
    expect(gone.stdout).toBe('');
  }, 120_000);

  it("README's management commands work as pasted", async () => {
    const section = sections(readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8')).find(
      (s) => s.path.at(-1) === 'Management commands',
    );
    const commands = section!.fences.flatMap((f) => shellCommands(f.code));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    const app = await serveStockflow(['api', 'ingest'], env);
    try {
      for (const command of commands) {
        const r = spawnSync('bash', ['-c', command], {
          cwd: PROJECT_ROOT,
          env: { ...process.env, ...env, PORT: new URL(app.base).port },
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(r.status, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      }
    } finally {
      await stopChild(app.child, 'SIGTERM');
    }
  }, 300_000);

  it('verify asks every endpoint of a running stockflow and says so; a dead URL fails', async () => {
    const app = await serveStockflow(['api', 'ingest'], env);
    try {
      const ok = spawnSync('npx', ['--no-install', 'stockflow', 'verify', app.base], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(ok.stdout).toMatch(/^ok {3}404 .*GET \/api\/movements\//m);
      expect(ok.stdout).toMatch(/^ok {3}200 .*GET \/analytics\/countries\?start_date=/m);
      expect(ok.stdout).toMatch(/^ok {3}400 .*POST \/ingest$/m);
      expect(ok.stdout).toMatch(/^skip .*POST \/trigger-job/m);
      expect(ok.stdout.trim().split('\n').at(-1)).toBe('every endpoint answered');
      expect(ok.status).toBe(0);
    } finally {
      await stopChild(app.child, 'SIGTERM');
    }
    const dead = npx('verify', 'http://127.0.0.1:9');
    expect(dead.status).toBe(1);
    expect(dead.stdout).toMatch(/^FAIL http:\/\/127\.0\.0\.1:9: no OpenAPI document/);
  }, 120_000);
});
