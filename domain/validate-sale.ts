// Checks a sale line as upstream sends it (seed 003). Every problem is
// reported, each with its JSON pointer, like validate-movement.ts; what passes
// is normalised (identifiers to strings, the payment date to epoch ms, money
// to a canonical decimal) and encodes with saleAvroType.
import type { Buffer } from 'node:buffer';
import type { FieldIssue } from './field-issue.js';
import type { Sale, SaleCategory } from './sale.js';
import { SALE_CATEGORIES } from './sale.js';
import { saleAvroSchema } from './sale-schema.js';
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

export type SaleValidationResult = { ok: true; sale: Sale } | { ok: false; errors: FieldIssue[] };

const FIELDS: ReadonlySet<string> = new Set(saleAvroSchema.fields.map((f) => f.name));
// Errors are reported in schema order, unknown fields last.
const sortIssues = issueOrder([...FIELDS].map((name) => `/${name}`));

const IDENTIFIER = /^[A-Za-z0-9._:-]{1,64}$/;
const IDENTIFIER_EXPECTED =
  'an identifier: a string of 1 to 64 characters A-Z a-z 0-9 . _ : - or a non-negative integer';

// The seed's own format, which carries no zone and means UTC...
const SEED_DATE =
  /^(20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;
// ...or ISO 8601 with a zone. Ranges are in the patterns; the month's length is left to code.
const ISO_DATE =
  /^(20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,9}))?(?:Z|([+-])([01]\d|2[0-3]):([0-5]\d))$/;
const DATE_EXPECTED =
  'a date-time of the years 2000 to 2099 that exists in the calendar: "YYYY-MM-DD HH:MM:SS" (UTC, as in seed 003) or ISO 8601 with a zone, e.g. "2021-01-07 00:09:24" or "2021-01-07T02:09:24.5+02:00"';

const MAX_BRAND = 200;
const MAX_QUANTITY = 1_000_000;

// Money is validated and normalised as text, never through float arithmetic.
// A JSON number is read as its shortest round-trip form (String(n)), which for
// amounts below 10^13 with at most 2 decimals (15 significant digits at most)
// is exactly the decimal that was sent.
const MONEY = /^(\d+)(?:\.(\d{1,2}))?$/;
const MAX_WHOLE_DIGITS = 13; // below 10^13: cents stay far inside Int64
const MONEY_EXPECTED =
  'an amount of money: a JSON number or a decimal string, at least 0, below 10^13, with at most 2 decimal places (e.g. 57.27 or "57.27")';

const CATEGORY_EXPECTED = `one of ${SALE_CATEGORIES.map((c) => `"${c}"`).join(', ')}`;

export function validateSale(input: unknown): SaleValidationResult {
  if (!isObject(input)) {
    return rootFailure(`expected a JSON object (a sale), got ${preview(input)}`);
  }
  const errors: Issues = [];
  unknownFields(input, FIELDS, '', 'a sale', errors);
  const ID_ORDER = identifier(input, 'ID_ORDER', errors);
  const ID_PRODUCT = identifier(input, 'ID_PRODUCT', errors);
  const ID_BUYER = identifier(input, 'ID_BUYER', errors);
  const ID_SELLER = identifier(input, 'ID_SELLER', errors);
  const ID_SELLER_COUNTRY = identifier(input, 'ID_SELLER_COUNTRY', errors);
  const ID_BUYER_COUNTRY = identifier(input, 'ID_BUYER_COUNTRY', errors);
  const DATE_PAYMENT = paymentDate(input, errors);
  const BRAND = brand(input, errors);
  const CATEGORY = category(input, errors);
  const REVENUE = revenue(input, errors);
  const QUANTITY =
    field(input, 'QUANTITY') === undefined
      ? 1
      : integer(input, '', 'QUANTITY', 1, MAX_QUANTITY, '', errors);

  if (
    errors.length > 0 ||
    ID_ORDER === undefined ||
    ID_PRODUCT === undefined ||
    ID_BUYER === undefined ||
    ID_SELLER === undefined ||
    ID_SELLER_COUNTRY === undefined ||
    ID_BUYER_COUNTRY === undefined ||
    DATE_PAYMENT === undefined ||
    BRAND === undefined ||
    CATEGORY === undefined ||
    REVENUE === undefined ||
    QUANTITY === undefined
  ) {
    return { ok: false, errors: sortIssues(errors) };
  }
  const sale: Sale = {
    ID_ORDER,
    ID_PRODUCT,
    ID_BUYER,
    ID_SELLER,
    ID_SELLER_COUNTRY,
    ID_BUYER_COUNTRY,
    DATE_PAYMENT,
    BRAND,
    CATEGORY,
    REVENUE,
    QUANTITY,
  };
  return { ok: true, sale: Object.freeze(sale) };
}

/** For a Kafka message value; never throws. Malformed JSON is one error at path ''. */
export function parseSale(bytes: Buffer | Uint8Array | string | null): SaleValidationResult {
  const json = decodeJson(bytes);
  return json.ok ? validateSale(json.value) : json;
}

function identifier(obj: Json, key: string, errors: Issues): string | undefined {
  const value = field(obj, key);
  if (typeof value === 'string' && IDENTIFIER.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  wrong(errors, '', key, IDENTIFIER_EXPECTED, value);
  return undefined;
}

function paymentDate(obj: Json, errors: Issues): number | undefined {
  const value = field(obj, 'DATE_PAYMENT');
  const ms = typeof value === 'string' ? epochMs(value) : undefined;
  if (ms === undefined) wrong(errors, '', 'DATE_PAYMENT', DATE_EXPECTED, value);
  return ms;
}

/** Epoch ms of a seed or ISO date-time, or undefined if it is neither or not in the calendar. */
function epochMs(value: string): number | undefined {
  const m = SEED_DATE.exec(value) ?? ISO_DATE.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined ||
    !isRealDay(year, month, day)
  ) {
    return undefined;
  }
  // Beyond milliseconds a fraction is truncated: epoch ms is what is kept.
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMinutes =
    m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function brand(obj: Json, errors: Issues): string | undefined {
  const value = field(obj, 'BRAND');
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' && value.length <= MAX_BRAND && !UNSTORABLE.test(value)) {
    return value;
  }
  const expected = `a string of at most ${MAX_BRAND} characters without NUL or lone surrogates, or null`;
  wrong(errors, '', 'BRAND', expected, value);
  return undefined;
}

function category(obj: Json, errors: Issues): SaleCategory | undefined {
  const value = field(obj, 'CATEGORY');
  const found = SALE_CATEGORIES.find((c) => c === value);
  if (found === undefined) wrong(errors, '', 'CATEGORY', CATEGORY_EXPECTED, value);
  return found;
}

function revenue(obj: Json, errors: Issues): string | undefined {
  const value = field(obj, 'REVENUE');
  const text =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  const m = text === undefined ? null : MONEY.exec(text);
  const whole = m?.[1]?.replace(/^0+(?=\d)/, '');
  if (m !== null && whole !== undefined && whole.length <= MAX_WHOLE_DIGITS) {
    return `${whole}.${(m[2] ?? '').padEnd(2, '0')}`;
  }
  wrong(errors, '', 'REVENUE', MONEY_EXPECTED, value, text === undefined ? undefined : why(text));
  return undefined;
}

/** Why a money text was refused, when there is a simple answer. */
function why(text: string): string | undefined {
  if (/^-\d/.test(text)) return 'it is negative';
  if (/^[\d.]+e[+-]?\d+$/i.test(text)) return 'exponent notation is not accepted';
  const decimals = /^\d+\.(\d{3,})$/.exec(text)?.[1]?.length;
  if (decimals !== undefined) return `it has ${decimals} decimal places`;
  if (MONEY.test(text)) return 'it is 10^13 or more';
  return undefined;
}
