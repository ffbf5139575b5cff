import { randomBytes } from 'node:crypto';

import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ch, joinSql, sql, type Sql } from '../../lib/clickhouse/sql.js';

// Round trips every helper of lib/clickhouse/sql.ts through a real ClickHouse (18.16 or current).
// No clickhouse_settings are passed: settings unknown to 18.16 would fail there.

const url = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const database = `t_${randomBytes(8).toString('hex')}`;
const db = ch.identifier(database);

let client: ClickHouseClient;

beforeAll(async () => {
  client = createClient({ url });
  await client.command({ query: sql`CREATE DATABASE ${db}`.text });
});

afterAll(async () => {
  try {
    await client?.command({ query: sql`DROP DATABASE IF EXISTS ${db}`.text });
  } finally {
    await client?.close();
  }
});

async function rows<T>(query: Sql): Promise<T[]> {
  const rs = await client.query({ query: query.text, format: 'JSONEachRow' });
  return rs.json<T>();
}

async function one<T>(query: Sql): Promise<T> {
  const result = await rows<T>(query);
  expect(result).toHaveLength(1);
  return result[0]!;
}

/**
 * Drops trailing fractional zeros: 18.16 prints Decimal(18, 2) 12.3 as 12.30, current ClickHouse
 * (output_format_decimal_trailing_zeros = 0) as 12.3.
 */
function trimDecimal(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** The TabSeparated output without the final newline. */
async function tsv(query: Sql): Promise<string> {
  const rs = await client.query({ query: query.text, format: 'TabSeparated' });
  return (await rs.text()).replace(/\n$/, '');
}

async function exec(query: Sql): Promise<void> {
  await client.command({ query: query.text });
}

/** Hex of the UTF-8 bytes, as ClickHouse's hex() prints it. */
function utf8Hex(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex').toUpperCase();
}

const CONTROL_CHARS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1));

const HOSTILE: [name: string, value: string][] = [
  ['empty', ''],
  ['single quote', "'"],
  ['two single quotes', "''"],
  ['backslash', '\\'],
  ['backslash quote', "\\'"],
  ['double backslash quote', "\\\\'"],
  ['injection', "'; DROP TABLE x; --"],
  ['injection with backslash', "\\'; DROP TABLE x; --"],
  ['NUL', '\0'],
  ['NUL then digit', '\x001'],
  ['newline / CR / tab', 'a\nb\rc\td'],
  ['cyrillic', 'кириллица'],
  ['han', '漢字'],
  ['emoji', '🚀 👩‍👩‍👧'],
  ['combining marks', 'e\u0301 n\u0303 a\u030a\u0323'],
  ['special unicode spaces', '\u00a0\u2028\u2029\ufeff'],
  ['lone backslash at the end', 'trailing\\'],
  ['braces', '{param} {p:String} {{x}}'],
  ['printf', '%s %d %%'],
  ['backticks', '`x` ``'],
  ['double quotes', '"x" ""'],
  ['escape-looking text', '\\n \\x41 \\0 \\d \\N'],
  ['all control characters', CONTROL_CHARS.join('') + '\x7f'],
];

describe('ch.string round trip', () => {
  it.each(HOSTILE)('SELECT returns %s unchanged', async (_name, s) => {
    const rs = await client.query({
      query: sql`SELECT ${ch.string(s)} AS v, hex(v) AS h, length(v) AS n`.text,
      format: 'JSON',
    });
    const json = await rs.json<{ v: string; h: string; n: string | number }>();
    expect(json.data).toHaveLength(1);
    expect(json.data[0]!.v).toBe(s);
    expect(json.data[0]!.h).toBe(utf8Hex(s));
    expect(Number(json.data[0]!.n)).toBe(Buffer.byteLength(s, 'utf8'));
  });

  it.each(CONTROL_CHARS.map((c) => [c.charCodeAt(0), c] as const))(
    'SELECT returns control character %i unchanged',
    async (_code, c) => {
      const s = `a${c}b`;
      const r = await one<{ v: string; h: string }>(sql`SELECT ${ch.string(s)} AS v, hex(v) AS h`);
      expect(r.v).toBe(s);
      expect(r.h).toBe(utf8Hex(s));
    },
  );

  it('INSERT ... VALUES then SELECT returns every hostile string unchanged', async () => {
    const table = sql`${db}.${ch.identifier('strings_values')}`;
    await exec(sql`CREATE TABLE ${table} (id UInt32, v String) ENGINE = Memory`);
    const values = [...HOSTILE.map(([, s]) => s), ...CONTROL_CHARS];
    const tuples = values.map((s, i) => sql`(${ch.uint(i)}, ${ch.string(s)})`);
    await exec(sql`INSERT INTO ${table} (id, v) VALUES ${joinSql(tuples, sql`, `)}`);
    const got = await rows<{ id: number; v: string; h: string }>(
      sql`SELECT id, v, hex(v) AS h FROM ${table} ORDER BY id`,
    );
    expect(got.map((r) => r.v)).toEqual(values);
    expect(got.map((r) => r.h)).toEqual(values.map(utf8Hex));
  });

  it('INSERT ... SELECT and WHERE comparisons see the same strings', async () => {
    const table = sql`${db}.${ch.identifier('strings_select')}`;
    await exec(sql`CREATE TABLE ${table} (id UInt32, v String) ENGINE = Memory`);
    for (const [i, [, s]] of HOSTILE.entries()) {
      await exec(sql`INSERT INTO ${table} (id, v) SELECT ${ch.uint(i)}, ${ch.string(s)}`);
    }
    for (const [i, [, s]] of HOSTILE.entries()) {
      const r = await one<{ id: number }>(
        sql`SELECT id FROM ${table} WHERE v = ${ch.string(s)} ORDER BY id LIMIT 1`,
      );
      expect(r.id).toBe(i);
    }
    const all = await rows<{ v: string }>(sql`SELECT v FROM ${table} ORDER BY id`);
    expect(all.map((r) => r.v)).toEqual(HOSTILE.map(([, s]) => s));
  });

  it('round trips a 100k-character string (SELECT and INSERT)', async () => {
    const unit = "abc'\\\0\n\t\x01xyz{p}%s`я漢🚀";
    let s = '';
    while (s.length < 100_000) s += unit;
    s = s.slice(0, 100_000);
    if (/[\uD800-\uDBFF]$/.test(s)) s = `${s.slice(0, -1)}!`;
    expect(s).toHaveLength(100_000);
    // The SELECT must stay under 18.16's default max_query_size (262144 bytes).
    expect(Buffer.byteLength(sql`SELECT ${ch.string(s)} AS v`.text)).toBeLessThan(262_144);

    const selected = await one<{ v: string; n: number }>(
      sql`SELECT ${ch.string(s)} AS v, length(v) AS n`,
    );
    expect(selected.v === s).toBe(true);

    const table = sql`${db}.${ch.identifier('long_string')}`;
    await exec(sql`CREATE TABLE ${table} (v String) ENGINE = Memory`);
    await exec(sql`INSERT INTO ${table} (v) VALUES (${ch.string(s)})`);
    const inserted = await one<{ v: string }>(sql`SELECT v FROM ${table}`);
    expect(inserted.v === s).toBe(true);
  });

  it('round trips random hostile strings (array literal and table)', async () => {
    const alphabet = [
      ...["'", '\\', '"', '`', '{', '}', '%', ';', '-', ' ', 'a', 'Z', '0', 'x', 'я', '漢', '🚀'],
      ...['\u0301', '\0', '\x7f', ...CONTROL_CHARS],
    ];
    let seed = 1234567;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const values: string[] = [];
    for (let n = 0; n < 300; n++) {
      let s = '';
      const len = next() % 40;
      for (let i = 0; i < len; i++) s += alphabet[next() % alphabet.length];
      values.push(s);
    }
    const r = await one<{ v: string[] }>(sql`SELECT ${ch.array(values.map(ch.string))} AS v`);
    expect(r.v).toEqual(values);

    const table = sql`${db}.${ch.identifier('random_strings')}`;
    await exec(sql`CREATE TABLE ${table} (id UInt32, v String) ENGINE = Memory`);
    const tuples = values.map((s, i) => sql`(${ch.uint(i)}, ${ch.string(s)})`);
    await exec(sql`INSERT INTO ${table} VALUES ${joinSql(tuples, sql`,`)}`);
    const got = await rows<{ v: string }>(sql`SELECT v FROM ${table} ORDER BY id`);
    expect(got.map((row) => row.v)).toEqual(values);
  });
});

describe('typed helpers round trip', () => {
  it('ch.uint', async () => {
    const r = await one<{ a: string; b: string; c: string; t: string }>(
      sql`SELECT toString(${ch.uint(0)}) AS a, toString(${ch.uint(Number.MAX_SAFE_INTEGER)}) AS b,
        toString(${ch.uint(18446744073709551615n)}) AS c,
        toTypeName(${ch.uint(18446744073709551615n)}) AS t`,
    );
    expect(r).toEqual({
      a: '0',
      b: '9007199254740991',
      c: '18446744073709551615',
      t: 'UInt64',
    });
  });

  it('ch.int, including negatives after a minus sign', async () => {
    const r = await one<{ a: string; b: string; c: string; d: string; e: string }>(
      sql`SELECT toString(${ch.int(-1)}) AS a, toString(${ch.int(-9223372036854775808n)}) AS b,
        toString(${ch.int(9223372036854775807n)}) AS c,
        toString(1-${ch.int(-1)}) AS d, toString(${ch.int(-5)}*${ch.int(-5)}) AS e`,
    );
    expect(r).toEqual({
      a: '-1',
      b: '-9223372036854775808',
      c: '9223372036854775807',
      d: '2',
      e: '25',
    });
  });

  it('ch.float keeps every bit', async () => {
    const values = [
      0,
      -0,
      0.1,
      0.30000000000000004,
      1 / 3,
      -2.5,
      3,
      1e21,
      1.5e-7,
      123456789.12345679,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      2.2250738585072014e-308,
      Number.MAX_SAFE_INTEGER,
      Math.PI,
      -Math.E,
    ];
    let seed = 99;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const mantissa = (seed / 2 ** 31) * 2 - 1;
      values.push(mantissa * 10 ** ((seed % 600) - 300));
    }
    const r = await one<{ v: number[]; t: string }>(
      sql`SELECT ${ch.array(values.map(ch.float))} AS v, toTypeName(${ch.float(3)}) AS t`,
    );
    expect(r.t).toBe('Float64');
    expect(r.v).toHaveLength(values.length);
    r.v.forEach((got, i) => expect(Object.is(got, values[i]), `value #${i}`).toBe(true));
  });

  it('ch.decimal', async () => {
    const cases: [value: string, scale: number, expected: string][] = [
      ['12.34', 2, '12.34'],
      ['12.3', 2, '12.30'],
      ['-0012.30', 3, '-12.300'],
      ['0', 4, '0.0000'],
      ['-0.5', 18, '-0.500000000000000000'],
      ['999999999999999999', 0, '999999999999999999'],
      ['5', 18, '5.000000000000000000'],
      ['99999999999999999999999999999999999999', 0, '99999999999999999999999999999999999999'],
      ['-1234567890123456789012.5', 10, '-1234567890123456789012.5000000000'],
    ];
    // Read as TSV: 18.16's toString(Decimal128) corrupts values of 2^64 and more, and JSON
    // prints decimals as bare numbers that JSON.parse would round.
    const line = await tsv(
      sql`SELECT ${joinSql(
        cases.map(([v, s]) => ch.decimal(v, s)),
        sql`, `,
      )}`,
    );
    expect(line.split('\t').map(trimDecimal)).toEqual(cases.map(([, , e]) => trimDecimal(e)));
  });

  it('ch.date', async () => {
    const dates = ['2025-01-31', '2024-02-29', '1970-01-02', '2000-12-31', '2105-12-31'];
    const r = await one<{ v: string[]; zero: number }>(
      sql`SELECT ${ch.array(dates.map((d) => sql`toString(${ch.date(d)})`))} AS v,
        toUInt16(${ch.date('1970-01-01')}) AS zero`,
    );
    expect(r.v).toEqual(dates);
    expect(r.zero).toBe(0);
  });

  it('ch.dateTime (UTC, seconds)', async () => {
    const dates = [
      new Date('2025-01-31T23:59:59.999Z'),
      new Date('2025-06-01T12:00:00+02:00'),
      new Date('1970-01-01T00:00:01Z'),
      new Date('2105-12-31T23:59:59Z'),
      new Date(0),
    ];
    const r = await one<{ v: number[]; s: string }>(
      sql`SELECT ${ch.array(dates.map((d) => sql`toUInt32(${ch.dateTime(d)})`))} AS v,
        toString(${ch.dateTime(new Date('2025-01-31T23:59:59.999Z'))}, 'UTC') AS s`,
    );
    expect(r.v).toEqual(dates.map((d) => Math.floor(d.getTime() / 1000)));
    expect(r.s).toBe('2025-01-31 23:59:59');
  });

  it('ch.uuid', async () => {
    const r = await one<{ a: string; b: string }>(
      sql`SELECT toString(${ch.uuid('123e4567-e89b-12d3-a456-426614174000')}) AS a,
        toString(${ch.uuid('00000000-0000-0000-0000-00000000000A')}) AS b`,
    );
    expect(r).toEqual({
      a: '123e4567-e89b-12d3-a456-426614174000',
      b: '00000000-0000-0000-0000-00000000000a',
    });
  });

  it('ch.array (including empty)', async () => {
    const r = await one<{ s: string[]; i: number[]; e: string[]; n: number[][] }>(
      sql`SELECT ${ch.array([ch.string("a'"), ch.string('\\')])} AS s,
        ${ch.array([ch.int(-1), ch.int(2)])} AS i, ${ch.array([])} AS e,
        ${ch.array([ch.array([ch.uint(1)]), ch.array([ch.uint(2), ch.uint(3)])])} AS n`,
    );
    expect(r).toEqual({ s: ["a'", '\\'], i: [-1, 2], e: [], n: [[1], [2, 3]] });
  });

  it('every helper inserts into typed columns', async () => {
    const table = sql`${db}.${ch.identifier('typed')}`;
    await exec(sql`CREATE TABLE ${table} (
      ${ch.identifier('id')} UInt64, i Int64, f Float64, d64 Decimal(18, 4), d128 Decimal(38, 2),
      day Date, ts DateTime, u UUID, s String, tags Array(String), nums Array(Int32)
    ) ENGINE = Memory`);
    const row = (n: number, tags: string[]): Sql =>
      sql`(${joinSql(
        [
          ch.uint(18446744073709551615n - BigInt(n)),
          ch.int(-9223372036854775808n + BigInt(n)),
          ch.float(-0.1 * (n + 1)),
          ch.decimal(`-${n}1234.5`, 4),
          ch.decimal('123456789012345678901234567890.12', 2),
          ch.date('2025-02-28'),
          ch.dateTime(new Date('2025-03-01T00:00:00.500Z')),
          ch.uuid('123E4567-E89B-12D3-A456-426614174000'),
          ch.string(`row ${n} '\\`),
          ch.array(tags.map(ch.string)),
          ch.array([ch.int(-n - 1), ch.int(n)]),
        ],
        sql`, `,
      )})`;
    await exec(sql`INSERT INTO ${table} VALUES ${row(0, [])}, ${row(1, ["'", '\\', '🚀'])}`);
    // Aliases shadow columns in ClickHouse, so sort by the un-aliased `s`.
    const got = (
      await rows<Record<string, unknown>>(sql`SELECT toString(id) AS id, toString(i) AS i,
      f, toString(d64) AS d64, toString(day) AS day, toString(ts, 'UTC') AS ts,
      toString(u) AS u, s, tags, nums FROM ${table} ORDER BY s`)
    ).map((r) => ({
      ...r,
      d64: trimDecimal(String(r.d64)),
    }));
    expect(await tsv(sql`SELECT d128 FROM ${table} ORDER BY s`)).toBe(
      '123456789012345678901234567890.12\n123456789012345678901234567890.12',
    );
    expect(got).toEqual(
      [0, 1].map((n) => ({
        id: (18446744073709551615n - BigInt(n)).toString(),
        i: (-9223372036854775808n + BigInt(n)).toString(),
        f: -0.1 * (n + 1),
        d64: n === 0 ? '-1234.5' : '-11234.5',
        day: '2025-02-28',
        ts: '2025-03-01 00:00:00',
        u: '123e4567-e89b-12d3-a456-426614174000',
        s: `row ${n} '\\`,
        tags: n === 0 ? [] : ["'", '\\', '🚀'],
        nums: [-n - 1, n],
      })),
    );
  });
});
