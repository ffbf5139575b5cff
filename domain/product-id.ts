// What names a product across the streams: seed 001's movements use UUIDs, seed
// 003's sales and the catalog numeric ids, seed 004's orders ids like "item1".
// Stock is kept under this one id, so a counted, moved, ordered and priced
// product is the same row whichever stream named it. A UUID is kept in its
// canonical lowercase form, so two spellings of one UUID are one product.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// No '/' (a stock key is "warehouse/product"), no spaces or controls (ids go in URL paths).
const CATALOG_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** What a product id must look like, for error messages. */
export const PRODUCT_ID_RULE =
  'a product id: a UUID, or 1 to 100 letters, digits, ".", "_", ":" or "-" starting with a letter or digit';

/** The JSON-schema pattern of a product id (for OpenAPI). */
export const PRODUCT_ID_PATTERN = CATALOG_ID.source;

/** The product id in its one stored form, or undefined when it is not one. */
export function productId(value: string): string | undefined {
  if (UUID.test(value)) return value.toLowerCase();
  return CATALOG_ID.test(value) ? value : undefined;
}
