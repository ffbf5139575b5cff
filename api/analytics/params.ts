import { PRODUCT_ID_RULE, productId } from '../../domain/product-id.js';
import { ValidationError } from '../../lib/errors.js';

// Query parameters of the analytics API → typed values, or a ValidationError
// naming the parameter. The OpenAPI validator has already checked types, UUIDs,
// enums and limit bounds where the document can say them; everything about
// dates is decided here (the document cannot say "a real calendar day" or
// "start before end"), and the checks are repeated for every value that
// reaches SQL, so these functions are safe on their own.

/** Query parameters as Express hands them over (strings, numbers after coercion, arrays). */
export type Query = Readonly<Record<string, unknown>>;

/** Whole UTC calendar days, both inclusive, as `YYYY-MM-DD`. */
export interface DayRange {
  readonly first: string;
  readonly last: string;
}

/** Whole days with either end open (`null`: no bound on that side). */
export interface OpenDayRange {
  readonly first: string | null;
  readonly last: string | null;
}

/** Instants in epoch seconds: `start` inclusive, `end` exclusive. */
export interface InstantRange {
  readonly start: number;
  readonly end: number;
}

/**
 * An instant range cut into what daily aggregates can answer (whole days) and the partial days
 * at its edges that must be read from raw rows.
 */
export interface SplitRange {
  readonly days: DayRange | null;
  readonly edges: readonly InstantRange[];
}

export type Granularity = 'hour' | 'day' | 'week' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week', 'month'];

export type CountrySide = 'seller' | 'buyer';

/** The span every date must lie in: ClickHouse's Date and DateTime hold it on every version. */
export const MIN_DAY = '1970-01-01';
export const MAX_DAY = '2099-12-31';

export const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;
const MAX_END_MS = Date.UTC(2100, 0, 1); // exclusive

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DATE_HELP =
  'a date YYYY-MM-DD (a whole UTC day) or a date-time with a zone, e.g. 2025-01-31T12:00:00Z';
const DAY_HELP = 'a date YYYY-MM-DD (a whole UTC day)';

export function invalid(param: string, message: string): ValidationError {
  return new ValidationError(`${param} ${message}`, [{ path: `/query/${param}`, message }]);
}

/** At most 40 characters of a value, JSON-quoted, for messages. */
function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** The single string value of a parameter, `undefined` when absent; arrays are refused. */
function single(query: Query, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw invalid(name, 'must be given once, as a single value');
}

function required(query: Query, name: string): string {
  const v = single(query, name);
  if (v === undefined || v === '') throw invalid(name, 'is required');
  return v;
}

/** Epoch ms of midnight UTC of a real calendar day, or undefined. */
function calendarDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (year < 1000 || d.getUTCFullYear() !== year) return undefined;
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return ms;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` day, as ClickHouse's `toInt32(date)`. */
export function dayNumber(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / (DAY_SECONDS * 1000);
}

/** `YYYY-MM-DD` of the UTC day holding an epoch-ms instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight UTC of a validated `YYYY-MM-DD`, in epoch ms. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return dayOf(dayStartMs(day) + n * DAY_MS);
}

type Bound =
  | { readonly kind: 'day'; readonly day: string }
  | { readonly kind: 'instant'; readonly ms: number };

/** A `YYYY-MM-DD` that is a real day within MIN_DAY..MAX_DAY; throws naming `param`. */
export function parseDay(param: string, value: string): string {
  const m = DATE_RE.exec(value);
  if (!m) throw invalid(param, `must be ${DAY_HELP}, got ${show(value)}`);
  if (calendarDay(Number(m[1]), Number(m[2]), Number(m[3])) === undefined) {
    throw invalid(param, `${value} is not a real calendar day`);
  }
  if (value < MIN_DAY || value > MAX_DAY) {
    throw invalid(param, `must be a day from ${MIN_DAY} to ${MAX_DAY}, got ${value}`);
  }
  return value;
}

/** A date or a date-time with a zone. */
function parseBound(param: string, value: string): Bound {
  if (DATE_RE.test(value)) return { kind: 'day', day: parseDay(param, value) };
  const m = DATE_TIME_RE.exec(value);
  if (!m) throw invalid(param, `must be ${DATE_HELP}, got ${show(value)}`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? '0');
  const fraction = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const midnight = calendarDay(year, month, day);
  if (midnight === undefined)
    throw invalid(param, `${value.slice(0, 10)} is not a real calendar day`);
  if (hour > 23 || minute > 59 || second > 59) {
    throw invalid(param, `${show(value)} is not a real time of day (00:00:00 to 23:59:59)`);
  }
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const zoneHours = Number(m[10]);
    const zoneMinutes = Number(m[11]);
    if (zoneHours > 23 || zoneMinutes > 59)
      throw invalid(param, `${show(value)} has no real zone offset`);
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const ms =
    midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + Number(fraction);
  if (ms < 0 || ms >= MAX_END_MS) {
    throw invalid(
      param,
      `must lie from ${MIN_DAY}T00:00:00Z to ${MAX_DAY}T23:59:59Z, got ${show(value)}`,
    );
  }
  return { kind: 'instant', ms };
}

function reversed(startParam: string, endParam: string): ValidationError {
  const message = `${startParam} is after ${endParam}: the range is reversed`;
  return new ValidationError(message, [
    { path: `/query/${startParam}`, message },
    { path: `/query/${endParam}`, message },
  ]);
}

/**
 * `start_date` and `end_date`, both required, each a date (a whole UTC day, both ends inclusive)
 * or a date-time with a zone (an exact instant: the start inclusive, the end inclusive to the
 * second). Returns the instants as epoch seconds, end exclusive. Rows are stored to the second, so
 * a start with a fraction of a second begins at the next whole second.
 */
export function parseInstantRange(
  query: Query,
  startParam = 'start_date',
  endParam = 'end_date',
): InstantRange {
  const start = parseBound(startParam, required(query, startParam));
  const end = parseBound(endParam, required(query, endParam));
  const startMs = start.kind === 'day' ? dayStartMs(start.day) : start.ms;
  const endMs = end.kind === 'day' ? dayStartMs(end.day) + DAY_MS - 1 : end.ms;
  if (startMs > endMs) throw reversed(startParam, endParam);
  return { start: Math.ceil(startMs / 1000), end: Math.floor(endMs / 1000) + 1 };
}

/**
 * Splits `[start, end)` into the whole UTC days it covers and the partial days at its edges (at
 * most two, none when both ends fall on midnight). A range inside one day is one edge.
 */
export function splitRange(range: InstantRange): SplitRange {
  const { start, end } = range;
  if (end <= start) return { days: null, edges: [] };
  const firstMidnight = Math.ceil(start / DAY_SECONDS) * DAY_SECONDS;
  const lastMidnight = Math.floor(end / DAY_SECONDS) * DAY_SECONDS;
  if (firstMidnight >= lastMidnight) return { days: null, edges: [{ start, end }] };
  const edges: InstantRange[] = [];
  if (start < firstMidnight) edges.push({ start, end: firstMidnight });
  if (lastMidnight < end) edges.push({ start: lastMidnight, end });
  return {
    days: { first: dayOf(firstMidnight * 1000), last: dayOf((lastMidnight - DAY_SECONDS) * 1000) },
    edges,
  };
}

/** Whole calendar months inside a day range, and the days left over at either end. */
export interface MonthSplit {
  /** First days of the first and last whole month, or null when no month fits. */
  readonly months: DayRange | null;
  /** The days before the first whole month and after the last (zero to two ranges). */
  readonly days: readonly DayRange[];
}

export function splitMonths(range: DayRange): MonthSplit {
  const first = Date.parse(`${range.first}T00:00:00Z`);
  const afterLast = Date.parse(`${range.last}T00:00:00Z`) + DAY_SECONDS * 1000;
  const a = new Date(first);
  const b = new Date(afterLast);
  const monthsFrom =
    a.getUTCDate() === 1 ? first : Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + 1, 1);
  const monthsUntil = Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), 1); // exclusive
  if (monthsFrom >= monthsUntil) return { months: null, days: [range] };
  const u = new Date(monthsUntil);
  const days: DayRange[] = [];
  if (first < monthsFrom)
    days.push({ first: range.first, last: dayOf(monthsFrom - DAY_SECONDS * 1000) });
  if (monthsUntil < afterLast) days.push({ first: dayOf(monthsUntil), last: range.last });
  return {
    months: {
      first: dayOf(monthsFrom),
      last: dayOf(Date.UTC(u.getUTCFullYear(), u.getUTCMonth() - 1, 1)),
    },
    days,
  };
}

function dayBound(param: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!DATE_RE.test(value) && DATE_TIME_RE.test(value)) {
    throw invalid(
      param,
      `must be a whole day (YYYY-MM-DD), got ${show(value)}: this answer comes from daily aggregates, which cannot cut a day at a time of day`,
    );
  }
  return parseDay(param, value);
}

/** Optional whole-day bounds (either may be absent: open on that side). */
export function parseOpenDayRange(
  query: Query,
  startParam = 'start_date',
  endParam = 'end_date',
): OpenDayRange {
  const first = dayBound(startParam, single(query, startParam));
  const last = dayBound(endParam, single(query, endParam));
  if (first !== null && last !== null && first > last) throw reversed(startParam, endParam);
  return { first, last };
}

/** Required whole-day bounds, both inclusive. */
export function parseDayRange(
  query: Query,
  startParam = 'start_date',
  endParam = 'end_date',
): DayRange {
  const first = dayBound(startParam, required(query, startParam));
  const last = dayBound(endParam, required(query, endParam));
  if (first === null || last === null)
    throw invalid(first === null ? startParam : endParam, 'is required');
  if (first > last) throw reversed(startParam, endParam);
  return { first, last };
}

/** The two consecutive 7-day weeks starting at `week_start` (any weekday). */
export interface TwoWeeks {
  readonly week1: DayRange;
  readonly week2: DayRange;
}

export function parseTwoWeeks(query: Query, param = 'week_start'): TwoWeeks {
  const start = dayBound(param, required(query, param));
  if (start === null) throw invalid(param, 'is required');
  const end = addDays(start, 13);
  if (end > MAX_DAY) throw invalid(param, `leaves the second week past ${MAX_DAY}`);
  return {
    week1: { first: start, last: addDays(start, 6) },
    week2: { first: addDays(start, 7), last: end },
  };
}

/**
 * A granularity among `allowed` (default `fallback`). `unavailable` explains why a known
 * granularity is refused here (e.g. hours from a daily view).
 */
export function parseGranularity<const G extends Granularity>(
  query: Query,
  allowed: readonly G[],
  fallback: G,
  unavailable = 'is not available here',
  param = 'granularity',
): G {
  const v = single(query, param);
  if (v === undefined || v === '') return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as G;
  if ((GRANULARITIES as readonly string[]).includes(v)) {
    throw invalid(param, `${v} ${unavailable}; use ${allowed.join(', ')}`);
  }
  throw invalid(param, `must be one of ${allowed.join(', ')}, got ${show(v)}`);
}

/** An integer limit from 1 to `max`, `fallback` when absent. */
export function parseLimit(query: Query, fallback: number, max: number, param = 'limit'): number {
  const v = single(query, param);
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!/^\d{1,9}$/.test(v) || n < 1 || n > max) {
    throw invalid(param, `must be an integer from 1 to ${max}, got ${show(v)}`);
  }
  return n;
}

export function parseSide(query: Query, param = 'by'): CountrySide {
  const v = single(query, param);
  if (v === undefined || v === '' || v === 'seller') return 'seller';
  if (v === 'buyer') return 'buyer';
  throw invalid(param, `must be seller or buyer, got ${show(v)}`);
}

/** An optional UUID, lower-cased; `null` when absent. */
export function parseOptionalUuid(query: Query, param: string): string | null {
  const v = single(query, param);
  if (v === undefined) return null;
  if (!UUID_RE.test(v)) throw invalid(param, `must be a UUID, got ${show(v)}`);
  return v.toLowerCase();
}

/** A product id in its stored form (a UUID lowercased); see domain/product-id.ts. */
export function parseOptionalProductId(query: Query, param: string): string | null {
  const v = single(query, param);
  if (v === undefined) return null;
  const id = productId(v);
  if (id === undefined) throw invalid(param, `must be ${PRODUCT_ID_RULE}, got ${show(v)}`);
  return id;
}

export function parseProductId(query: Query, param: string): string {
  const v = parseOptionalProductId(query, param);
  if (v === null) throw invalid(param, 'is required');
  return v;
}

export function parseUuid(query: Query, param: string): string {
  const v = parseOptionalUuid(query, param);
  if (v === null) throw invalid(param, 'is required');
  return v;
}
