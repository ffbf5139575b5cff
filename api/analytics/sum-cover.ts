import { dayOf, type DayRange } from './params.js';

// Sums subtract exactly (a distinct count does not), so a sum over a day range can read a year
// or a month mostly inside the range whole and take off the little outside it, instead of
// reading it day by day: the product views hold each product once a day, once a month and once a
// year, so a month or a year costs about as much to read as three days.

export type Level = 'year' | 'month' | 'day';

/** Runs of periods to add and to subtract; a run of months or years names their first days. */
export interface SumCover {
  readonly plus: Readonly<Record<Level, readonly DayRange[]>>;
  readonly minus: Readonly<Record<Level, readonly DayRange[]>>;
}

const DAY_MS = 86_400_000;
const COST: Readonly<Record<Level, number>> = { year: 3, month: 3, day: 1 };

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
function withinYear(from: number, to: number): Unit[] {
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
    out.push(...(cost(whole) < cost(direct) ? whole : direct));
  }
  return out;
}

/** Joins consecutive periods of one level and sign into runs. */
function runs(units: readonly Unit[], level: Level, sign: 1 | -1): DayRange[] {
  const next = { year: (t: number) => year(t, 1), month: (t: number) => month(t, 1), day: (t: number) => t + DAY_MS }[level]; // prettier-ignore
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

/** The cheapest cover found, year by year, of the whole days `range.first`..`range.last`. */
export function coverSums(range: DayRange): SumCover {
  const first = Date.parse(`${range.first}T00:00:00Z`);
  const last = Date.parse(`${range.last}T00:00:00Z`);
  const units: Unit[] = [];
  for (let y = year(first); y <= last; y = year(y, 1)) {
    const end = year(y, 1) - DAY_MS;
    const a = Math.max(first, y);
    const b = Math.min(last, end);
    const direct = withinYear(a, b);
    const whole: Unit[] = [
      { level: 'year', start: y, sign: 1 },
      ...(a > y ? negate(withinYear(y, a - DAY_MS)) : []),
      ...(b < end ? negate(withinYear(b + DAY_MS, end)) : []),
    ];
    units.push(...(cost(whole) < cost(direct) ? whole : direct));
  }
  const side = (sign: 1 | -1) => ({
    year: runs(units, 'year', sign),
    month: runs(units, 'month', sign),
    day: runs(units, 'day', sign),
  });
  return { plus: side(1), minus: side(-1) };
}
