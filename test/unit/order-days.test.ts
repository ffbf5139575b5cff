import { describe, expect, it } from 'vitest';
import { orderDays, ordersIn, type OrderDay } from '../../domain/order-days.js';
import { NO_DAY_BEFORE } from '../../domain/repeat-buyer-flags.js';
import { seededRandom } from '../../testkit/random.js';

describe('orderDays', () => {
  it('sorts and dedupes the days, each pointing at the one before', () => {
    expect(orderDays([9, 3, 9, 5])).toEqual([
      { day: 3, prevDay: NO_DAY_BEFORE },
      { day: 5, prevDay: 3 },
      { day: 9, prevDay: 5 },
    ]);
    expect(orderDays([])).toEqual([]);
  });

  it('merging days already known with new ones gives the rows of all of them', () => {
    const known = orderDays([4, 10]).map((r) => r.day);
    expect(orderDays([...known, 7, 10])).toEqual(orderDays([4, 7, 10]));
  });
});

describe('ordersIn', () => {
  it('equals the distinct orders with a line in every window, day 0 included', () => {
    const next = seededRandom(7); // deterministic: a failure names the case that broke
    const orders: number[][] = [];
    for (let o = 0; o < 300; o++) {
      // Mostly one day, sometimes several days far apart or adjacent.
      const n = next() < 0.7 ? 1 : 1 + Math.floor(next() * 5);
      orders.push(Array.from({ length: n }, () => Math.floor(next() * 40)));
    }
    const rows: OrderDay[] = orders.flatMap((days) => orderDays(days));
    for (let first = 0; first < 40; first++) {
      for (let last = first; last < 40; last++) {
        const direct = orders.filter((days) => days.some((d) => d >= first && d <= last)).length;
        expect(ordersIn(rows, first, last), `[${first}, ${last}]`).toBe(direct);
      }
    }
  });

  it('adds up over the parts of a range, so whole months and years can stand in for days', () => {
    const rows = [...orderDays([1, 5, 12]), ...orderDays([5]), ...orderDays([2, 20])];
    // Days 3..15 as 0..15 less 0..2: the prevDay condition always uses the range's own start.
    const byParts = (from: number, to: number) =>
      rows.filter((r) => r.day >= from && r.day <= to && r.prevDay < 3).length;
    expect(byParts(0, 15) - byParts(0, 2)).toBe(ordersIn(rows, 3, 15));
    expect(ordersIn(rows, 3, 15)).toBe(2);
  });
});
