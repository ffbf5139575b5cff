import { Faker, base, en } from '@faker-js/faker';

// Every random choice of the generator goes through a seeded faker instance of
// its own (never the global one), so the same seed gives byte-identical output
// whatever else runs in the process. Separate streams (world, movement choices,
// movements, sales, faults) keep one part's output independent of the others'
// sizes: more sales never change a single movement.

export class Rng {
  readonly faker: Faker;

  constructor(seed: number | number[]) {
    this.faker = new Faker({ locale: [en, base] });
    this.faker.seed(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.faker.number.float();
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) is not a number
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median, clamped to [min, max]. */
  logNormal(median: number, sigma: number, min: number, max: number): number {
    return Math.min(max, Math.max(min, median * Math.exp(sigma * this.normal())));
  }

  /** A random (version 4) UUID. Four 32-bit draws: faker's uuid() costs 32. */
  uuid(): string {
    const a = hex(this.int(0, 0xffffffff));
    const b = hex(this.int(0, 0xffffffff));
    const c = hex(this.int(0, 0xffffffff));
    const d = hex(this.int(0, 0xffffffff));
    const variant = '89ab'[this.int(0, 3)] ?? '8';
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** An index drawn with the weights behind `table`. */
  weighted(table: WeightTable): number {
    const { cumulative } = table;
    const x = this.next() * table.total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

export interface WeightTable {
  readonly cumulative: Float64Array;
  readonly total: number;
}

export function weightTable(weights: readonly number[]): WeightTable {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    cumulative[i] = total;
  });
  return { cumulative, total };
}

/** Zipf-like popularity: the item at rank r (from 0) weighs 1 / (r + 1)^s. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, r) => 1 / (r + 1) ** s);
}

/**
 * Chooses exactly `k` of the next `n` positions, uniformly, one position at a
 * time and in O(1) memory (Knuth's selection sampling, algorithm S): how a
 * share becomes an exact count over a stream too long to hold.
 */
export class ExactPicker {
  private left: number;
  private remaining: number;

  constructor(
    k: number,
    n: number,
    private readonly rng: Rng,
  ) {
    this.left = Math.max(0, Math.min(k, n));
    this.remaining = n;
  }

  /** Whether the current position is one of the chosen; call once per position. */
  take(): boolean {
    if (this.remaining <= 0) return false;
    const chosen = this.left > 0 && this.rng.next() * this.remaining < this.left;
    this.remaining--;
    if (chosen) this.left--;
    return chosen;
  }
}

/** Binary min-heap ordered by `at`, then by `seq` (insertion order), so ties stay deterministic. */
export class MinHeap<T extends { readonly at: number; readonly seq: number }> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (p === undefined || !before(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      const left = items[l];
      const right = items[r];
      if (left !== undefined && before(left, smallest)) {
        smallest = left;
        at = l;
      }
      if (right !== undefined && before(right, smallest)) {
        smallest = right;
        at = r;
      }
      if (at < 0) break;
      items[i] = smallest;
      i = at;
    }
    items[i] = last;
    return top;
  }
}

function before(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
