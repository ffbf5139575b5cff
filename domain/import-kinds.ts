// The kinds of file stockflow imports, one CSV file a kind.

/**
 * Every import kind, in the order an import job takes them: reference data (countries,
 * warehouses, products) before the facts that name it. The daily job imports an inbox in this
 * order (ingest/imports/inbox.ts); `generate --csv` writes its files in it (generator/csv).
 */
export const IMPORT_KINDS = [
  'countries',
  'warehouses',
  'products',
  'stock_counts',
  'movements',
  'sales',
] as const;

export type ImportKind = (typeof IMPORT_KINDS)[number];
