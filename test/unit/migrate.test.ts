import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationError } from '../../lib/errors.js';
import { readMigrations, splitStatements, SQL_DIR } from '../../lib/migrate.js';

describe('splitStatements', () => {
  it('splits at semicolons outside quotes and comments', () => {
    const sql = `CREATE TABLE a (s String DEFAULT ';') ENGINE = Memory;
-- a comment; with a semicolon
INSERT INTO a VALUES ('it\\'s; fine');
SELECT \`odd;name\` FROM a`;
    expect(splitStatements(sql)).toEqual([
      "CREATE TABLE a (s String DEFAULT ';') ENGINE = Memory",
      "INSERT INTO a VALUES ('it\\'s; fine')",
      'SELECT `odd;name` FROM a',
    ]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitStatements("SELECT 'oops")).toThrow(MigrationError);
  });
});

describe('readMigrations', () => {
  const dirWith = (files: Record<string, string>): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sf-mig-'));
    for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
    return dir;
  };

  it('orders by number and checksums the content', () => {
    const dir = dirWith({ '0002_b.sql': 'SELECT 2;', '0001_a.sql': 'SELECT 1;' });
    const migrations = readMigrations(dir);
    expect(migrations.map((m) => m.name)).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(migrations[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(migrations[0]?.checksum).not.toBe(migrations[1]?.checksum);
  });

  it('rejects gaps and badly named files', () => {
    expect(() => readMigrations(dirWith({ '0001_a.sql': '', '0003_c.sql': '' }))).toThrow(
      /expected migration 2/,
    );
    expect(() => readMigrations(dirWith({ '1_a.sql': '' }))).toThrow(/0001_what_it_does\.sql/);
  });

  it("reads the project's own migrations without error", () => {
    expect(() => readMigrations(path.join(SQL_DIR, 'postgres'))).not.toThrow();
    expect(() => readMigrations(path.join(SQL_DIR, 'clickhouse'))).not.toThrow();
  });
});
