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
  readonly weight: number;
}[] = [
  { id: '840', name: 'United States', weight: 18 },
  { id: '826', name: 'United Kingdom', weight: 10 },
  { id: '276', name: 'Germany', weight: 9 },
  { id: '250', name: 'France', weight: 8 },
  { id: '380', name: 'Italy', weight: 7 },
  { id: '724', name: 'Spain', weight: 5 },
  { id: '124', name: 'Canada', weight: 4 },
  { id: '528', name: 'Netherlands', weight: 3 },
  { id: '36', name: 'Australia', weight: 3 },
  { id: '392', name: 'Japan', weight: 3 },
  { id: '156', name: 'China', weight: 3 },
  { id: '56', name: 'Belgium', weight: 2 },
  { id: '756', name: 'Switzerland', weight: 2 },
  { id: '40', name: 'Austria', weight: 2 },
  { id: '752', name: 'Sweden', weight: 2 },
  { id: '616', name: 'Poland', weight: 2 },
  { id: '410', name: 'South Korea', weight: 2 },
  { id: '643', name: 'Russia', weight: 2 },
  { id: '208', name: 'Denmark', weight: 1.5 },
  { id: '344', name: 'Hong Kong', weight: 1.5 },
  { id: '784', name: 'United Arab Emirates', weight: 1.5 },
  { id: '76', name: 'Brazil', weight: 1.5 },
  { id: '578', name: 'Norway', weight: 1.2 },
  { id: '620', name: 'Portugal', weight: 1.2 },
  { id: '203', name: 'Czechia', weight: 1 },
  { id: '372', name: 'Ireland', weight: 1 },
  { id: '702', name: 'Singapore', weight: 1 },
  { id: '682', name: 'Saudi Arabia', weight: 1 },
  { id: '484', name: 'Mexico', weight: 1 },
  { id: '792', name: 'Turkey', weight: 1 },
  { id: '170', name: 'Colombia', weight: 0.5 },
  { id: '376', name: 'Israel', weight: 0.5 },
];

export interface Warehouse {
  readonly id: string;
  /** The CloudEvents `source`: `WH-` and four digits. */
  readonly code: string;
  /** For logs: where it is. */
  readonly city: string;
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

  const codes = uniqueDigits(rng, size.warehouses, 4);
  const warehouses = codes.map((digits) => ({
    id: rng.uuid(),
    code: `WH-${digits}`,
    city: faker.location.city(),
  }));

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
    sellers,
    buyers,
    warehouseWeights: weightTable(zipfWeights(warehouses.length, 0.6)),
    productWeights: weightTable(zipfWeights(products.length, 0.9)),
    buyerWeights: weightTable(zipfWeights(buyers.length, 0.5)),
  };
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
