import { dayOf, type DayRange } from './params.js';

// Sums subtract exactly (a distinct count does not), so a sum over a day range can read a year
// or a month mostly inside the range whole and take off the little outside it, instead of
// reading it day by day: the product views hold each product once a day, once a month and once a
// year, so a month or a year costs about as much to read as three days. Where a view per week
// exists too (Monday to Sunday), each week's days are read whole, less the days outside, when
// that is cheaper.

export type Level = 'year' | 'month' | 'week' | 'day';

/** Runs of periods to add and to subtract; a run of months or years names their first days. */
export interface SumCover {
  readonly plus: Readonly<Record<Level, readonly DayRange[]>>;
  readonly minus: Readonly<Record<Level, readonly DayRange[]>>;
}

const DAY_MS = 86_400_000;
const COST: Readonly<Record<Level, number>> = { year: 3, month: 3, week: 3, day: 1 };

interface Unit {
  readonly level: Level;
  /** First day of the period, epoch ms. */
  readonly start: number;
  readonly sign: 1 | -1;
}

const cost = (units: readonly Unit[]): number => units.reduce((n, u) => n + COST[u.level], 0);
const negate = (units: readonly Unit[]): Unit[] =>
  units.map((u) => ({ ...u, sign: u.sign === 1 ? -1 : 1 }));

const month = (ms: number, add = 0): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1);
};
const year = (ms: number, add = 0): number => Date.UTC(new Date(ms).getUTCFullYear() + add, 0, 1);

function days(from: number, to: number, sign: 1 | -1): Unit[] {
  const out: Unit[] = [];
  for (let t = from; t <= to; t += DAY_MS) out.push({ level: 'day', start: t, sign });
  return out;
}

/** Days `from`..`to` (epoch ms, inclusive) within one year, by months and days. */
function withinYear(from: number, to: number, price: (units: readonly Unit[]) => number): Unit[] {
  const out: Unit[] = [];
  for (let m = month(from); m <= to; m = month(m, 1)) {
    const last = month(m, 1) - DAY_MS;
    const a = Math.max(from, m);
    const b = Math.min(to, last);
    const direct = days(a, b, 1);
    const whole: Unit[] = [
      { level: 'month', start: m, sign: 1 },
      ...days(m, a - DAY_MS, -1),
      ...days(b + DAY_MS, last, -1),
    ];
    out.push(...(price(whole) < price(direct) ? whole : direct));
  }
  return out;
}

/** Joins consecutive periods of one level and sign into runs. */
function runs(units: readonly Unit[], level: Level, sign: 1 | -1): DayRange[] {
  const next = { year: (t: number) => year(t, 1), month: (t: number) => month(t, 1), week: (t: number) => t + 7 * DAY_MS, day: (t: number) => t + DAY_MS }[level]; // prettier-ignore
  const starts = units
    .filter((u) => u.level === level && u.sign === sign)
    .map((u) => u.start)
    .sort((x, y) => x - y);
  const out: DayRange[] = [];
  let first: number | undefined;
  let last = 0;
  for (const t of starts) {
    if (first !== undefined && next(last) === t) {
      last = t;
      continue;
    }
    if (first !== undefined) out.push({ first: dayOf(first), last: dayOf(last) });
    first = last = t;
  }
  if (first !== undefined) out.push({ first: dayOf(first), last: dayOf(last) });
  return out;
}

/** Monday of the week of `ms`. */
const monday = (ms: number): number => ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY_MS;

/**
 * The day units week by week, each week's as they are or replaced by the whole week plus or
 * minus, and the days that then differ, whichever reads least. A week is only taken where its
 * days all have one sign, so no day ends up counted twice in one direction.
 */
function withWeeks(units: readonly Unit[]): Unit[] {
  const coef = new Map<number, number>();
  for (const u of units)
    if (u.level === 'day') coef.set(u.start, (coef.get(u.start) ?? 0) + u.sign);
  const out = units.filter((u) => u.level !== 'day');
  for (const w of [...new Set([...coef.keys()].map(monday))].sort((x, y) => x - y)) {
    const days = Array.from({ length: 7 }, (_, i) => w + i * DAY_MS);
    const c = days.map((d) => coef.get(d) ?? 0);
    const asDays = c.reduce((n, x) => n + Math.abs(x), 0);
    let best: { sign: 0 | 1 | -1; cost: number } = { sign: 0, cost: asDays };
    for (const sign of [1, -1] as const) {
      if (c.some((x) => x === -sign)) continue;
      const total = COST.week + c.reduce((n, x) => n + Math.abs(x - sign), 0);
      if (total < best.cost) best = { sign, cost: total };
    }
    if (best.sign !== 0) out.push({ level: 'week', start: w, sign: best.sign });
    days.forEach((d, i) => {
      const left = (c[i] ?? 0) - best.sign;
      for (let k = 0; k < Math.abs(left); k++)
        out.push({ level: 'day', start: d, sign: left > 0 ? 1 : -1 });
    });
  }
  return out;
}

/**
 * The cheapest cover found, year by year, of the whole days `range.first`..`range.last`; with
 * `weeks`, the days then week by week.
 */
export function coverSums(range: DayRange, options: { weeks?: boolean } = {}): SumCover {
  const first = Date.parse(`${range.first}T00:00:00Z`);
  const last = Date.parse(`${range.last}T00:00:00Z`);
  // Each choice is priced as it will be read: with weeks, after its days are taken by week.
  const price = (u: readonly Unit[]) => cost(options.weeks ? withWeeks(u) : u);
  const units: Unit[] = [];
  for (let y = year(first); y <= last; y = year(y, 1)) {
    const end = year(y, 1) - DAY_MS;
    const a = Math.max(first, y);
    const b = Math.min(last, end);
    const direct = withinYear(a, b, price);
    const whole: Unit[] = [
      { level: 'year', start: y, sign: 1 },
      ...(a > y ? negate(withinYear(y, a - DAY_MS, price)) : []),
      ...(b < end ? negate(withinYear(b + DAY_MS, end, price)) : []),
    ];
    units.push(...(price(whole) < price(direct) ? whole : direct));
  }
  const final = options.weeks ? withWeeks(units) : units;
  const side = (sign: 1 | -1) => ({
    year: runs(final, 'year', sign),
    month: runs(final, 'month', sign),
    week: runs(final, 'week', sign),
    day: runs(final, 'day', sign),
  });
  return { plus: side(1), minus: side(-1) };
}
