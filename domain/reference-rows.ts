// Rows of the reference-data files (products, warehouses, countries): which
// header columns each kind has, and the rules one row must meet. Pure: a row
// is a record of the file's text values by header name.
import { PRODUCT_ID_RULE, productId } from './product-id.js';

/** One reason a file row was refused: the header column it is about ('' for the row), and why. */
export interface ColumnIssue {
  readonly column: string;
  readonly message: string;
}

export type RowResult<T> =
  | { readonly ok: true; readonly row: T }
  | { readonly ok: false; readonly errors: readonly ColumnIssue[] };

/** A kind of file: its header, the natural key its rows are upserted (or deduplicated) by, its rules. */
export interface RowRules<T> {
  /** Columns the header must have. */
  readonly required: readonly string[];
  /** Columns the header may have besides. */
  readonly optional: readonly string[];
  readonly parse: (record: Readonly<Record<string, string>>) => RowResult<T>;
  readonly key: (row: T) => string;
}

export interface ProductRow {
  readonly product_id: string;
  readonly name: string;
  readonly category: string | null;
  readonly brand: string | null;
  /** Exact decimal with two places, e.g. "12.30". */
  readonly unit_price: string;
}

export interface WarehouseRow {
  readonly warehouse_id: string;
  readonly code: string;
  readonly name: string;
  readonly city: string | null;
  readonly country_id: string | null;
}

export interface CountryRow {
  readonly country_id: string;
  readonly name: string;
  readonly continent: string | null;
}

const MAX_TEXT = 200;
const MAX_ID = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRICE = /^(\d{1,12})(?:\.(\d{1,2}))?$/;
const WAREHOUSE_CODE = /^WH-\d{4}$/;
/** Control characters (NUL among them) and lone surrogates (UNSTORABLE's), in one test. */
const CONTROL = /[\p{Cc}\p{Cs}]/u;

/** Collects a row's issues while reading its columns. */
class RowReader {
  readonly errors: ColumnIssue[] = [];
  constructor(private readonly record: Readonly<Record<string, string>>) {}

  private text(column: string, max: number, required: boolean): string | null {
    const value = (this.record[column] ?? '').trim();
    if (value === '') {
      if (required) this.errors.push({ column, message: 'is required' });
      return null;
    }
    if (value.length > max) {
      this.errors.push({ column, message: `is ${value.length} characters long; at most ${max}` });
      return null;
    }
    if (CONTROL.test(value)) {
      this.errors.push({ column, message: 'holds a control character' });
      return null;
    }
    return value;
  }

  required(column: string, max = MAX_TEXT): string {
    return this.text(column, max, true) ?? '';
  }

  optional(column: string, max = MAX_TEXT): string | null {
    return this.text(column, max, false);
  }

  matching(column: string, pattern: RegExp, expected: string, required = true): string | null {
    const value = required ? this.required(column) : this.optional(column);
    if (!value) return null;
    if (!pattern.test(value)) {
      this.errors.push({ column, message: `must be ${expected}, got ${JSON.stringify(value)}` });
      return null;
    }
    return value;
  }

  product(column: string): string {
    const value = this.required(column, MAX_ID);
    if (!value) return '';
    const id = productId(value);
    if (id === undefined) {
      this.errors.push({
        column,
        message: `must be ${PRODUCT_ID_RULE}, got ${JSON.stringify(value)}`,
      });
      return '';
    }
    return id;
  }

  price(column: string): string {
    const value = this.required(column);
    if (!value) return '';
    const m = PRICE.exec(value);
    if (!m) {
      this.errors.push({
        column,
        message: `must be a non-negative decimal with at most 2 places, got ${JSON.stringify(value)}`,
      });
      return '';
    }
    const whole = m[1]!.replace(/^0+(?=\d)/, '');
    return `${whole}.${(m[2] ?? '').padEnd(2, '0')}`;
  }

  result<T>(row: T): RowResult<T> {
    return this.errors.length === 0 ? { ok: true, row } : { ok: false, errors: this.errors };
  }
}

export const productRules: RowRules<ProductRow> = {
  required: ['product_id', 'name', 'unit_price'],
  optional: ['category', 'brand'],
  key: (row) => row.product_id,
  parse(record) {
    const r = new RowReader(record);
    return r.result({
      product_id: r.product('product_id'),
      name: r.required('name'),
      category: r.optional('category'),
      brand: r.optional('brand'),
      unit_price: r.price('unit_price'),
    });
  },
};

export const warehouseRules: RowRules<WarehouseRow> = {
  required: ['warehouse_id', 'code', 'name'],
  optional: ['city', 'country_id'],
  key: (row) => row.warehouse_id,
  parse(record) {
    const r = new RowReader(record);
    return r.result({
      warehouse_id: r.matching('warehouse_id', UUID, 'a UUID')?.toLowerCase() ?? '',
      code: r.matching('code', WAREHOUSE_CODE, '"WH-" and four digits') ?? '',
      name: r.required('name'),
      city: r.optional('city'),
      country_id: r.optional('country_id', MAX_ID),
    });
  },
};

/** Seed 003's country table, its column names as they are there. */
export const countryRules: RowRules<CountryRow> = {
  required: ['ID_COUNTRY', 'COUNTRY_NAME'],
  optional: ['CONTINENT'],
  key: (row) => row.country_id,
  parse(record) {
    const r = new RowReader(record);
    return r.result({
      country_id: r.required('ID_COUNTRY', MAX_ID),
      name: r.required('COUNTRY_NAME'),
      continent: r.optional('CONTINENT'),
    });
  },
};

/**
 * Why a header cannot be read as the kind (missing or unknown columns, a column twice), or
 * undefined when it can. Such a file imports nothing.
 */
export function headerProblem(
  header: readonly string[],
  rules: Pick<RowRules<unknown>, 'required' | 'optional'>,
): string | undefined {
  const known = new Set([...rules.required, ...rules.optional]);
  const seen = new Set<string>();
  const twice = header.filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
  const missing = rules.required.filter((c) => !seen.has(c));
  const unknown = header.filter((c) => !known.has(c));
  const problems = [
    missing.length > 0 && `missing ${missing.join(', ')}`,
    unknown.length > 0 && `unknown ${unknown.slice(0, 10).join(', ')}`,
    twice.length > 0 && `repeated ${twice.join(', ')}`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length === 0) return undefined;
  return `header columns ${problems.join('; ')} (expected ${rules.required.join(', ')}${
    rules.optional.length > 0 ? `, optionally ${rules.optional.join(', ')}` : ''
  })`;
}
