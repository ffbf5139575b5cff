import { centsText } from '../sales.js';
import { COUNTRIES, DEFAULT_WORLD, catalogueProducts, type World } from '../world.js';
import { csvRow } from './csv-text.js';

// The reference files of a world, as the import job takes them (the headers of
// examples/countries.csv, warehouses.csv and products.csv): every country the
// buyers, sellers and warehouses name, every warehouse, and every product under
// both its ids, the UUID movements name it by and the digits sale lines do.

export const COUNTRY_HEADER = ['ID_COUNTRY', 'COUNTRY_NAME', 'CONTINENT'] as const;
export const WAREHOUSE_HEADER = ['warehouse_id', 'code', 'name', 'city', 'country_id'] as const;
export const PRODUCT_HEADER = ['product_id', 'name', 'category', 'brand', 'unit_price'] as const;

export function* countryRecords(): Generator<string> {
  for (const c of COUNTRIES) yield csvRow([c.id, c.name, c.continent]);
}

export function* warehouseRecords(world: World): Generator<string> {
  for (const w of world.warehouses) yield csvRow([w.id, w.code, w.name, w.city, w.country]);
}

/** Rows of products.csv that the world's own products take: each under its two ids. */
export const worldProductRows = (world: World): number => world.products.length * 2;

/** The rows of a seed's world's products (every seed's world has DEFAULT_WORLD's size). */
export const MIN_PRODUCT_ROWS = DEFAULT_WORLD.products * 2;

/**
 * `rows` rows of products.csv: the world's products first (see worldProductRows, the least
 * `rows` may be), then catalogue products (world.ts) up to `rows`, drawn as they are written.
 */
export function* productRecords(world: World, seed: number, rows: number): Generator<string> {
  const least = worldProductRows(world);
  if (rows < least) throw new Error(`products must be at least ${least} rows, got ${rows}`);
  for (const p of world.products) {
    const rest = [p.name, p.category, p.brand, centsText(p.priceCents)];
    yield csvRow([p.id, ...rest]);
    yield csvRow([p.saleId, ...rest]);
  }
  let left = rows - least;
  if (left === 0) return;
  for (const p of catalogueProducts(seed, world)) {
    yield csvRow([p.id, p.name, p.category, p.brand, centsText(p.priceCents)]);
    if (--left === 0) return;
  }
}
