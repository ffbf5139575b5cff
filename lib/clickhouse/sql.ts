/**
 * The one place where values become ClickHouse SQL text.
 *
 * ClickHouse 18.16 (Debian's clickhouse-server) has no query parameters, so every value that
 * reaches a query is rendered here as a literal, by a typed helper that validates it first:
 *
 *   const q = sql`SELECT * FROM ${ch.identifier(table)} WHERE sku = ${ch.string(sku)}`;
 *   await client.query({ query: q.text, format: 'JSONEachRow' });
 *
 * Only this module can create an {@link Sql} fragment. The `sql` tag accepts nothing but `Sql`
 * fragments (built by `ch.*`, `sql` or `joinSql`); a raw string or number is a type error and
 * also throws at runtime. There is deliberately no `raw()` escape hatch: trusted SQL text can only
 * come from the template literal itself.
 *
 * The rendering works on ClickHouse 18.16 and on current ClickHouse. Notes from checking 18.16:
 * - String literals: `\\` and `\'` are escapes; an unknown escape like `\d` silently drops the
 *   backslash (so backslashes must always be escaped); `\xHH` needs exactly two hex digits.
 * - `1--1` is `1` followed by a comment, so negative numbers are rendered in parentheses.
 * - Subnormal float literals (e.g. `5e-324`) are a syntax error, and `toFloat64('5e-324')` gives 0,
 *   so `ch.float` rejects subnormal numbers.
 * - `toDate('2025-02-30')` silently gives 2025-03-02, so dates are validated here.
 * - Date/DateTime only work from 1970-01-01 to 2105-12-31 (later values wrap to 0); day 0 and
 *   second 0 are printed as `0000-00-00` / `0000-00-00 00:00:00` by 18.16.
 */

/** Error thrown when a value cannot be rendered safely. The message never holds more than 40
 * characters of the offending value. */
export class SqlValueError extends Error {
  readonly code = 'SQL_INVALID_VALUE';

  constructor(
    /** The helper that rejected the value, e.g. `ch.uint` or `sql`. */
    readonly helper: string,
    message: string,
  ) {
    super(`${helper}: ${message}`);
    this.name = 'SqlValueError';
  }
}

let constructing = false;
let createSql: (text: string) => Sql;

/** A fragment of SQL text that is already safe. Only this module creates them. */
export class Sql {
  readonly #text: string;

  private constructor(text: string) {
    if (!constructing) {
      throw new TypeError('Sql fragments can only be created by sql``, joinSql() or ch.*');
    }
    this.#text = text;
  }

  static {
    createSql = (text: string): Sql => {
      constructing = true;
      try {
        return new Sql(text);
      } finally {
        constructing = false;
      }
    };
  }

  /** True only for genuine fragments made by this module (not look-alike objects). */
  static is(value: unknown): value is Sql {
    return typeof value === 'object' && value !== null && #text in value;
  }

  /** The SQL text, ready to send. */
  get text(): string {
    return this.#text;
  }

  /** Throws: building SQL by string concatenation would bypass this module. Use `.text`. */
  toString(): never {
    throw new TypeError('Sql fragments are not strings: compose them with sql``, send .text');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Sql(${this.#text})`;
  }
}

/** Anything that may be interpolated into `sql`: only fragments built by this module. */
export type SqlValue = Sql;

const PREVIEW_CHARS = 40;

/** At most PREVIEW_CHARS characters of `text`, with an ellipsis when cut. */
function preview(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

/** A short, safe description of a rejected value for error messages. */
function describe(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const length = value.length > PREVIEW_CHARS ? ` (${value.length} chars)` : '';
      return `string ${JSON.stringify(preview(value))}${length}`;
    }
    case 'number':
      return `number ${String(value)}`;
    case 'bigint':
      return `bigint ${preview(value.toString())}n`;
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) return 'Date';
      if (Array.isArray(value)) return 'array';
      return 'object';
    default:
      return typeof value;
  }
}

function fail(helper: string, expected: string, value: unknown): never {
  throw new SqlValueError(helper, `expected ${expected}, got ${describe(value)}`);
}

function assertSql(helper: string, value: unknown, what: string): asserts value is Sql {
  if (!Sql.is(value)) {
    throw new SqlValueError(
      helper,
      `${what} is ${describe(value)}, not an Sql fragment; wrap values with ch.string(), ch.int(), ch.identifier(), …`,
    );
  }
}

/** The texts of a list of fragments; throws unless it is an array of genuine fragments. */
function fragmentTexts(helper: string, list: unknown, what: string): string[] {
  if (!Array.isArray(list)) fail(helper, 'an array of Sql fragments', list);
  const items: readonly unknown[] = list;
  return items.map((item, i) => {
    assertSql(helper, item, `${what} #${i + 1}`);
    return item.text;
  });
}

/**
 * Tagged template that builds an {@link Sql} fragment. The template text is trusted SQL; every
 * interpolated value must be an `Sql` fragment (from `ch.*`, `sql` or `joinSql`).
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  // A real template object is a frozen array with a frozen `raw` array; a plain string or a
  // hand-made array is not.
  const template: unknown = strings;
  if (
    !Array.isArray(template) ||
    !Object.isFrozen(template) ||
    !Array.isArray((template as { raw?: unknown }).raw) ||
    template.length !== values.length + 1
  ) {
    throw new SqlValueError('sql', `must be used as a tagged template, got ${describe(template)}`);
  }
  const texts: readonly unknown[] = template;
  // A cooked string is undefined when the template text has an invalid escape like `\u`.
  if (!texts.every((t): t is string => typeof t === 'string')) {
    throw new SqlValueError('sql', 'template text contains an invalid escape sequence');
  }
  const valueTexts = fragmentTexts('sql', values, 'interpolated value');
  let text = texts[0] ?? '';
  valueTexts.forEach((valueText, i) => {
    text += valueText + (texts[i + 1] ?? '');
  });
  return createSql(text);
}

/** Joins fragments with a separator fragment, e.g. `joinSql(conditions, sql` AND `)`. */
export function joinSql(parts: readonly Sql[], separator: Sql): Sql {
  assertSql('joinSql', separator, 'the separator');
  return createSql(fragmentTexts('joinSql', parts, 'part').join(separator.text));
}

// ---------------------------------------------------------------------------------------------
// Value helpers

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const MIN_NORMAL_FLOAT64 = 2.2250738585072014e-308;

/** First and last day that both ClickHouse 18.16 and current ClickHouse store correctly. */
const MIN_DATE = '1970-01-01';
const MAX_DATE = '2105-12-31';
const MAX_DATETIME_SECONDS = Date.UTC(2105, 11, 31, 23, 59, 59) / 1000;

/** Wraps a negative number literal in parentheses so `1-${x}` can never become `1--1` (a comment). */
function numberLiteral(text: string): Sql {
  return createSql(text.startsWith('-') ? `(${text})` : text);
}

// Lone surrogates cannot be encoded as UTF-8 (they would silently become U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Backslash, quote, C0 controls and DEL.
// eslint-disable-next-line no-control-regex
const STRING_SPECIALS = /[\\'\u0000-\u001f\u007f]/g;
const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeStringChar(c: string): string {
  return NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const ch = {
  /**
   * A quoted String literal. Backslash and quote are escaped, as are all control characters
   * (U+0000–U+001F, U+007F); other characters, including any Unicode, are sent as UTF-8. Any
   * well-formed JS string round-trips; strings with lone surrogates are rejected.
   */
  string: (v: string): Sql => {
    if (typeof v !== 'string') fail('ch.string', 'a string', v);
    if (LONE_SURROGATE.test(v)) {
      throw new SqlValueError('ch.string', 'string contains a lone UTF-16 surrogate');
    }
    return createSql(`'${v.replace(STRING_SPECIALS, escapeStringChar)}'`);
  },

  /** An unsigned integer literal: a non-negative safe integer, or a bigint within UInt64. */
  uint: (v: number | bigint): Sql => {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) fail('ch.uint', 'a non-negative safe integer', v);
      return numberLiteral(String(Math.abs(v))); // Math.abs turns -0 into 0
    }
    if (typeof v === 'bigint') {
      if (v < 0n || v > UINT64_MAX) fail('ch.uint', 'a bigint within UInt64', v);
      return numberLiteral(v.toString());
    }
    return fail('ch.uint', 'a number or bigint', v);
  },

  /** A signed integer literal: a safe integer, or a bigint within Int64. */
  int: (v: number | bigint): Sql => {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) fail('ch.int', 'a safe integer', v);
      return numberLiteral(String(v === 0 ? 0 : v));
    }
    if (typeof v === 'bigint') {
      if (v < INT64_MIN || v > INT64_MAX) fail('ch.int', 'a bigint within Int64', v);
      return numberLiteral(v.toString());
    }
    return fail('ch.int', 'a number or bigint', v);
  },

  /**
   * A Float64 literal (always written with `.` or an exponent, so it is typed Float64). Rejects
   * NaN, ±Infinity and subnormal numbers (ClickHouse 18.16 cannot parse subnormal literals).
   * -0 is kept.
   */
  float: (v: number): Sql => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('ch.float', 'a finite number', v);
    if (v !== 0 && Math.abs(v) < MIN_NORMAL_FLOAT64) {
      fail('ch.float', 'a normal (not subnormal) number', v);
    }
    let text = Object.is(v, -0) ? '-0' : String(v);
    if (!/[.e]/.test(text)) text += '.0';
    return numberLiteral(text);
  },

  /**
   * An exact decimal from its string form (`/^-?\d+(\.\d+)?$/`) with at most `scale` fractional
   * digits (scale 0–38). Rendered as `toDecimal64('12.34', 2)` when the precision (integer digits
   * without leading zeros + scale) is at most 18, as `toDecimal128(...)` when it is at most 38;
   * anything larger throws. Leading zeros are dropped.
   */
  decimal: (v: string, scale: number): Sql => {
    if (!Number.isInteger(scale) || scale < 0 || scale > 38) {
      fail('ch.decimal', 'a scale that is an integer from 0 to 38', scale);
    }
    if (typeof v !== 'string') fail('ch.decimal', 'a decimal string', v);
    const m = DECIMAL_RE.exec(v);
    if (!m) fail('ch.decimal', 'a decimal string like -12.34', v);
    const sign = m[1] ?? '';
    const intPart = (m[2] ?? '0').replace(/^0+(?=\d)/, '');
    const fraction = m[3] ?? '';
    if (fraction.length > scale) {
      fail('ch.decimal', `at most ${scale} fractional digits`, v);
    }
    const precision = (intPart === '0' ? 0 : intPart.length) + scale;
    if (precision > 38) fail('ch.decimal', 'at most 38 significant digits (with scale)', v);
    const fn = precision <= 18 ? 'toDecimal64' : 'toDecimal128';
    const text = `${sign}${intPart}${fraction ? `.${fraction}` : ''}`;
    return createSql(`${fn}('${text}', ${scale})`);
  },

  /** A Date from `YYYY-MM-DD`, a real calendar day from 1970-01-01 to 2105-12-31. */
  date: (v: string): Sql => {
    if (typeof v !== 'string') fail('ch.date', 'a YYYY-MM-DD string', v);
    const m = DATE_RE.exec(v);
    if (!m) fail('ch.date', 'a YYYY-MM-DD string', v);
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const d = new Date(Date.UTC(year, month - 1, day));
    if (
      d.getUTCFullYear() !== year ||
      d.getUTCMonth() !== month - 1 ||
      d.getUTCDate() !== day ||
      year < 1000 // Date.UTC maps years 0–99 to 1900–1999
    ) {
      fail('ch.date', 'a real calendar date', v);
    }
    if (v < MIN_DATE || v > MAX_DATE) fail('ch.date', `a date from ${MIN_DATE} to ${MAX_DATE}`, v);
    return createSql(`toDate('${v}')`);
  },

  /**
   * A DateTime in UTC from a valid Date, from 1970-01-01 00:00:00 to 2105-12-31 23:59:59 UTC.
   * DateTime has second precision: milliseconds are truncated (2025-01-31T23:59:59.999Z becomes
   * '2025-01-31 23:59:59').
   */
  dateTime: (v: Date): Sql => {
    if (!(v instanceof Date)) fail('ch.dateTime', 'a Date', v);
    const ms = v.getTime();
    if (Number.isNaN(ms)) {
      throw new SqlValueError('ch.dateTime', 'expected a valid Date, got Invalid Date');
    }
    const seconds = Math.floor(ms / 1000);
    if (seconds < 0 || seconds > MAX_DATETIME_SECONDS) {
      throw new SqlValueError(
        'ch.dateTime',
        `expected a Date from 1970-01-01T00:00:00Z to 2105-12-31T23:59:59Z, got ${v.toISOString()}`,
      );
    }
    const text = new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
    return createSql(`toDateTime('${text}', 'UTC')`);
  },

  /** A UUID in canonical 8-4-4-4-12 hex form (either case; rendered lower case). */
  uuid: (v: string): Sql => {
    if (typeof v !== 'string' || !UUID_RE.test(v)) {
      fail('ch.uuid', 'a canonical UUID (8-4-4-4-12 hex digits)', v);
    }
    return createSql(`toUUID('${v.toLowerCase()}')`);
  },

  /** A backtick-quoted identifier; only `[A-Za-z_][A-Za-z0-9_]*` is accepted. */
  identifier: (v: string): Sql => {
    if (typeof v !== 'string' || !IDENTIFIER_RE.test(v)) {
      fail('ch.identifier', 'an identifier matching [A-Za-z_][A-Za-z0-9_]*', v);
    }
    return createSql(`\`${v}\``);
  },

  /** An array literal `[a, b]` of fragments (empty allowed: `[]`, typed Array(Nothing)). */
  array: (items: readonly Sql[]): Sql => {
    return createSql(`[${fragmentTexts('ch.array', items, 'item').join(', ')}]`);
  },
} as const;
