import { seededRandom } from '../../../testkit/random.js';

// The analytics tests' deterministic data: 20,000 sale lines over 60 days (with lines exactly on
// the edges the tests use), consistent stock changes for 3 warehouses × 4 products, and 90
// movements in every state. The same seed every time, so every test file builds the same rows.

interface Draws {
  rand(): number;
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

export interface Dataset {
  readonly sales: Sale[];
  readonly stock: StockChange[];
  readonly movements: MovementChange[];
}

/** The sales, stock changes and movement changes, drawn in that order from one seed. */
export function generateDataset(): Dataset {
  const rand = seededRandom(20250101);
  const d: Draws = {
    rand,
    int: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(rand() * items.length)]!,
  };
  const sales = generateSales(d, 20_000);
  const stock = generateStock(d);
  const movements = generateMovements(d);
  return { sales, stock, movements };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
export const uuid = (n: number): string =>
  `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
export const sec = (iso: string): number => Date.parse(iso) / 1000;
export const DAY = 86_400;
const DAY0 = sec('2025-01-01T00:00:00Z');
const DAYS = 60; // 2025-01-01 .. 2025-03-01

export interface Sale {
  order_id: string;
  product_id: string;
  buyer_id: string;
  seller_id: string;
  seller_country: string;
  buyer_country: string;
  paid_at: number;
  category: string;
  revenue_cents: number;
  quantity: number;
}

// A country with a comma and quotes (CSV quoting) and one with non-ASCII letters.
const COUNTRIES = ['DE', 'FR', 'PL', 'UA', 'US', 'C,"7"', 'Österreich'];
const CATEGORIES = ['clothing', 'shoes', 'bags', 'accessories', 'jewelry', 'beauty', 'sports'];
const SELLERS = Array.from({ length: 14 }, (_, i) => ({
  id: `S${pad(i, 2)}`,
  country: COUNTRIES[i % COUNTRIES.length]!,
}));
const BUYERS = Array.from({ length: 1500 }, (_, i) => ({
  id: `B${pad(i, 4)}`,
  country: COUNTRIES[(i * 3) % COUNTRIES.length]!,
}));
const PRODUCTS = Array.from({ length: 150 }, (_, i) => `P${pad(i, 3)}`);

function generateSales(d: Draws, lines: number): Sale[] {
  const sales: Sale[] = [];
  let order = 0;
  const addOrder = (paidAt: number, count: number) => {
    const seller = d.pick(SELLERS);
    const buyer = d.pick(BUYERS);
    const orderId = `O${pad(order++, 6)}`;
    for (let l = 0; l < count; l++) {
      sales.push({
        order_id: orderId,
        product_id: d.pick(PRODUCTS),
        buyer_id: buyer.id,
        seller_id: seller.id,
        seller_country: seller.country,
        buyer_country: buyer.country,
        paid_at: paidAt,
        // Skewed so the category counts differ.
        category: CATEGORIES[Math.min(Math.floor(d.rand() * d.rand() * 9), CATEGORIES.length - 1)]!,
        revenue_cents: d.int(1, 50_000),
        quantity: d.int(1, 5),
      });
    }
  };
  // Lines exactly on the edges the tests use: midnights and the date-time range's ends.
  for (const edge of [
    '2025-01-01T00:00:00Z',
    '2025-01-31T23:59:59Z',
    '2025-02-01T00:00:00Z',
    '2025-01-10T06:29:59Z',
    '2025-01-10T06:30:00Z',
    '2025-01-20T16:15:00Z',
    '2025-01-20T16:15:01Z',
  ]) {
    addOrder(sec(edge), 2);
  }
  while (sales.length < lines) addOrder(DAY0 + d.int(0, DAYS * DAY - 1), d.int(1, 4));
  return sales.slice(0, lines);
}

export interface StockChange {
  ledger_id: number;
  warehouse_id: string;
  product_id: string;
  reason: 'arrival' | 'departure' | 'inventory';
  delta: number;
  balance: number;
  movement_id: string;
  occurred_at: number;
  recorded_at: number;
}

export const WAREHOUSES = [uuid(0xa01), uuid(0xa02), uuid(0xa03)];
export const STOCK_PRODUCTS = [uuid(0xb01), uuid(0xb02), uuid(0xb03), uuid(0xb04)];

/** 25 changes per warehouse and product, balances consistent, ledger ids in time order. */
function generateStock(d: Draws): StockChange[] {
  const changes: Omit<StockChange, 'ledger_id'>[] = [];
  let movement = 0;
  for (const warehouse of WAREHOUSES) {
    for (const product of STOCK_PRODUCTS) {
      let t = DAY0 + d.int(0, 2 * DAY);
      let balance = 0;
      for (let k = 0; k < 25; k++) {
        const r = d.rand();
        let reason: StockChange['reason'];
        let delta: number;
        if (k === 0 || r > 0.92) {
          reason = 'inventory';
          delta = d.int(k === 0 ? 50 : 0, 150) - balance;
        } else if (r < 0.45 || balance === 0) {
          reason = 'arrival';
          delta = d.int(1, 20);
        } else {
          reason = 'departure';
          delta = -d.int(1, Math.min(balance, 15));
        }
        balance += delta;
        changes.push({
          warehouse_id: warehouse,
          product_id: product,
          reason,
          delta,
          balance,
          movement_id: uuid(0xc000 + movement++),
          occurred_at: t,
          recorded_at: t + 2,
        });
        t += d.int(600, 4 * DAY);
      }
    }
  }
  return changes
    .map((c, i) => ({ c, i }))
    .sort((x, y) => x.c.occurred_at - y.c.occurred_at || x.i - y.i)
    .map(({ c }, i) => ({ ledger_id: i + 1, ...c }));
}

export interface MovementChange {
  movement_id: string;
  version: number;
  status: string;
  previous_status: string;
  product_id: string;
  sender_warehouse_id: string;
  receiver_warehouse_id: string;
  departed_at: number;
  arrived_at: number;
  departure_quantity: number;
  arrival_quantity: number;
  changed_at: number;
}

/** 90 movements: completed (some arriving first, some losing units), in transit, rejected. */
function generateMovements(d: Draws): MovementChange[] {
  const rows: MovementChange[] = [];
  for (let i = 0; i < 90; i++) {
    const sender = WAREHOUSES[i % 3]!;
    const receiver = WAREHOUSES[(i + 1 + (i % 2)) % 3]!;
    const base = {
      movement_id: uuid(0xd000 + i),
      product_id: STOCK_PRODUCTS[i % 4]!,
      sender_warehouse_id: sender,
      receiver_warehouse_id: receiver,
    };
    const departed = DAY0 + d.int(0, 55 * DAY);
    const arrived = departed + d.int(600, 200_000);
    const sent = d.int(2, 50);
    const received = i % 5 === 0 ? sent - d.int(1, sent - 1) : sent;
    const row = (
      version: number,
      status: string,
      previous: string,
      over: Partial<MovementChange>,
    ) =>
      rows.push({
        ...base,
        version,
        status,
        previous_status: previous,
        departed_at: departed,
        arrived_at: 0,
        departure_quantity: sent,
        arrival_quantity: 0,
        changed_at: departed,
        ...over,
      });
    const kind = i % 10;
    if (kind <= 5) {
      row(1, 'in_transit', '', {});
      row(2, 'completed', 'in_transit', {
        arrived_at: arrived,
        arrival_quantity: received,
        changed_at: arrived,
      });
    } else if (kind <= 7) {
      row(1, 'arrived_first', '', {
        sender_warehouse_id: '',
        departed_at: 0,
        departure_quantity: 0,
        arrived_at: arrived,
        arrival_quantity: received,
        changed_at: arrived,
      });
      row(2, 'completed', 'arrived_first', {
        arrived_at: arrived,
        arrival_quantity: received,
        changed_at: arrived + 5,
      });
    } else if (kind === 8) {
      row(1, 'in_transit', '', {});
    } else {
      row(1, 'pending_stock', '', {});
      row(2, 'rejected', 'pending_stock', { changed_at: departed + 300 });
    }
  }
  return rows;
}
