// Small pieces the hand-written validators (validate-movement.ts,
// validate-sale.ts) share: reading fields, reporting an issue with its JSON
// pointer and a short preview of what was got, unknown fields, and decoding a
// Kafka message value into JSON. Pure: no I/O.
import { Buffer, isUtf8 } from 'node:buffer';
import type { FieldIssue } from './field-issue.js';

export type Json = Record<string, unknown>;
export type Issues = FieldIssue[];
export type Failure = { ok: false; errors: FieldIssue[] };

/** Both would be mangled downstream: Postgres rejects NUL in text, and UTF-8 encoding turns a lone surrogate into U+FFFD. */
export const UNSTORABLE = /\0|\p{Cs}/u;

const MAX_UNKNOWN_LISTED = 20; // a hostile message must not yield a huge error list
const PREVIEW = 60;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function rootFailure(message: string): Failure {
  return { ok: false, errors: [{ path: '', message }] };
}

/**
 * A Kafka message value as JSON: UTF-8 (a BOM is skipped), not blank, well
 * formed. Anything else is one error at the root path ''. Never throws.
 */
export function decodeJson(
  bytes: Buffer | Uint8Array | string | null,
): { ok: true; value: unknown } | Failure {
  if (bytes === null) return rootFailure('empty message: expected a JSON object, got null');
  let json: string;
  if (typeof bytes === 'string') {
    json = bytes;
  } else {
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!isUtf8(buf)) return rootFailure('message is not valid UTF-8; expected a JSON object');
    const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
    json = buf.toString('utf8', bom ? 3 : 0);
  }
  if (json.trim() === '') return rootFailure('empty message: expected a JSON object');
  try {
    return { ok: true, value: JSON.parse(json) as unknown };
  } catch (err) {
    return rootFailure(
      `malformed JSON: ${clip(err instanceof Error ? err.message : String(err), 200)}`,
    );
  }
}

/**
 * Reports every own field of `obj` not in `known` (at most 20 listed, the rest
 * counted). `what` names the object in the message, e.g. "a warehouse event".
 */
export function unknownFields(
  obj: Json,
  known: ReadonlySet<string>,
  parent: string,
  what: string,
  errors: Issues,
): void {
  let unlisted = 0;
  for (const key in obj) {
    if (known.has(key) || !Object.hasOwn(obj, key)) continue;
    if (unlisted++ >= MAX_UNKNOWN_LISTED) continue;
    const message = `unknown field ${JSON.stringify(clip(key, PREVIEW))}: not in the schema of ${what}, and dropping it would lose data`;
    errors.push({ path: `${parent}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, message });
  }
  if (unlisted > MAX_UNKNOWN_LISTED) {
    const where = parent === '' ? '' : ` in ${dotted(parent)}`;
    const message = `${unlisted - MAX_UNKNOWN_LISTED} more unknown fields${where} not listed`;
    errors.push({ path: parent, message });
  }
}

/** An integer from `min` to `max`; `note` (if any) is added in brackets to the expectation. */
export function integer(
  obj: Json,
  parent: string,
  key: string,
  min: number,
  max: number,
  note: string,
  errors: Issues,
): number | undefined {
  const value = field(obj, key);
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value + 0; // -0 would not survive an Avro round trip
  }
  const expected = `an integer from ${min} to ${max}${note === '' ? '' : ` (${note})`}`;
  wrong(errors, parent, key, expected, value);
  return undefined;
}

/** Whether the day exists in that month (proleptic Gregorian calendar). */
export function isRealDay(year: number, month: number, day: number): boolean {
  if (day <= 28) return day >= 1;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0));
}

/** Sorts issues in the order of `paths` (schema order); any other path goes last, in the order found. */
export function issueOrder(paths: readonly string[]): (errors: Issues) => Issues {
  const rank = new Map(paths.map((path, i) => [path, i]));
  const of = (path: string): number => rank.get(path) ?? rank.size;
  return (errors) => errors.sort((a, b) => of(a.path) - of(b.path));
}

export function field(obj: Json, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `<name> is missing; expected …` or `<name> must be <expected>, got <preview>`
 * (then ` (<why>)` when given), at `<parent>/<key>`.
 */
export function wrong(
  errors: Issues,
  parent: string,
  key: string,
  expected: string,
  got: unknown,
  why?: string,
): void {
  const name = parent === '' ? key : `${dotted(parent)}.${key}`;
  const message =
    got === undefined
      ? `${name} is missing; expected ${expected}`
      : `${name} must be ${expected}, got ${preview(got)}${why === undefined ? '' : ` (${why})`}`;
  errors.push({ path: `${parent}/${key}`, message });
}

/** What was got, briefly: a hostile value must not blow up the error list. */
export function preview(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length <= PREVIEW
        ? `string ${JSON.stringify(value)}`
        : `string ${JSON.stringify(value.slice(0, PREVIEW))}... (${value.length} characters)`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return `${Array.isArray(value) ? 'array' : 'object'} ${clip(safeJson(value), PREVIEW)}`;
    default:
      return typeof value;
  }
}

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}

function dotted(parent: string): string {
  return parent.slice(1).replaceAll('/', '.');
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '(not JSON)';
  }
}
