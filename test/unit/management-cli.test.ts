import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newMigration } from '../../cli/db-commands.js';
import { checksFor } from '../../cli/verify.js';

describe('db:new-migration', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const sqlDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'sf-sql-'));
    dirs.push(d);
    mkdirSync(path.join(d, 'postgres'));
    writeFileSync(path.join(d, 'postgres', '0001_first.sql'), '');
    writeFileSync(path.join(d, 'postgres', '0002_second.sql'), '');
    return d;
  };

  it('writes the next number, the name made a slug, in Postgres or ClickHouse', () => {
    const d = sqlDir();
    const pg = newMigration(['Add order tables!'], d);
    expect(path.relative(d, pg)).toBe(path.join('postgres', '0003_add_order_tables.sql'));
    expect(readFileSync(pg, 'utf8')).toMatch(/^-- Postgres migration/);
    const ch = newMigration(['orders', '--clickhouse'], d);
    expect(path.relative(d, ch)).toBe(path.join('clickhouse', '0001_orders.sql'));
    expect(readFileSync(ch, 'utf8')).toMatch(/\{db\}/);
  });

  it('refuses no name, two names, an unknown option and a name without letters', () => {
    const d = sqlDir();
    expect(() => newMigration([], d)).toThrow(/needs one NAME\nusage: stockflow db:new-migration/);
    expect(() => newMigration(['a', 'b'], d)).toThrow(/needs one NAME/);
    expect(() => newMigration(['a', '--mysql'], d)).toThrow(/unknown option --mysql/);
    expect(() => newMigration(['!!!'], d)).toThrow(/letters or digits/);
    expect(readdirSync(path.join(d, 'postgres'))).toHaveLength(2);
  });
});

describe('verify', () => {
  it('asks every GET with sample parameters, every POST that takes a body with an empty one, and never one that would act', () => {
    const { checks, notCalled } = checksFor({
      paths: {
        '/health': { get: {} },
        '/things/{id}': {
          get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }] }, // prettier-ignore
        },
        '/report': {
          get: {
            parameters: [
              { name: 'start_date', in: 'query', required: true, schema: { type: 'string', examples: ['2025-01-31'] } }, // prettier-ignore
              { name: 'limit', in: 'query', schema: { type: 'integer' } },
            ],
          },
        },
        '/things': { post: { requestBody: { required: true } } },
        '/run-now': { post: {} },
      },
    });
    expect(checks.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /health',
      'GET /ready',
      'GET /metrics',
      'GET /things/00000000-0000-4000-8000-000000000000',
      'GET /report?start_date=2025-01-31',
      'POST /things',
    ]);
    const post = checks.at(-1)!;
    expect([post.expect(400), post.expect(201), post.expect(500)]).toEqual([true, false, false]);
    const get = checks[3]!;
    expect([get.expect(200), get.expect(404), get.expect(400), get.expect(503)]).toEqual([true, true, false, false]); // prettier-ignore
    expect(notCalled).toEqual(['POST /run-now (it takes no body, so calling it would act)']);
  });
});
