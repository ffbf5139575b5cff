import { describe, expect, it } from 'vitest';

import { ch, joinSql, Sql, SqlValueError, sql } from '../../lib/clickhouse/sql.js';

/** Runs fn and returns the SqlValueError it throws (fails the test otherwise). */
function rejection(fn: () => unknown): SqlValueError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SqlValueError);
    return err as SqlValueError;
  }
  throw new Error('expected a SqlValueError, nothing was thrown');
}

/**
 * Reads a ClickHouse quoted string literal the way ClickHouse does (18.16 and current): `\xHH`,
 * the named escapes, and any other `\c` yields `c`. Returns the JS string (UTF-8 decoded).
 */
function parseClickHouseString(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const named: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, '0': 0, a: 7, v: 11 };
  const bytes: number[] = [];
  const body = Buffer.from(literal.slice(1, -1), 'utf8');
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b === 0x27) throw new Error(`unescaped quote at byte ${i}`);
    if (b < 0x20 || b === 0x7f) throw new Error(`raw control byte ${b} at ${i}`);
    if (b !== 0x5c) {
      bytes.push(b);
      continue;
    }
    const c = String.fromCharCode(body[++i] ?? 0);
    if (i >= body.length) throw new Error('dangling backslash');
    if (c === 'x') {
      const hex = body.subarray(i + 1, i + 3).toString('latin1');
      expect(hex).toMatch(/^[0-9a-fA-F]{2}$/);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(named[c] ?? c.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const HOSTILE_STRINGS = [
  '',
  "'",
  '\\',
  "\\'",
  "'; DROP TABLE x; --",
  '\0',
  'a\0b',
  '\n\r\t',
  'кириллица',
  '漢字',
  '🚀',
  'e\u0301 n\u0303',
  'ends with a backslash\\',
  '{param} {p:String}',
  '%s %d',
  '`backticks`',
  "''",
  "\\\\'",
  '\u2028\u2029\uFEFF',
  Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f',
];

describe('Sql and the sql tag', () => {
  it('keeps the template text and splices fragments', () => {
    const q = sql`SELECT ${ch.uint(1)} AS a, ${ch.string('x')} AS b`;
    expect(q).toBeInstanceOf(Sql);
    expect(q.text).toBe("SELECT 1 AS a, 'x' AS b");
  });

  it('nests fragments', () => {
    const where = sql`WHERE ${ch.identifier('sku')} = ${ch.string('A-1')}`;
    expect(sql`SELECT * FROM t ${where} LIMIT ${ch.uint(5)}`.text).toBe(
      "SELECT * FROM t WHERE `sku` = 'A-1' LIMIT 5",
    );
  });

  it('works without values', () => {
    expect(sql`SELECT 1`.text).toBe('SELECT 1');
    expect(sql``.text).toBe('');
  });

  it('rejects raw strings, numbers and other non-fragments at runtime', () => {
    const raw: unknown[] = [
      'x',
      1,
      1n,
      null,
      undefined,
      true,
      {},
      { text: 'DROP TABLE x' },
      [],
      new Date(),
    ];
    for (const value of raw) {
      const err = rejection(() => sql`SELECT ${value as Sql}`);
      expect(err.code).toBe('SQL_INVALID_VALUE');
      expect(err.message).toMatch(/^sql: interpolated value #1 is /);
    }
  });

  it('rejects a look-alike object built on the Sql prototype', () => {
    const fake = Object.create(Sql.prototype) as Sql;
    rejection(() => sql`SELECT ${fake}`);
  });

  it('rejects raw values at the type level', () => {
    const value = 'x';
    // @ts-expect-error a raw string is not an SqlValue
    expect(() => sql`SELECT ${value}`).toThrow(SqlValueError);
    // @ts-expect-error a raw number is not an SqlValue
    expect(() => sql`SELECT ${1}`).toThrow(SqlValueError);
    // @ts-expect-error a structurally similar object is not an Sql (private field)
    expect(() => sql`SELECT ${{ text: '1' }}`).toThrow(SqlValueError);
  });

  it('must be called as a tag', () => {
    const call = sql as unknown as (...args: unknown[]) => Sql;
    expect(() => call('DROP TABLE x')).toThrow(SqlValueError);
    expect(() => call(['DROP TABLE x'])).toThrow(SqlValueError);
    const fakeTemplate = Object.freeze(Object.assign(['SELECT ', ''], { raw: ['SELECT ', ''] }));
    expect(() => call(fakeTemplate, 'x')).toThrow(SqlValueError);
  });

  it('cannot be constructed or converted to a string from outside', () => {
    const Ctor = Sql as unknown as new (text: string) => Sql;
    expect(() => new Ctor('DROP TABLE x')).toThrow(TypeError);
    const q = sql`SELECT 1`;
    expect(() => String(q)).toThrow(TypeError);
    expect(() => `${q as unknown as string}`).toThrow(TypeError);
  });

  it('Sql.is recognises only genuine fragments', () => {
    expect(Sql.is(sql`1`)).toBe(true);
    expect(Sql.is({ text: '1' })).toBe(false);
    expect(Sql.is(Object.create(Sql.prototype))).toBe(false);
    expect(Sql.is('1')).toBe(false);
    expect(Sql.is(null)).toBe(false);
  });
});

describe('joinSql', () => {
  it('joins with a separator', () => {
    const conds = [sql`a = ${ch.uint(1)}`, sql`b = ${ch.string('x')}`];
    expect(joinSql(conds, sql` AND `).text).toBe("a = 1 AND b = 'x'");
  });

  it('handles zero and one part', () => {
    expect(joinSql([], sql`, `).text).toBe('');
    expect(joinSql([ch.uint(7)], sql`, `).text).toBe('7');
  });

  it('rejects raw parts and separators', () => {
    rejection(() => joinSql(['a' as unknown as Sql], sql`, `));
    rejection(() => joinSql([ch.uint(1)], ', ' as unknown as Sql));
    rejection(() => joinSql('abc' as unknown as Sql[], sql`, `));
  });
});

describe('ch.string', () => {
  it('quotes and escapes', () => {
    expect(ch.string('abc').text).toBe("'abc'");
    expect(ch.string('').text).toBe("''");
    expect(ch.string("it's").text).toBe("'it\\'s'");
    expect(ch.string('a\\b').text).toBe("'a\\\\b'");
    expect(ch.string('\\').text).toBe("'\\\\'");
    expect(ch.string('\0\n\r\t\b\f').text).toBe("'\\0\\n\\r\\t\\b\\f'");
    expect(ch.string('\x01\x1f\x7f').text).toBe("'\\x01\\x1f\\x7f'");
    expect(ch.string('кириллица 漢字 🚀').text).toBe("'кириллица 漢字 🚀'");
    expect(ch.string('`{x}` %s').text).toBe("'`{x}` %s'");
  });

  it('leaves no raw quote, backslash pair or control character in the literal', () => {
    for (const s of HOSTILE_STRINGS) {
      const body = ch.string(s).text.slice(1, -1);
      // eslint-disable-next-line no-control-regex
      expect(body).not.toMatch(/[\u0000-\u001f\u007f]/);
      // Every quote is preceded by an odd number of backslashes.
      expect(body.replace(/\\[\s\S]/g, '')).not.toMatch(/['\\]/);
    }
  });

  it.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s).slice(0, 40), s]))(
    'round-trips %s through the ClickHouse literal grammar',
    (_name, s) => {
      expect(parseClickHouseString(ch.string(s).text)).toBe(s);
    },
  );

  it('round-trips random strings through the ClickHouse literal grammar', () => {
    const alphabet = [
      "'",
      '\\',
      '"',
      '`',
      '\0',
      '\n',
      '\r',
      '\t',
      '\x01',
      '\x7f',
      'a',
      'x',
      '0',
      'я',
      '漢',
      '🚀',
      '\u0301',
      ' ',
    ];
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 500; n++) {
      let s = '';
      const len = next() % 30;
      for (let i = 0; i < len; i++) s += alphabet[next() % alphabet.length];
      expect(parseClickHouseString(ch.string(s).text)).toBe(s);
    }
  });

  it('handles a very long string', () => {
    const s = "'\\".repeat(50_000);
    const text = ch.string(s).text;
    expect(text.length).toBe(2 + 4 * 50_000);
    expect(parseClickHouseString(text)).toBe(s);
  });

  it('rejects lone surrogates and non-strings', () => {
    expect(rejection(() => ch.string('a\uD800b')).message).toMatch(/lone UTF-16 surrogate/);
    rejection(() => ch.string('\uDC00'));
    rejection(() => ch.string(1 as unknown as string));
    rejection(() => ch.string(null as unknown as string));
    rejection(() => ch.string(sql`x` as unknown as string));
  });
});

describe('ch.uint', () => {
  it('renders non-negative integers', () => {
    expect(ch.uint(0).text).toBe('0');
    expect(ch.uint(-0).text).toBe('0');
    expect(ch.uint(42).text).toBe('42');
    expect(ch.uint(Number.MAX_SAFE_INTEGER).text).toBe('9007199254740991');
    expect(ch.uint(0n).text).toBe('0');
    expect(ch.uint(18446744073709551615n).text).toBe('18446744073709551615');
  });

  it('rejects negatives, fractions, unsafe integers and non-numbers', () => {
    expect(rejection(() => ch.uint(-1)).message).toBe(
      'ch.uint: expected a non-negative safe integer, got number -1',
    );
    for (const bad of [1.5, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_SAFE_INTEGER + 2]) {
      rejection(() => ch.uint(bad));
    }
    rejection(() => ch.uint(-1n));
    rejection(() => ch.uint(18446744073709551616n));
    rejection(() => ch.uint('1' as unknown as number));
  });
});

describe('ch.int', () => {
  it('renders integers, negatives in parentheses', () => {
    expect(ch.int(0).text).toBe('0');
    expect(ch.int(-0).text).toBe('0');
    expect(ch.int(7).text).toBe('7');
    expect(ch.int(-7).text).toBe('(-7)');
    expect(ch.int(Number.MIN_SAFE_INTEGER).text).toBe('(-9007199254740991)');
    expect(ch.int(-9223372036854775808n).text).toBe('(-9223372036854775808)');
    expect(ch.int(9223372036854775807n).text).toBe('9223372036854775807');
  });

  it('cannot form a comment after a minus sign', () => {
    expect(sql`SELECT 1-${ch.int(-1)}`.text).toBe('SELECT 1-(-1)');
  });

  it('rejects fractions, unsafe integers, out-of-range bigints and non-numbers', () => {
    for (const bad of [0.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)]) {
      rejection(() => ch.int(bad));
    }
    rejection(() => ch.int(9223372036854775808n));
    rejection(() => ch.int(-9223372036854775809n));
    rejection(() => ch.int('1' as unknown as number));
  });
});

describe('ch.float', () => {
  it('always renders a Float64 literal', () => {
    expect(ch.float(1.5).text).toBe('1.5');
    expect(ch.float(3).text).toBe('3.0');
    expect(ch.float(0).text).toBe('0.0');
    expect(ch.float(-0).text).toBe('(-0.0)');
    expect(ch.float(-2.25).text).toBe('(-2.25)');
    expect(ch.float(1e21).text).toBe('1e+21');
    expect(ch.float(1.5e-7).text).toBe('1.5e-7');
    expect(ch.float(Number.MAX_VALUE).text).toBe('1.7976931348623157e+308');
    expect(ch.float(2.2250738585072014e-308).text).toBe('2.2250738585072014e-308');
  });

  it('rejects NaN, infinities, subnormals and non-numbers', () => {
    expect(rejection(() => ch.float(NaN)).message).toBe(
      'ch.float: expected a finite number, got number NaN',
    );
    rejection(() => ch.float(Infinity));
    rejection(() => ch.float(-Infinity));
    rejection(() => ch.float(5e-324));
    rejection(() => ch.float(-1e-310));
    rejection(() => ch.float('1' as unknown as number));
    rejection(() => ch.float(1n as unknown as number));
  });
});

describe('ch.decimal', () => {
  it('picks Decimal64 or Decimal128 by precision', () => {
    expect(ch.decimal('12.34', 2).text).toBe("toDecimal64('12.34', 2)");
    expect(ch.decimal('12.3', 2).text).toBe("toDecimal64('12.3', 2)");
    expect(ch.decimal('-5', 0).text).toBe("toDecimal64('-5', 0)");
    expect(ch.decimal('-0012.30', 3).text).toBe("toDecimal64('-12.30', 3)");
    expect(ch.decimal('999999999999999999', 0).text).toBe("toDecimal64('999999999999999999', 0)");
    expect(ch.decimal('0.5', 18).text).toBe("toDecimal64('0.5', 18)");
    expect(ch.decimal('1000000000000000000', 0).text).toBe(
      "toDecimal128('1000000000000000000', 0)",
    );
    expect(ch.decimal('5', 18).text).toBe("toDecimal128('5', 18)");
    expect(ch.decimal('99999999999999999999999999999999999999', 0).text).toBe(
      "toDecimal128('99999999999999999999999999999999999999', 0)",
    );
  });

  it('rejects too many fractional digits', () => {
    expect(rejection(() => ch.decimal('1.123', 2)).message).toBe(
      'ch.decimal: expected at most 2 fractional digits, got string "1.123"',
    );
    rejection(() => ch.decimal('1.0', 0));
  });

  it('rejects malformed decimals, bad scales and too many digits', () => {
    for (const bad of [
      '',
      '.5',
      '5.',
      '+1',
      '1e3',
      '1,5',
      ' 1',
      '1 ',
      '--1',
      "1'",
      'NaN',
      '0x10',
    ]) {
      rejection(() => ch.decimal(bad, 2));
    }
    rejection(() => ch.decimal('1', -1));
    rejection(() => ch.decimal('1', 1.5));
    rejection(() => ch.decimal('1', 39));
    rejection(() => ch.decimal('1', NaN));
    rejection(() => ch.decimal('100000000000000000000000000000000000000', 0)); // 39 digits
    rejection(() => ch.decimal('1', 38)); // precision 39
    rejection(() => ch.decimal(1.5 as unknown as string, 2));
  });
});

describe('ch.date', () => {
  it('renders real calendar dates', () => {
    expect(ch.date('2025-01-31').text).toBe("toDate('2025-01-31')");
    expect(ch.date('2024-02-29').text).toBe("toDate('2024-02-29')");
    expect(ch.date('1970-01-01').text).toBe("toDate('1970-01-01')");
    expect(ch.date('2105-12-31').text).toBe("toDate('2105-12-31')");
  });

  it('rejects impossible dates, bad formats and out-of-range dates', () => {
    expect(rejection(() => ch.date('2025-02-30')).message).toBe(
      'ch.date: expected a real calendar date, got string "2025-02-30"',
    );
    for (const bad of [
      '2025-02-29',
      '2100-02-29',
      '2025-13-01',
      '2025-00-10',
      '2025-04-31',
      '2025-01-00',
      '2025-1-31',
      '2025-01-31T00:00:00',
      '2025/01/31',
      ' 2025-01-31',
      "2025-01-31'",
      '1969-12-31',
      '2106-01-01',
      '0099-01-01',
      '',
    ]) {
      rejection(() => ch.date(bad));
    }
    rejection(() => ch.date(new Date() as unknown as string));
  });
});

describe('ch.dateTime', () => {
  it('renders UTC seconds', () => {
    expect(ch.dateTime(new Date('2025-01-31T23:59:59Z')).text).toBe(
      "toDateTime('2025-01-31 23:59:59', 'UTC')",
    );
    expect(ch.dateTime(new Date('2025-06-01T12:00:00+02:00')).text).toBe(
      "toDateTime('2025-06-01 10:00:00', 'UTC')",
    );
    expect(ch.dateTime(new Date(0)).text).toBe("toDateTime('1970-01-01 00:00:00', 'UTC')");
    expect(ch.dateTime(new Date('2105-12-31T23:59:59.999Z')).text).toBe(
      "toDateTime('2105-12-31 23:59:59', 'UTC')",
    );
  });

  it('truncates milliseconds', () => {
    expect(ch.dateTime(new Date('2025-01-31T23:59:59.999Z')).text).toBe(
      "toDateTime('2025-01-31 23:59:59', 'UTC')",
    );
  });

  it('rejects invalid and out-of-range dates and non-dates', () => {
    expect(rejection(() => ch.dateTime(new Date('nope'))).message).toMatch(/Invalid Date/);
    rejection(() => ch.dateTime(new Date(-1)));
    rejection(() => ch.dateTime(new Date('2106-01-01T00:00:00Z')));
    rejection(() => ch.dateTime('2025-01-31 00:00:00' as unknown as Date));
    rejection(() => ch.dateTime(1738367999000 as unknown as Date));
  });
});

describe('ch.uuid', () => {
  it('renders canonical UUIDs in lower case', () => {
    expect(ch.uuid('123e4567-e89b-12d3-a456-426614174000').text).toBe(
      "toUUID('123e4567-e89b-12d3-a456-426614174000')",
    );
    expect(ch.uuid('123E4567-E89B-12D3-A456-426614174000').text).toBe(
      "toUUID('123e4567-e89b-12d3-a456-426614174000')",
    );
  });

  it('rejects anything else', () => {
    for (const bad of [
      '',
      '123e4567e89b12d3a456426614174000',
      '{123e4567-e89b-12d3-a456-426614174000}',
      '123e4567-e89b-12d3-a456-42661417400',
      '123e4567-e89b-12d3-a456-4266141740000',
      '123e4567-e89b-12d3-a456-42661417400g',
      "123e4567-e89b-12d3-a456-426614174000'",
      ' 123e4567-e89b-12d3-a456-426614174000',
    ]) {
      rejection(() => ch.uuid(bad));
    }
    rejection(() => ch.uuid(1 as unknown as string));
  });
});

describe('ch.identifier', () => {
  it('backtick-quotes plain identifiers', () => {
    expect(ch.identifier('stock_events').text).toBe('`stock_events`');
    expect(ch.identifier('_x1').text).toBe('`_x1`');
    expect(ch.identifier('t_0123abcd').text).toBe('`t_0123abcd`');
  });

  it('rejects spaces, backticks, semicolons, dots and the like', () => {
    for (const bad of [
      '',
      'a b',
      'a`b',
      '`a`',
      'a;b',
      'x; DROP TABLE y',
      'db.table',
      '1abc',
      'a-b',
      "a'b",
      'a\\b',
      'a\nb',
      'tëst',
      'a\0',
    ]) {
      rejection(() => ch.identifier(bad));
    }
    rejection(() => ch.identifier(1 as unknown as string));
  });

  it('composes qualified names', () => {
    expect(sql`${ch.identifier('db')}.${ch.identifier('t')}`.text).toBe('`db`.`t`');
  });
});

describe('ch.array', () => {
  it('renders arrays of fragments', () => {
    expect(ch.array([]).text).toBe('[]');
    expect(ch.array([ch.uint(1), ch.int(-2)]).text).toBe('[1, (-2)]');
    expect(ch.array([ch.string('a'), ch.string("b'")]).text).toBe("['a', 'b\\'']");
    expect(ch.array([ch.array([ch.uint(1)]), ch.array([])]).text).toBe('[[1], []]');
  });

  it('rejects raw items and non-arrays', () => {
    expect(rejection(() => ch.array(['a' as unknown as Sql])).message).toMatch(
      /^ch\.array: item #1 is string "a", not an Sql fragment/,
    );
    rejection(() => ch.array([ch.uint(1), 2 as unknown as Sql]));
    rejection(() => ch.array('abc' as unknown as Sql[]));
  });
});

describe('SqlValueError', () => {
  it('has a code, the helper name, and never echoes more than 40 characters', () => {
    const long = `${'x'.repeat(39)}SECRET-TAIL-THAT-MUST-NOT-APPEAR`;
    const err = rejection(() => ch.identifier(long));
    expect(err.name).toBe('SqlValueError');
    expect(err.code).toBe('SQL_INVALID_VALUE');
    expect(err.helper).toBe('ch.identifier');
    expect(err.message).not.toContain('SECRET');
    expect(err.message).toContain(`"${'x'.repeat(39)}S…" (71 chars)`);
    expect(err).toBeInstanceOf(Error);
  });
});
