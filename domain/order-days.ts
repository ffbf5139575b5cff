// top_suppliers (seed 000) counts each seller's distinct orders in a range of days. Distinct
// counts do not add up across days, but this does: keep, for each of an order's days with lines,
// the order's previous such day. An order has lines in [first, last] exactly when one of its days
// d is in [first, last] with its previous day before `first` (d is then its first day in the
// range), so the distinct orders in [first, last] are the number of (order, day) rows with
// day in [first, last] and prevDay < first: a sum that days, months and years add up to.

import { NO_DAY_BEFORE } from './repeat-buyer-flags.js';

/** One of an order's days with lines; days are numbered from 1970-01-01 (0). */
export interface OrderDay {
  readonly day: number;
  /** The order's previous day with lines, or NO_DAY_BEFORE. */
  readonly prevDay: number;
}

/** The rows for an order with lines on `days` (any order, repeats allowed). */
export function orderDays(days: Iterable<number>): OrderDay[] {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  return sorted.map((day, i) => ({
    day,
    prevDay: i === 0 ? NO_DAY_BEFORE : (sorted[i - 1] ?? NO_DAY_BEFORE),
  }));
}

/** How many of the orders the rows belong to have lines in [first, last]. */
export function ordersIn(rows: Iterable<OrderDay>, first: number, last: number): number {
  let n = 0;
  for (const r of rows) if (r.day >= first && r.day <= last && r.prevDay < first) n++;
  return n;
}
