import { describe, expect, it } from 'vitest';
import { csvField, negotiate, toCsv } from '../../lib/http/representation.js';
import {
  centsToDecimal,
  centsToNumber,
  percent,
  toBigInt,
  toCount,
} from '../../api/analytics/money.js';

describe('money', () => {
  it('writes cents as an exact decimal string', () => {
    expect(centsToDecimal(0n)).toBe('0.00');
    expect(centsToDecimal(1n)).toBe('0.01');
    expect(centsToDecimal(99n)).toBe('0.99');
    expect(centsToDecimal(100n)).toBe('1.00');
    expect(centsToDecimal(10_500_025n)).toBe('105000.25');
    expect(centsToDecimal(10n ** 15n + 1n)).toBe('10000000000000.01');
    expect(centsToDecimal(9_223_372_036_854_775_807n)).toBe('92233720368547758.07');
  });

  it('keeps the sign of negative amounts, also below one unit', () => {
    expect(centsToDecimal(-1n)).toBe('-0.01');
    expect(centsToDecimal(-99n)).toBe('-0.99');
    expect(centsToDecimal(-100n)).toBe('-1.00');
    expect(centsToDecimal(-123_456n)).toBe('-1234.56');
    expect(centsToDecimal(-(10n ** 15n) - 1n)).toBe('-10000000000000.01');
  });

  it('makes JSON numbers that print back as the exact decimal', () => {
    for (const [cents, text] of [
      [0n, '0'],
      [1n, '0.01'],
      [99n, '0.99'],
      [100n, '1'],
      [10_500_025n, '105000.25'],
      [10n ** 15n + 1n, '10000000000000.01'],
      [999_999_999_999_999n, '9999999999999.99'],
      [-1n, '-0.01'],
      [-(10n ** 15n) - 1n, '-10000000000000.01'],
    ] as const) {
      expect(JSON.stringify(centsToNumber(cents)), String(cents)).toBe(text);
    }
    // No float arithmetic on the way: 0.1 + 0.2 would be 0.30000000000000004.
    expect(JSON.stringify({ total_spent: centsToNumber(10n + 20n) })).toBe('{"total_spent":0.3}');
  });

  it('reads ClickHouse integers exactly, 64-bit ones arriving as strings', () => {
    expect(toBigInt('9223372036854775807')).toBe(9_223_372_036_854_775_807n);
    expect(toBigInt('-5')).toBe(-5n);
    expect(toBigInt(42)).toBe(42n);
    expect(() => toBigInt('1.5')).toThrow(TypeError);
    expect(() => toBigInt(null)).toThrow(TypeError);
    expect(toCount('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toCount('9007199254740992')).toThrow(RangeError);
  });

  it('computes percentages exactly, two decimals, halves away from zero', () => {
    expect(percent(1n, 3n)).toBe(33.33);
    expect(percent(2n, 3n)).toBe(66.67);
    expect(percent(3n, 8n)).toBe(37.5);
    expect(percent(1n, 8000n)).toBe(0.01); // 0.0125 → 0.01
    expect(percent(1n, 40_000n)).toBe(0); // 0.0025 → 0.00
    expect(percent(1n, 20_000n)).toBe(0.01); // 0.005 → 0.01 (half up)
    expect(percent(5n, 5n)).toBe(100);
    expect(percent(-12_345n, 100_000n)).toBe(-12.35);
    expect(percent(-1n, 20_000n)).toBe(-0.01);
    expect(percent(0n, 7n)).toBe(0);
    expect(percent(7n, 0n)).toBeNull();
    expect(percent(10n ** 17n, 3n * 10n ** 17n)).toBe(33.33);
  });
});

describe('CSV', () => {
  it('leaves plain fields alone and quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('"')).toBe('""""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf\r\n')).toBe('"cr\rlf\r\n"');
    expect(csvField("'; DROP TABLE sales; --")).toBe("'; DROP TABLE sales; --");
    expect(csvField('Ünïcödé ✓ 🙂')).toBe('Ünïcödé ✓ 🙂');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(-3)).toBe('-3');
  });

  it('writes a header row, then one CRLF-terminated line per row', () => {
    const csv = toCsv({
      columns: ['country', 'revenue', 'share'],
      rows: [
        ['DE', '1050.25', 60.5],
        ['C,"7"', '0.01', null],
        ['multi\nline', '-2.00', 0],
      ],
    });
    expect(csv).toBe(
      'country,revenue,share\r\nDE,1050.25,60.5\r\n"C,""7""",0.01,\r\n"multi\nline",-2.00,0\r\n',
    );
    expect(toCsv({ columns: ['a'], rows: [] })).toBe('a\r\n');
  });
});

describe('negotiate', () => {
  it('answers JSON by default and CSV when text/csv is preferred', () => {
    expect(negotiate(undefined)).toBe('json');
    expect(negotiate('')).toBe('json');
    expect(negotiate('*/*')).toBe('json');
    expect(negotiate('application/json')).toBe('json');
    expect(negotiate('text/csv')).toBe('csv');
    expect(negotiate('TEXT/CSV; charset=utf-8')).toBe('csv');
    expect(negotiate('text/*')).toBe('csv');
    expect(negotiate('text/csv;q=0.5, application/json')).toBe('json');
    expect(negotiate('application/json;q=0.4, text/csv;q=0.9')).toBe('csv');
    expect(negotiate('text/csv, */*;q=0.1')).toBe('csv');
    expect(negotiate('text/html, application/xhtml+xml, */*;q=0.8')).toBe('json');
  });

  it('refuses with 406 when neither JSON nor CSV is acceptable', () => {
    for (const accept of [
      'application/xml',
      'text/html',
      'text/csv;q=0, application/json;q=0',
      'nonsense',
    ]) {
      let thrown: unknown;
      try {
        negotiate(accept);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, accept).toMatchObject({ status: 406 });
    }
  });
});
