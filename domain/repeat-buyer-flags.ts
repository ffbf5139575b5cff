// Repeat buyers (seed 003): buyers with at least two distinct orders in a window of whole days,
// and their revenue. Counting that per window means grouping every buyer of the window at query
// time; these flags, kept per (buyer, day), turn it into a filtered sum over the window's rows.
//
// For a day d of a buyer with one order o that day, `prevOther` is the buyer's latest day before d
// with an order other than o, `nextOther` the earliest after. A day counts in window [s, e] when
// it is in the window and had two orders, or prevOther >= s, or nextOther <= e. Then:
// - a buyer with two orders in the window has every one of its days there counted: a single-order
//   day with o sees the other order's day d' in the window, before it (prevOther >= d' >= s) or
//   after it (nextOther <= d' <= e);
// - a buyer with one order in the window has none counted: its other orders' days are all
//   outside, so prevOther < s and nextOther > e.
// So the window's repeat-buyer revenue is the counted days' revenue, and their number is the
// counted days whose buyer has no earlier day in the window (`prevAny` < s).

/** Days are numbered from 1970-01-01 (0), as ClickHouse's Date; these stand for "none" (Int32). */
export const NO_DAY_BEFORE = -1;
export const NO_DAY_AFTER = 2 ** 31 - 1;

/** One buyer's sale lines on one day: the smallest and largest order id, and their revenue. */
export interface BuyerDay {
  readonly day: number;
  readonly minOrder: string;
  readonly maxOrder: string;
  readonly revenueCents: bigint;
}

export interface BuyerDayFlags {
  readonly day: number;
  /** Two or more orders that day. */
  readonly multi: boolean;
  readonly prevOther: number;
  readonly nextOther: number;
  /** The buyer's previous day with any order. */
  readonly prevAny: number;
  readonly revenueCents: bigint;
}

/** Whether `day` had an order other than `order` (min and max bound the day's orders). */
const hasOtherThan = (day: BuyerDay, order: string): boolean =>
  day.minOrder !== order || day.maxOrder !== order;

/** The flags of each of one buyer's days; `days` ascending by day, one entry per day. */
export function buyerDayFlags(days: readonly BuyerDay[]): BuyerDayFlags[] {
  const n = days.length;
  const prev = new Array<number>(n);
  const next = new Array<number>(n);
  // A single-order day's nearest other-order day is the neighbour if that has another order,
  // else (the neighbour had only the same order) the neighbour's own nearest one.
  for (let i = 0; i < n; i++) {
    const d = days[i]!;
    const before = days[i - 1];
    prev[i] = !before
      ? NO_DAY_BEFORE
      : hasOtherThan(before, d.minOrder)
        ? before.day
        : prev[i - 1]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    const d = days[i]!;
    const after = days[i + 1];
    next[i] = !after ? NO_DAY_AFTER : hasOtherThan(after, d.minOrder) ? after.day : next[i + 1]!;
  }
  return days.map((d, i) => {
    const multi = d.minOrder !== d.maxOrder;
    return {
      day: d.day,
      multi,
      prevOther: multi ? NO_DAY_BEFORE : prev[i]!,
      nextOther: multi ? NO_DAY_AFTER : next[i]!,
      prevAny: i > 0 ? days[i - 1]!.day : NO_DAY_BEFORE,
      revenueCents: d.revenueCents,
    };
  });
}

/** Whether a flagged day counts in the window of days `first`..`last` (the rule above). */
export function countsIn(flags: BuyerDayFlags, first: number, last: number): boolean {
  return (
    flags.day >= first &&
    flags.day <= last &&
    (flags.multi || flags.prevOther >= first || flags.nextOther <= last)
  );
}
