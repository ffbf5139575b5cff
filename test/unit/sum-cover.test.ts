import { describe, expect, it } from 'vitest';
import { splitMonths } from '../../api/analytics/params.js';
import { coverSums, type Level } from '../../api/analytics/sum-cover.js';

const r = (first: string, last: string) => ({ first, last });
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const at = (day: string) => Date.parse(`${day}T00:00:00Z`);
const span = (first: number, last: number): string[] => {
  const out: string[] = [];
  for (let t = first; t <= last; t += DAY) out.push(iso(t));
  return out;
};
/** Every day a run of periods of `level` stands for. */
const daysOf = (level: Level, run: { first: string; last: string }): string[] => {
  const last = new Date(at(run.last));
  const end =
    level === 'day'
      ? last.getTime()
      : level === 'week'
        ? last.getTime() + 6 * DAY
        : level === 'month'
          ? Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1) - DAY
          : Date.UTC(last.getUTCFullYear() + 1, 0, 1) - DAY;
  return span(at(run.first), end);
};
const monthsBetween = (first: string, last: string): number =>
  (Number(last.slice(0, 4)) - Number(first.slice(0, 4))) * 12 +
  Number(last.slice(5, 7)) -
  Number(first.slice(5, 7)) +
  1;
const none = { year: [], month: [], week: [], day: [] };

describe('coverSums', () => {
  it('reads a calendar year as one year', () => {
    expect(coverSums(r('2025-01-01', '2025-12-31'))).toEqual({
      plus: { ...none, year: [r('2025-01-01', '2025-01-01')] },
      minus: none,
    });
  });
  it('reads two years and a month around them', () => {
    expect(coverSums(r('2023-12-01', '2025-12-31'))).toEqual({
      plus: { ...none, year: [r('2024-01-01', '2025-01-01')], month: [r('2023-12-01', '2023-12-01')] }, // prettier-ignore
      minus: none,
    });
  });
  it('takes a year mostly inside whole, less the months and days outside', () => {
    expect(coverSums(r('2025-02-03', '2025-12-31'))).toEqual({
      plus: { ...none, year: [r('2025-01-01', '2025-01-01')] },
      minus: { ...none, month: [r('2025-01-01', '2025-01-01')], day: [r('2025-02-01', '2025-02-02')] }, // prettier-ignore
    });
  });
  it('takes a month mostly inside whole, less its days outside', () => {
    expect(coverSums(r('2025-01-10', '2025-02-23'))).toEqual({
      plus: { ...none, month: [r('2025-01-01', '2025-02-01')] },
      minus: { ...none, day: [r('2025-01-01', '2025-01-09'), r('2025-02-24', '2025-02-28')] },
    });
  });
  it('reads a few days day by day, joined across a month end', () => {
    expect(coverSums(r('2025-03-25', '2025-04-04'))).toEqual({
      plus: { ...none, day: [r('2025-03-25', '2025-04-04')] },
      minus: none,
    });
  });
  it('reads whole weeks where asked, less the days outside', () => {
    // Tuesday 2025-01-07 to Sunday 2025-01-26: three weeks from Monday the 6th, less Monday.
    expect(coverSums(r('2025-01-07', '2025-01-26'), { weeks: true })).toEqual({
      plus: { ...none, week: [r('2025-01-06', '2025-01-20')] },
      minus: { ...none, day: [r('2025-01-06', '2025-01-06')] },
    });
    expect(coverSums(r('2025-01-07', '2025-01-26')).plus.week).toEqual([]);
  });
  it('adds up to every day of the range exactly once, reading no more than splitMonths would', () => {
    const start = at('2023-11-01');
    for (let i = 0; i < 800; i += 5) {
      for (const [length, weeks] of [1, 5, 17, 27, 31, 45, 59, 95, 200, 340, 366, 400, 800].flatMap(
        (n) =>
          [
            [n, false],
            [n, true],
          ] as const,
      )) {
        const first = start + i * DAY;
        const range = r(iso(first), iso(first + (length - 1) * DAY));
        const cover = coverSums(range, { weeks });
        if (!weeks) expect(cover.plus.week.length + cover.minus.week.length).toBe(0);
        const count = new Map<string, number>();
        for (const [side, by] of [
          [cover.plus, 1],
          [cover.minus, -1],
        ] as const) {
          for (const level of ['year', 'month', 'week', 'day'] as const) {
            for (const run of side[level]) {
              for (const d of daysOf(level, run)) count.set(d, (count.get(d) ?? 0) + by);
            }
          }
        }
        const counted = [...count].filter(([, n]) => n !== 0);
        expect(
          counted.every(([, n]) => n === 1),
          `${range.first}..${range.last}`,
        ).toBe(true);
        expect(counted.map(([d]) => d).sort()).toEqual(span(at(range.first), at(range.last)));
        // Never costlier than whole months plus leftover days (a year or a month reads like 3 days).
        const periods = (level: Level, runs: readonly { first: string; last: string }[]) =>
          runs.reduce(
            (n, x) =>
              n +
              (level === 'day'
                ? daysOf('day', x).length
                : level === 'week'
                  ? daysOf('week', x).length / 7
                  : level === 'month'
                    ? monthsBetween(x.first, x.last)
                    : Number(x.last.slice(0, 4)) - Number(x.first.slice(0, 4)) + 1),
            0,
          );
        const cost = (['year', 'month', 'week', 'day'] as const).reduce(
          (n, level) =>
            n +
            (level === 'day' ? 1 : 3) *
              (periods(level, cover.plus[level]) + periods(level, cover.minus[level])),
          0,
        );
        const split = splitMonths(range);
        const splitCost =
          (split.months ? 3 * monthsBetween(split.months.first, split.months.last) : 0) +
          split.days.flatMap((x) => daysOf('day', x)).length;
        expect(cost).toBeLessThanOrEqual(splitCost);
      }
    }
  }, 60_000); // 4,000+ ranges checked day by day: seconds of work, not a timing goal
});
