// How each kind of reference file lands in Postgres: the staged value
// columns of a row, what else must hold across rows (a warehouse code names
// one warehouse), and the merge of the first good row of each natural key.
// Staged rows live in the import's temporary table `import_rows`
// (see reference-import.ts): line, raw, reasons, key, v1 … v5.
//
// The merge is an UPDATE of the stored keys whose values differ and a plain INSERT of the new
// ones, not INSERT … ON CONFLICT: speculative insertion cost about 4 s per million rows here
// (docs/performance.md, Imports). Without ON CONFLICT two imports of one kind could both insert
// a new key and the second would fail at the unique index, so the merge runs under a
// transaction advisory lock per kind (mergeLockSql), taken before conflictsSql reads what is
// stored. Anything else that writes these tables while imports run must take it too.
import {
  type ColumnIssue,
  countryRules,
  productRules,
  warehouseRules,
  type CountryRow,
  type ProductRow,
  type RowRules,
  type WarehouseRow,
} from '../../domain/reference-rows.js';

interface KindDefinition<T> {
  readonly kind: 'products' | 'warehouses' | 'countries';
  readonly rules: RowRules<T>;
  /** A good row's values for v1 … vN of the staging table. */
  readonly values: (row: T) => (string | null)[];
  /** Fails staged good rows that break a rule across rows; runs before the merge. */
  readonly conflictsSql?: string;
  /**
   * Merges the first good row of each key (firsts, see merge()); rows equal to what is stored
   * are left alone. Returns one row: imported, the number of keys.
   */
  readonly mergeSql: string;
}

/** A staged row: its key and values, or why it failed. */
export type Staged =
  | { readonly ok: true; readonly key: string; readonly values: (string | null)[] }
  | { readonly ok: false; readonly errors: readonly ColumnIssue[] };

/** A kind of reference file, its row type closed over. */
export interface ReferenceKind {
  readonly kind: KindDefinition<unknown>['kind'];
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly stage: (record: Readonly<Record<string, string>>) => Staged;
  readonly conflictsSql?: string;
  readonly mergeSql: string;
  /** True when conflictsSql may fail good rows, whose raw text must then be staged too. */
  readonly failsGoodRows: boolean;
}

/** Serialises the merges of one kind: `SELECT` it with the kind's name as $1. */
export const mergeLockSql = `SELECT pg_advisory_xact_lock(hashtextextended('stockflow merge ' || $1, 0))`;

function referenceKind<T>(def: KindDefinition<T>): ReferenceKind {
  return {
    kind: def.kind,
    required: def.rules.required,
    optional: def.rules.optional,
    stage(record) {
      const r = def.rules.parse(record);
      return r.ok ? { ok: true, key: def.rules.key(r.row), values: def.values(r.row) } : r;
    },
    ...(def.conflictsSql ? { conflictsSql: def.conflictsSql } : {}),
    mergeSql: def.mergeSql,
    failsGoodRows: def.conflictsSql !== undefined,
  };
}

/** The first good row of each key, in file order. */
const FIRSTS = `SELECT DISTINCT ON (key) * FROM import_rows WHERE reasons IS NULL ORDER BY key, line`;

/**
 * The merge of `firsts` (the first good row of each key, sorted once, also what is counted)
 * into `table`: the stored keys whose values differ are updated, the others left alone (their
 * updated_at too); the keys not stored are inserted. One statement, so both parts see the same
 * snapshot and touch disjoint keys. The insert's anti-join keeps the CTE's key order (its outer
 * side), so the primary key's index is filled in order.
 */
function merge(def: {
  table: string;
  /** The key column and the key as its type. */
  key: [column: string, value: string];
  /** The value columns and each as its type from the firsts (f.v1 …). */
  columns: [column: string, value: string][];
}): string {
  const [keyColumn, keyValue] = def.key;
  const names = def.columns.map(([c]) => c);
  const stored = names.map((c) => `t.${c}`).join(', ');
  const given = def.columns.map(([, v]) => v).join(', ');
  return `
    WITH f AS MATERIALIZED (${FIRSTS}),
    updated AS (
      UPDATE ${def.table} t SET ${def.columns.map(([c, v]) => `${c} = ${v}`).join(', ')}, updated_at = now()
        FROM f WHERE t.${keyColumn} = ${keyValue} AND (${stored}) IS DISTINCT FROM (${given})
    ),
    inserted AS (
      INSERT INTO ${def.table} (${keyColumn}, ${names.join(', ')})
      SELECT ${keyValue}, ${given} FROM f
       WHERE NOT EXISTS (SELECT FROM ${def.table} t WHERE t.${keyColumn} = ${keyValue})
    )
    SELECT count(*)::float8 AS imported FROM f`;
}

export const productsKind = referenceKind<ProductRow>({
  kind: 'products',
  rules: productRules,
  values: (r) => [r.product_id, r.name, r.category, r.brand, r.unit_price],
  mergeSql: merge({
    table: 'products',
    key: ['product_id', 'f.key'],
    columns: [
      ['name', 'f.v2'],
      ['category', 'f.v3'],
      ['brand', 'f.v4'],
      ['unit_price', 'f.v5::numeric'],
    ],
  }),
});

export const warehousesKind = referenceKind<WarehouseRow>({
  kind: 'warehouses',
  rules: warehouseRules,
  values: (r) => [r.warehouse_id, r.code, r.name, r.city, r.country_id],
  // A code already held by another warehouse (stored, or earlier in the file) fails every
  // good row of the later warehouse, rather than the whole file at the unique index.
  conflictsSql: `
    WITH firsts AS (${FIRSTS}),
    clash AS (
      SELECT f.key, coalesce(
        (SELECT w.warehouse_id::text FROM warehouses w
          WHERE w.code = f.v2 AND w.warehouse_id::text <> f.key),
        (SELECT g.key FROM firsts g
          WHERE g.v2 = f.v2 AND g.key <> f.key AND g.line < f.line ORDER BY g.line LIMIT 1)
      ) AS other
      FROM firsts f
    )
    UPDATE import_rows r
       SET reasons = jsonb_build_array(jsonb_build_object(
             'column', 'code', 'message', 'is already the code of warehouse ' || c.other))
      FROM clash c
     WHERE c.other IS NOT NULL AND r.key = c.key AND r.reasons IS NULL`,
  mergeSql: merge({
    table: 'warehouses',
    key: ['warehouse_id', 'f.key::uuid'],
    columns: [
      ['code', 'f.v2'],
      ['name', 'f.v3'],
      ['city', 'f.v4'],
      ['country_id', 'f.v5'],
    ],
  }),
});

export const countriesKind = referenceKind<CountryRow>({
  kind: 'countries',
  rules: countryRules,
  values: (r) => [r.country_id, r.name, r.continent],
  mergeSql: merge({
    table: 'countries',
    key: ['country_id', 'f.key'],
    columns: [
      ['name', 'f.v2'],
      ['continent', 'f.v3'],
    ],
  }),
});

export const REFERENCE_KINDS = {
  products: productsKind,
  warehouses: warehousesKind,
  countries: countriesKind,
} as const satisfies Record<string, ReferenceKind>;

export type ReferenceKindName = keyof typeof REFERENCE_KINDS;
