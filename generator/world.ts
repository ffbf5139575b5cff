import { SALE_CATEGORIES, type SaleCategory } from '../domain/sale.js';
import type { WeightTable } from './random.js';
import { Rng, weightTable, zipfWeights } from './random.js';

// The fixed cast of the generated data: warehouses, products, brands, sellers,
// buyers and countries. Drawn once from the seed alone (not the period or the
// sizes), so every run with one seed talks about the same warehouses and
// products, and a product keeps its brand, category and price throughout.

// The one category list (domain/sale.ts): generated sales are always valid ones.
export const CATEGORIES = SALE_CATEGORIES;
export type Category = SaleCategory;

/** Share of the catalogue and median unit price (in dollars) per category. */
const CATEGORY_PROFILE: Record<Category, { weight: number; medianPrice: number }> = {
  clothing: { weight: 22, medianPrice: 60 },
  shoes: { weight: 14, medianPrice: 90 },
  bags: { weight: 8, medianPrice: 120 },
  accessories: { weight: 10, medianPrice: 35 },
  jewelry: { weight: 5, medianPrice: 150 },
  beauty: { weight: 9, medianPrice: 25 },
  sports: { weight: 7, medianPrice: 45 },
  electronics: { weight: 8, medianPrice: 200 },
  home: { weight: 7, medianPrice: 40 },
  toys: { weight: 4, medianPrice: 25 },
  books: { weight: 4, medianPrice: 15 },
  food: { weight: 2, medianPrice: 12 },
};

/** ISO 3166 numeric codes (digit strings, as upstream sends them) with a marketplace-like skew. */
export const COUNTRIES: readonly {
  readonly id: string;
  readonly name: string;
  readonly continent: string;
  readonly weight: number;
}[] = [
  { id: '840', name: 'United States', continent: 'North America', weight: 18 },
  { id: '826', name: 'United Kingdom', continent: 'Europe', weight: 10 },
  { id: '276', name: 'Germany', continent: 'Europe', weight: 9 },
  { id: '250', name: 'France', continent: 'Europe', weight: 8 },
  { id: '380', name: 'Italy', continent: 'Europe', weight: 7 },
  { id: '724', name: 'Spain', continent: 'Europe', weight: 5 },
  { id: '124', name: 'Canada', continent: 'North America', weight: 4 },
  { id: '528', name: 'Netherlands', continent: 'Europe', weight: 3 },
  { id: '36', name: 'Australia', continent: 'Oceania', weight: 3 },
  { id: '392', name: 'Japan', continent: 'Asia', weight: 3 },
  { id: '156', name: 'China', continent: 'Asia', weight: 3 },
  { id: '56', name: 'Belgium', continent: 'Europe', weight: 2 },
  { id: '756', name: 'Switzerland', continent: 'Europe', weight: 2 },
  { id: '40', name: 'Austria', continent: 'Europe', weight: 2 },
  { id: '752', name: 'Sweden', continent: 'Europe', weight: 2 },
  { id: '616', name: 'Poland', continent: 'Europe', weight: 2 },
  { id: '410', name: 'South Korea', continent: 'Asia', weight: 2 },
  { id: '643', name: 'Russia', continent: 'Europe', weight: 2 },
  { id: '208', name: 'Denmark', continent: 'Europe', weight: 1.5 },
  { id: '344', name: 'Hong Kong', continent: 'Asia', weight: 1.5 },
  { id: '784', name: 'United Arab Emirates', continent: 'Asia', weight: 1.5 },
  { id: '76', name: 'Brazil', continent: 'South America', weight: 1.5 },
  { id: '578', name: 'Norway', continent: 'Europe', weight: 1.2 },
  { id: '620', name: 'Portugal', continent: 'Europe', weight: 1.2 },
  { id: '203', name: 'Czechia', continent: 'Europe', weight: 1 },
  { id: '372', name: 'Ireland', continent: 'Europe', weight: 1 },
  { id: '702', name: 'Singapore', continent: 'Asia', weight: 1 },
  { id: '682', name: 'Saudi Arabia', continent: 'Asia', weight: 1 },
  { id: '484', name: 'Mexico', continent: 'North America', weight: 1 },
  { id: '792', name: 'Turkey', continent: 'Asia', weight: 1 },
  { id: '170', name: 'Colombia', continent: 'South America', weight: 0.5 },
  { id: '376', name: 'Israel', continent: 'Asia', weight: 0.5 },
];

/** The second word of a warehouse's name. */
const WAREHOUSE_KINDS = ['Depot', 'Hub', 'Central', 'North', 'South', 'East', 'West', 'Logistics'];
/** The seed's second number for the warehouses' names and countries (see buildWorld). */
const WAREHOUSE_DETAILS = 101;

export interface Warehouse {
  readonly id: string;
  /** The CloudEvents `source`: `WH-` and four digits. */
  readonly code: string;
  /** Where it is. */
  readonly city: string;
  /** What the warehouses reference file calls it, e.g. "Lake Ima Depot". */
  readonly name: string;
  /** The ISO 3166 numeric code of its country (one of COUNTRIES). */
  readonly country: string;
}

export interface Product {
  readonly id: string;
  /** The product's id in sale lines: digits. */
  readonly saleId: string;
  readonly name: string;
  readonly brand: string;
  readonly category: Category;
  /** Unit price in integer cents. */
  readonly priceCents: number;
  /** Index into `World.sellers` of the seller who lists it. */
  readonly seller: number;
}

export interface Party {
  readonly id: string;
  readonly country: string;
}

export interface World {
  readonly warehouses: readonly Warehouse[];
  readonly products: readonly Product[];
  readonly brands: readonly string[];
  readonly sellers: readonly Party[];
  readonly buyers: readonly Party[];
  /** Each brand's own category (a brand mostly sells in it). */
  readonly brandCategories: readonly Category[];
  /** How big each brand is (Zipf-like). */
  readonly brandWeights: WeightTable;
  /** How busy each warehouse is: hubs send and receive more. */
  readonly warehouseWeights: WeightTable;
  /** How popular each product is (Zipf-like). */
  readonly productWeights: WeightTable;
  /** How often each buyer orders: repeat buyers exist. */
  readonly buyerWeights: WeightTable;
}

export interface WorldSize {
  readonly warehouses: number;
  readonly products: number;
  readonly brands: number;
  readonly sellers: number;
  readonly buyers: number;
}

export const DEFAULT_WORLD: WorldSize = {
  warehouses: 20,
  products: 500,
  brands: 80,
  sellers: 200,
  buyers: 5_000,
};

/** The world of a seed; the same seed always gives the same world. */
export function buildWorld(seed: number, size: WorldSize = DEFAULT_WORLD): World {
  const rng = new Rng(seed);
  const { faker } = rng;
  const countryTable = weightTable(COUNTRIES.map((c) => c.weight));
  const country = (): string => COUNTRIES[rng.weighted(countryTable)]?.id ?? '840';

  // Names and countries come from a stream of their own, drawn after everything else: added
  // later, they changed none of the ids, prices or events a seed gave before.
  const details = new Rng([seed, WAREHOUSE_DETAILS]);
  const codes = uniqueDigits(rng, size.warehouses, 4);
  const warehouses = codes.map((digits) => {
    const id = rng.uuid(); // before the city: the order of the draws a seed always had
    const city = faker.location.city();
    return {
      id,
      code: `WH-${digits}`,
      city,
      name: `${city} ${details.pick(WAREHOUSE_KINDS)}`,
      country: COUNTRIES[details.weighted(countryTable)]?.id ?? '840',
    };
  });

  const brands = unique(size.brands, () => faker.company.name());
  const categoryTable = weightTable(CATEGORIES.map((c) => CATEGORY_PROFILE[c].weight));
  const brandCategory = brands.map(() => CATEGORIES[rng.weighted(categoryTable)] ?? 'clothing');
  const brandTable = weightTable(zipfWeights(brands.length, 0.8));

  const partyIds = uniqueDigits(rng, size.sellers + size.buyers, 7);
  const sellers = partyIds.slice(0, size.sellers).map((id) => ({ id, country: country() }));
  const buyers = partyIds.slice(size.sellers).map((id) => ({ id, country: country() }));
  const sellerTable = weightTable(zipfWeights(sellers.length, 0.7));

  const saleIds = uniqueDigits(rng, size.products, 8);
  const products = saleIds.map((saleId): Product => {
    const brand = rng.weighted(brandTable);
    // A brand mostly sells in its own category.
    const category = rng.chance(0.8)
      ? (brandCategory[brand] ?? 'clothing')
      : (CATEGORIES[rng.weighted(categoryTable)] ?? 'clothing');
    const dollars = Math.round(
      rng.logNormal(CATEGORY_PROFILE[category].medianPrice, 0.6, 1, 5_000),
    );
    return {
      id: rng.uuid(),
      saleId,
      name: faker.commerce.productName(),
      brand: brands[brand] ?? 'Unbranded',
      category,
      // Half the prices end in .99, like shop prices do.
      priceCents: dollars * 100 - (rng.chance(0.5) ? 1 : 0),
      seller: rng.weighted(sellerTable),
    };
  });

  return {
    warehouses,
    products,
    brands,
    brandCategories: brandCategory,
    brandWeights: brandTable,
    sellers,
    buyers,
    warehouseWeights: weightTable(zipfWeights(warehouses.length, 0.6)),
    productWeights: weightTable(zipfWeights(products.length, 0.9)),
    buyerWeights: weightTable(zipfWeights(buyers.length, 0.5)),
  };
}

/** The seed's second number for catalogue products (see catalogueProducts). */
const CATALOGUE = 102;

/** The first id of catalogue products: ten digits, where the world's sale ids have eight. */
export const CATALOGUE_FIRST_ID = 1_000_000_000;

export interface CatalogueProduct {
  /** Ten digits, counting up from CATALOGUE_FIRST_ID: never one of the world's ids. */
  readonly id: string;
  readonly name: string;
  readonly brand: string;
  readonly category: Category;
  /** Unit price in integer cents. */
  readonly priceCents: number;
}

/**
 * Products of the world's brands that nothing sells or moves, lazily and as many as asked: for
 * a products file larger than the world (the import benchmark's). Priced like the world's own
 * products; the same seed gives the same ones.
 */
export function* catalogueProducts(seed: number, world: World): Generator<CatalogueProduct> {
  const rng = new Rng([seed, CATALOGUE]);
  const categoryTable = weightTable(CATEGORIES.map((c) => CATEGORY_PROFILE[c].weight));
  for (let i = 0; ; i++) {
    const brand = rng.weighted(world.brandWeights);
    const category = rng.chance(0.8)
      ? (world.brandCategories[brand] ?? 'clothing')
      : (CATEGORIES[rng.weighted(categoryTable)] ?? 'clothing');
    const dollars = Math.round(
      rng.logNormal(CATEGORY_PROFILE[category].medianPrice, 0.6, 1, 5_000),
    );
    yield {
      id: String(CATALOGUE_FIRST_ID + i),
      name: rng.faker.commerce.productName(),
      brand: world.brands[brand] ?? 'Unbranded',
      category,
      priceCents: dollars * 100 - (rng.chance(0.5) ? 1 : 0),
    };
  }
}

/** `n` distinct strings of `digits` digits, the first one not 0. */
function uniqueDigits(rng: Rng, n: number, digits: number): string[] {
  const min = 10 ** (digits - 1);
  const max = 10 ** digits - 1;
  if (n > max - min + 1) throw new Error(`cannot draw ${n} distinct ${digits}-digit ids`);
  return unique(n, () => String(rng.int(min, max)));
}

function unique(n: number, draw: () => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let attempts = 0; out.length < n; attempts++) {
    if (attempts > n * 100) throw new Error(`cannot draw ${n} distinct values`);
    const value = draw();
    if (seen.has(value)) continue;
    seen.add(value);
    out.push(value);
  }
  return out;
}
