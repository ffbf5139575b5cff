import { describe, expect, it } from 'vitest';
import {
  buyerDayFlags,
  countsIn,
  NO_DAY_AFTER,
  NO_DAY_BEFORE,
  type BuyerDay,
} from '../../domain/repeat-buyer-flags.js';

interface Line {
  readonly buyer: string;
  readonly order: string;
  readonly day: number;
  readonly cents: bigint;
}

/** Per buyer, its days as the view would hold them: min and max order, revenue. */
function buyerDays(lines: readonly Line[]): Map<string, BuyerDay[]> {
  const byBuyer = new Map<string, Map<number, { orders: string[]; cents: bigint }>>();
  for (const l of lines) {
    let days = byBuyer.get(l.buyer);
    if (!days)
      byBuyer.set(l.buyer, (days = new Map<number, { orders: string[]; cents: bigint }>()));
    const d = days.get(l.day) ?? { orders: [], cents: 0n };
    d.orders.push(l.order);
    d.cents += l.cents;
    days.set(l.day, d);
  }
  const out = new Map<string, BuyerDay[]>();
  for (const [buyer, days] of byBuyer) {
    out.set(
      buyer,
      [...days]
        .sort(([a], [b]) => a - b)
        .map(([day, d]) => {
          const sorted = [...d.orders].sort();
          return { day, minOrder: sorted[0]!, maxOrder: sorted[sorted.length - 1]!, revenueCents: d.cents }; // prettier-ignore
        }),
    );
  }
  return out;
}

/** The question asked directly of the lines: buyers with two orders in the window, their revenue. */
function direct(lines: readonly Line[], first: number, last: number, split: number) {
  const inside = lines.filter((l) => l.day >= first && l.day <= last);
  const orders = new Map<string, Set<string>>();
  for (const l of inside) orders.set(l.buyer, (orders.get(l.buyer) ?? new Set()).add(l.order));
  const repeat = new Set([...orders].filter(([, o]) => o.size >= 2).map(([b]) => b));
  let week1 = 0n;
  let week2 = 0n;
  for (const l of inside) {
    if (!repeat.has(l.buyer)) continue;
    if (l.day < split) week1 += l.cents;
    else week2 += l.cents;
  }
  return { buyers: repeat.size, week1, week2 };
}

/** The same from the flags alone, as the query sums them. */
function fromFlags(days: Map<string, BuyerDay[]>, first: number, last: number, split: number) {
  let buyers = 0;
  let week1 = 0n;
  let week2 = 0n;
  for (const list of days.values()) {
    for (const f of buyerDayFlags(list)) {
      if (!countsIn(f, first, last)) continue;
      if (f.prevAny < first) buyers++;
      if (f.day < split) week1 += f.revenueCents;
      else week2 += f.revenueCents;
    }
  }
  return { buyers, week1, week2 };
}

describe('repeat-buyer flags', () => {
  const day = (buyer: string, d: number, minOrder: string, maxOrder = minOrder): BuyerDay => ({
    day: d,
    minOrder,
    maxOrder,
    revenueCents: 100n,
  });

  it('points each single-order day at the nearest days with another order', () => {
    const flags = buyerDayFlags([
      day('b', 10, 'A'),
      day('b', 12, 'A'),
      day('b', 15, 'B'),
      day('b', 20, 'A', 'C'),
      day('b', 30, 'A'),
    ]);
    expect(flags.map((f) => [f.day, f.multi, f.prevOther, f.nextOther, f.prevAny])).toEqual([
      [10, false, NO_DAY_BEFORE, 15, NO_DAY_BEFORE],
      [12, false, NO_DAY_BEFORE, 15, 10],
      [15, false, 12, 20, 12],
      [20, true, NO_DAY_BEFORE, NO_DAY_AFTER, 15],
      [30, false, 20, NO_DAY_AFTER, 20],
    ]);
  });

  it('counts a one-order buyer nowhere', () => {
    const flags = buyerDayFlags([day('b', 1, 'A'), day('b', 5, 'A'), day('b', 9, 'A')]);
    for (let s = 0; s < 12; s++) expect(flags.some((f) => countsIn(f, s, s + 13))).toBe(false);
  });

  it('answers every window as the lines do, for random buyers', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 30; round++) {
      const lines: Line[] = [];
      for (let b = 0; b < 40; b++) {
        const orders = 1 + Math.floor(rand() * 5);
        for (let o = 0; o < orders; o++) {
          // An order's lines mostly share a day; some straddle days, as late lines do.
          const base = Math.floor(rand() * 60); // day 0 (1970-01-01) included
          const count = 1 + Math.floor(rand() * 3);
          for (let l = 0; l < count; l++) {
            const d = rand() < 0.8 ? base : base + Math.floor(rand() * 10);
            lines.push({ buyer: `b${b}`, order: `o${o}`, day: d, cents: BigInt(1 + Math.floor(rand() * 1000)) }); // prettier-ignore
          }
        }
      }
      const days = buyerDays(lines);
      for (let s = 0; s < 75; s++) {
        for (const length of [1, 7, 14, 30]) {
          const split = s + Math.ceil(length / 2);
          expect(
            fromFlags(days, s, s + length - 1, split),
            `round ${round}, ${s}+${length}`,
          ).toEqual(direct(lines, s, s + length - 1, split));
        }
      }
    }
  });
});
