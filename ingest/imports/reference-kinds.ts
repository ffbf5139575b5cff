// How each kind of reference file lands in Postgres: the staged value
// columns of a row, what else must hold across rows (a warehouse code names
// one warehouse), and the upsert of the first good row of each natural key.
// Staged rows live in the import's temporary table `import_rows`
// (see reference-import.ts): line, raw, reasons, key, v1 … v5.
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
  /** Upserts the first good row of each key; rows equal to what is stored are left alone. */
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
}

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
  };
}

/** The first good row of each key, in file order. */
const FIRSTS = `SELECT DISTINCT ON (key) * FROM import_rows WHERE reasons IS NULL ORDER BY key, line`;

export const productsKind = referenceKind<ProductRow>({
  kind: 'products',
  rules: productRules,
  values: (r) => [r.product_id, r.name, r.category, r.brand, r.unit_price],
  mergeSql: `
    INSERT INTO products AS t (product_id, name, category, brand, unit_price)
    SELECT v1, v2, v3, v4, v5::numeric FROM (${FIRSTS}) f
    ON CONFLICT (product_id) DO UPDATE
      SET name = EXCLUDED.name, category = EXCLUDED.category, brand = EXCLUDED.brand,
          unit_price = EXCLUDED.unit_price, updated_at = now()
      WHERE (t.name, t.category, t.brand, t.unit_price)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.brand, EXCLUDED.unit_price)`,
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
  mergeSql: `
    INSERT INTO warehouses AS t (warehouse_id, code, name, city, country_id)
    SELECT v1::uuid, v2, v3, v4, v5 FROM (${FIRSTS}) f
    ON CONFLICT (warehouse_id) DO UPDATE
      SET code = EXCLUDED.code, name = EXCLUDED.name, city = EXCLUDED.city,
          country_id = EXCLUDED.country_id, updated_at = now()
      WHERE (t.code, t.name, t.city, t.country_id)
            IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name, EXCLUDED.city, EXCLUDED.country_id)`,
});

export const countriesKind = referenceKind<CountryRow>({
  kind: 'countries',
  rules: countryRules,
  values: (r) => [r.country_id, r.name, r.continent],
  mergeSql: `
    INSERT INTO countries AS t (country_id, name, continent)
    SELECT v1, v2, v3 FROM (${FIRSTS}) f
    ON CONFLICT (country_id) DO UPDATE
      SET name = EXCLUDED.name, continent = EXCLUDED.continent, updated_at = now()
      WHERE (t.name, t.continent) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.continent)`,
});

export const REFERENCE_KINDS = {
  products: productsKind,
  warehouses: warehousesKind,
  countries: countriesKind,
} as const satisfies Record<string, ReferenceKind>;

export type ReferenceKindName = keyof typeof REFERENCE_KINDS;
