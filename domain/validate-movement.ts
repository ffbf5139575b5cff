// Checks a warehouse event as upstream sends it (seed 001). Every problem is
// reported, not just the first, so a producer can fix a message in one go.
// Hand-written rather than avsc's isValid: that reports an undeclared field
// only as "the record is invalid" and knows nothing of the rules between
// fields. Anything accepted here encodes with movementAvroType; the unit tests
// prove it on generated events.
import { PRODUCT_ID_RULE, productId } from './product-id.js';
import type { Buffer } from 'node:buffer';
import type { FieldIssue } from './field-issue.js';
import type { EventKind, MovementData, MovementEvent } from './movement-event.js';
import { DATA_CONTENT_TYPE, EVENT_TYPES, SPEC_VERSION } from './movement-event.js';
import { movementAvroSchema, movementDataAvroSchema } from './movement-schema.js';
import type { Issues, Json } from './validation-helpers.js';
import {
  UNSTORABLE,
  decodeJson,
  field,
  integer,
  isObject,
  isRealDay,
  issueOrder,
  preview,
  rootFailure,
  unknownFields,
  wrong,
} from './validation-helpers.js';

export type ValidationResult =
  { ok: true; event: MovementEvent } | { ok: false; errors: FieldIssue[] };

const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(movementAvroSchema.fields.map((f) => f.name));
const DATA_FIELDS: ReadonlySet<string> = new Set(movementDataAvroSchema.fields.map((f) => f.name));

// Seed examples use digits; letters are accepted too until upstream says otherwise.
const SOURCE = /^WH-[A-Za-z0-9]{4}$/;
const SUBJECT = /^(WH-[A-Za-z0-9]{4}):(DEPARTURE|ARRIVAL|INVENTORY)$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Ranges in the pattern; only the length of the month is left to code.
const DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

// Errors are reported in schema order, unknown fields last.
const sortIssues = issueOrder([
  ...[...ENVELOPE_FIELDS].map((name) => `/${name}`),
  ...[...DATA_FIELDS].map((name) => `/data/${name}`),
]);

const MAX_TEXT = 200;
const MAX_INT = 2_147_483_647; // Avro int
const MAX_TIME_MS = 8.64e15; // the last instant a JS Date can hold

const EVENT_KINDS: readonly EventKind[] = ['departure', 'arrival', 'inventory'];
const SUBJECT_SUFFIX = { departure: 'DEPARTURE', arrival: 'ARRIVAL', inventory: 'INVENTORY' };
const KNOWN_TYPES = Object.values(EVENT_TYPES);
type KnownType = (typeof KNOWN_TYPES)[number];

export function validateMovementEvent(input: unknown): ValidationResult {
  if (!isObject(input)) {
    return rootFailure(`expected a JSON object (a warehouse event), got ${preview(input)}`);
  }
  const errors: Issues = [];
  unknownFields(input, ENVELOPE_FIELDS, '', 'a warehouse event', errors);
  const id = text(input, 'id', errors);
  const source = matching(input, '', 'source', SOURCE, '"WH-" and four letters or digits', errors);
  const specversion = exactly(input, 'specversion', SPEC_VERSION, errors);
  const type = string(input, 'type', errors);
  const datacontenttype = exactly(input, 'datacontenttype', DATA_CONTENT_TYPE, errors);
  const dataschema = string(input, 'dataschema', errors);
  const time = integer(input, '', 'time', 0, MAX_TIME_MS, 'epoch milliseconds', errors);
  const subject = string(input, 'subject', errors);
  const destination = text(input, 'destination', errors);
  const { data, event } = validateData(input, errors);
  checkTypeAndSchema(type, dataschema, event, errors);
  checkSubject(subject, source, event, errors);

  if (
    errors.length > 0 ||
    id === undefined ||
    source === undefined ||
    specversion === undefined ||
    type === undefined ||
    datacontenttype === undefined ||
    dataschema === undefined ||
    time === undefined ||
    subject === undefined ||
    destination === undefined ||
    data === undefined
  ) {
    return { ok: false, errors: sortIssues(errors) };
  }
  const valid: MovementEvent = {
    id,
    source,
    specversion,
    type,
    datacontenttype,
    dataschema,
    time,
    subject,
    destination,
    data,
  };
  return { ok: true, event: Object.freeze(valid) };
}

/** For a Kafka message value; never throws. */
export function parseMovementEvent(bytes: Buffer | Uint8Array | string | null): ValidationResult {
  const json = decodeJson(bytes);
  return json.ok ? validateMovementEvent(json.value) : json;
}

function validateData(
  input: Json,
  errors: Issues,
): { data: MovementData | undefined; event: EventKind | undefined } {
  const raw = field(input, 'data');
  if (!isObject(raw)) {
    wrong(errors, '', 'data', 'a JSON object', raw);
    return { data: undefined, event: undefined };
  }
  const before = errors.length;
  unknownFields(raw, DATA_FIELDS, '/data', 'data', errors);
  const movement_id = uuid(raw, 'movement_id', errors);
  const warehouse_id = uuid(raw, 'warehouse_id', errors);
  const timestamp = dateTime(raw, errors);
  const event = eventKind(raw, errors);
  const min = event === undefined || event === 'inventory' ? 0 : 1;
  const forEvent = event === undefined ? '' : `for data.event "${event}"`;
  const quantity = integer(raw, '/data', 'quantity', min, MAX_INT, forEvent, errors);
  const product_id = product(raw, errors);
  if (
    errors.length > before ||
    movement_id === undefined ||
    warehouse_id === undefined ||
    timestamp === undefined ||
    event === undefined ||
    product_id === undefined ||
    quantity === undefined
  ) {
    return { data: undefined, event };
  }
  const data = { movement_id, warehouse_id, timestamp, event, product_id, quantity };
  return { data: Object.freeze(data), event };
}

/** The data says what happened, so it decides which type and schema are right. */
function checkTypeAndSchema(
  type: string | undefined,
  dataschema: string | undefined,
  event: EventKind | undefined,
  errors: Issues,
): void {
  const expected: KnownType | undefined =
    event === undefined
      ? KNOWN_TYPES.find((t) => t.type === type)
      : EVENT_TYPES[event === 'inventory' ? 'inventory' : 'movement'];
  if (type !== undefined && type !== expected?.type) {
    const what = expected ? `"${expected.type}" for data.event "${event}"` : oneOf('type');
    errors.push({ path: '/type', message: `type must be ${what}, got ${preview(type)}` });
  }
  if (dataschema === undefined) return;
  if (expected === undefined) {
    if (!KNOWN_TYPES.some((t) => t.dataschema === dataschema)) {
      const message = `dataschema must be ${oneOf('dataschema')}, got ${preview(dataschema)}`;
      errors.push({ path: '/dataschema', message });
    }
  } else if (dataschema !== expected.dataschema) {
    const reasons: string[] = [];
    if (type === expected.type) reasons.push(`type "${type}"`);
    if (event !== undefined) reasons.push(`data.event "${event}"`);
    const what = `"${expected.dataschema}" to match ${reasons.join(' and ')}`;
    const message = `dataschema must be ${what}, got ${preview(dataschema)}`;
    errors.push({ path: '/dataschema', message });
  }
}

function oneOf(key: 'type' | 'dataschema'): string {
  return `one of ${KNOWN_TYPES.map((t) => `"${t[key]}"`).join(', ')}`;
}

function checkSubject(
  subject: string | undefined,
  source: string | undefined,
  event: EventKind | undefined,
  errors: Issues,
): void {
  if (subject === undefined) return;
  const suffix = event === undefined ? undefined : SUBJECT_SUFFIX[event];
  let ok: boolean;
  if (source !== undefined && suffix !== undefined) {
    ok = subject === `${source}:${suffix}`;
  } else {
    const m = SUBJECT.exec(subject);
    ok =
      m !== null &&
      (source === undefined || m[1] === source) &&
      (suffix === undefined || m[2] === suffix);
  }
  if (!ok) {
    const want = `"${source ?? '<source>'}:${suffix ?? 'DEPARTURE|ARRIVAL|INVENTORY'}"`;
    const message = `subject must be ${want} (source, ":" and the upper-case data.event), got ${preview(subject)}`;
    errors.push({ path: '/subject', message });
  }
}

function string(obj: Json, key: string, errors: Issues): string | undefined {
  const value = field(obj, key);
  if (typeof value === 'string') return value;
  wrong(errors, '', key, 'a string', value);
  return undefined;
}

function text(obj: Json, key: string, errors: Issues): string | undefined {
  const value = field(obj, key);
  if (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_TEXT &&
    !UNSTORABLE.test(value)
  ) {
    return value;
  }
  const expected = `a non-empty string of at most ${MAX_TEXT} characters without NUL or lone surrogates`;
  wrong(errors, '', key, expected, value);
  return undefined;
}

function exactly(obj: Json, key: string, expected: string, errors: Issues): string | undefined {
  const value = field(obj, key);
  if (value === expected) return expected;
  wrong(errors, '', key, `"${expected}"`, value);
  return undefined;
}

function matching(
  obj: Json,
  parent: string,
  key: string,
  pattern: RegExp,
  expected: string,
  errors: Issues,
): string | undefined {
  const value = field(obj, key);
  if (typeof value === 'string' && pattern.test(value)) return value;
  wrong(errors, parent, key, expected, value);
  return undefined;
}

/** Any product id stock is kept under: seed 001's UUIDs, and the catalog's other ids. */
function product(obj: Json, errors: Issues): string | undefined {
  const value = field(obj, 'product_id');
  const id = typeof value === 'string' ? productId(value) : undefined;
  if (id === undefined) wrong(errors, '/data', 'product_id', PRODUCT_ID_RULE, value);
  return id;
}

function uuid(obj: Json, key: string, errors: Issues): string | undefined {
  const expected = 'a UUID (8-4-4-4-12 hex digits)';
  return matching(obj, '/data', key, UUID, expected, errors)?.toLowerCase();
}

function eventKind(obj: Json, errors: Issues): EventKind | undefined {
  const value = field(obj, 'event');
  const kind = EVENT_KINDS.find((k) => k === value);
  if (kind === undefined) {
    wrong(errors, '/data', 'event', 'one of "departure", "arrival", "inventory"', value);
  }
  return kind;
}

function dateTime(obj: Json, errors: Issues): string | undefined {
  const value = field(obj, 'timestamp');
  if (typeof value === 'string' && isRealDateTime(value)) return value;
  const expected =
    'an ISO 8601 date-time with a zone that exists in the calendar, e.g. "2025-02-18T14:34:56Z" or "2025-02-18T17:34:56.5+03:00"';
  wrong(errors, '/data', 'timestamp', expected, value);
  return undefined;
}

// Years 0001-9999: year 0 and leap seconds have no place in Postgres or JS dates.
function isRealDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  return year !== 0 && isRealDay(year, Number(m[2]), Number(m[3]));
}
