import { describe, expect, it } from 'vitest';
import {
  dayNumber,
  parseDayRange,
  parseGranularity,
  parseInstantRange,
  parseLimit,
  parseOpenDayRange,
  parseOptionalUuid,
  parseSide,
  parseTwoWeeks,
  splitMonths,
  splitRange,
  GRANULARITIES,
  type Query,
} from '../../api/analytics/params.js';
import { ValidationError } from '../../lib/errors.js';

const s = (iso: string): number => Date.parse(iso) / 1000;

/** The ValidationError `fn` throws: its message and the parameters its issues name. */
function rejection(fn: () => unknown): { message: string; params: string[] } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    return { message: v.message, params: v.issues.map((i) => i.path.replace('/query/', '')) };
  }
  throw new Error('expected a ValidationError');
}

describe('parseInstantRange', () => {
  it('takes whole UTC days, the end day included', () => {
    expect(parseInstantRange({ start_date: '2025-01-01', end_date: '2025-01-31' })).toEqual({
      start: s('2025-01-01T00:00:00Z'),
      end: s('2025-02-01T00:00:00Z'),
    });
    expect(parseInstantRange({ start_date: '2024-02-29', end_date: '2024-02-29' })).toEqual({
      start: s('2024-02-29T00:00:00Z'),
      end: s('2024-03-01T00:00:00Z'),
    });
  });

  it('takes date-times with a zone as exact instants, the end inclusive to the second', () => {
    expect(
      parseInstantRange({
        start_date: '2025-01-01T06:30:00Z',
        end_date: '2025-01-03T12:00:00+02:00',
      }),
    ).toEqual({ start: s('2025-01-01T06:30:00Z'), end: s('2025-01-03T10:00:01Z') });
    // Fractions: the start moves up to the next stored second, the end keeps its second.
    expect(
      parseInstantRange({
        start_date: '2025-01-01T06:30:00.250Z',
        end_date: '2025-01-01T07:00:00.999Z',
      }),
    ).toEqual({ start: s('2025-01-01T06:30:01Z'), end: s('2025-01-01T07:00:01Z') });
    // Offsets without a colon, lower-case t/z, minutes only.
    expect(
      parseInstantRange({ start_date: '2025-01-01t00:00z', end_date: '2025-01-01T05:30-0130' }),
    ).toEqual({ start: s('2025-01-01T00:00:00Z'), end: s('2025-01-01T07:00:01Z') });
  });

  it('mixes a date and a date-time', () => {
    expect(
      parseInstantRange({ start_date: '2025-01-01', end_date: '2025-01-01T00:00:00Z' }),
    ).toEqual({ start: s('2025-01-01T00:00:00Z'), end: s('2025-01-01T00:00:01Z') });
  });

  it('names each missing parameter', () => {
    expect(rejection(() => parseInstantRange({ end_date: '2025-01-01' }))).toEqual({
      message: 'start_date is required',
      params: ['start_date'],
    });
    expect(
      rejection(() => parseInstantRange({ start_date: '2025-01-01', end_date: '' })).params,
    ).toEqual(['end_date']);
  });

  it('refuses days that are not on the calendar, and says so', () => {
    for (const bad of ['2025-02-30', '2025-02-29', '2025-13-01', '2025-00-10', '2025-04-31']) {
      const r = rejection(() => parseInstantRange({ start_date: bad, end_date: '2025-12-31' }));
      expect(r.params, bad).toEqual(['start_date']);
      expect(r.message, bad).toBe(`start_date ${bad} is not a real calendar day`);
    }
    expect(
      rejection(() =>
        parseInstantRange({ start_date: '2025-02-30T10:00:00Z', end_date: '2025-12-31' }),
      ).message,
    ).toBe('start_date 2025-02-30 is not a real calendar day');
  });

  it('refuses malformed values, times of day and zones that do not exist', () => {
    for (const bad of [
      '2025-1-01',
      '20250101',
      '2025-01-01T10:00:00', // no zone: ambiguous
      '2025-01-01 10:00:00Z',
      '2025-01-01T24:00:00Z',
      '2025-01-01T10:60:00Z',
      '2025-01-01T10:00:60Z',
      '2025-01-01T10:00:00+24:00',
      "'; DROP TABLE sales; --",
      'x'.repeat(10_000),
      '２０２５-01-01',
    ]) {
      const r = rejection(() => parseInstantRange({ start_date: '2025-01-01', end_date: bad }));
      expect(r.params, bad).toEqual(['end_date']);
      expect(r.message.length, bad).toBeLessThan(200);
    }
  });

  it('refuses days outside 1970..2099', () => {
    expect(
      rejection(() => parseInstantRange({ start_date: '1969-12-31', end_date: '2025-01-01' }))
        .message,
    ).toBe('start_date must be a day from 1970-01-01 to 2099-12-31, got 1969-12-31');
    expect(
      rejection(() =>
        parseInstantRange({ start_date: '2025-01-01', end_date: '2100-01-01T00:00:00Z' }),
      ).params,
    ).toEqual(['end_date']);
    expect(
      rejection(() =>
        parseInstantRange({ start_date: '1970-01-01T00:30:00+01:00', end_date: '2025-01-01' }),
      ).params,
    ).toEqual(['start_date']);
  });

  it('refuses a reversed range, naming both ends', () => {
    expect(
      rejection(() => parseInstantRange({ start_date: '2025-02-01', end_date: '2025-01-31' })),
    ).toEqual({
      message: 'start_date is after end_date: the range is reversed',
      params: ['start_date', 'end_date'],
    });
    expect(
      rejection(() =>
        parseInstantRange({ start_date: '2025-01-31', end_date: '2025-01-30T23:59:59Z' }),
      ).params,
    ).toEqual(['start_date', 'end_date']);
  });

  it('refuses a parameter given twice', () => {
    const q: Query = { start_date: ['2025-01-01', '2025-01-02'], end_date: '2025-01-31' };
    expect(rejection(() => parseInstantRange(q)).message).toBe(
      'start_date must be given once, as a single value',
    );
  });
});

describe('splitMonths', () => {
  const r = (first: string, last: string) => ({ first, last });
  it('answers a calendar year with twelve months and no days', () => {
    expect(splitMonths(r('2025-01-01', '2025-12-31'))).toEqual({
      months: r('2025-01-01', '2025-12-01'),
      days: [],
    });
  });
  it('leaves the days before the first and after the last whole month', () => {
    expect(splitMonths(r('2024-01-15', '2024-03-10'))).toEqual({
      months: r('2024-02-01', '2024-02-01'),
      days: [r('2024-01-15', '2024-01-31'), r('2024-03-01', '2024-03-10')],
    });
  });
  it('counts a month ending on its last day (leap February) as whole', () => {
    expect(splitMonths(r('2024-01-20', '2024-02-29'))).toEqual({
      months: r('2024-02-01', '2024-02-01'),
      days: [r('2024-01-20', '2024-01-31')],
    });
  });
  it('keeps a range without a whole month as days, across a year end too', () => {
    expect(splitMonths(r('2025-12-02', '2026-01-30'))).toEqual({
      months: null,
      days: [r('2025-12-02', '2026-01-30')],
    });
    expect(splitMonths(r('2025-03-05', '2025-03-05'))).toEqual({
      months: null,
      days: [r('2025-03-05', '2025-03-05')],
    });
  });
  it('covers every day exactly once for any range', () => {
    const dayMs = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const start = Date.parse('2024-11-01T00:00:00Z');
    for (let i = 0; i < 400; i += 7) {
      for (const length of [1, 27, 31, 59, 95, 366]) {
        const first = start + i * dayMs;
        const last = first + (length - 1) * dayMs;
        const split = splitMonths(r(iso(first), iso(last)));
        const covered: string[] = [];
        if (split.months) {
          const m = new Date(`${split.months.first}T00:00:00Z`);
          const end = Date.parse(`${split.months.last}T00:00:00Z`);
          for (let t = m.getTime(); t <= end;) {
            const next = new Date(t);
            next.setUTCMonth(next.getUTCMonth() + 1);
            for (let d = t; d < next.getTime(); d += dayMs) covered.push(iso(d));
            t = next.getTime();
          }
        }
        for (const d of split.days)
          for (
            let t = Date.parse(`${d.first}T00:00:00Z`);
            t <= Date.parse(`${d.last}T00:00:00Z`);
            t += dayMs
          )
            covered.push(iso(t));
        const expected = Array.from({ length }, (_, k) => iso(first + k * dayMs));
        expect(covered.sort()).toEqual(expected);
      }
    }
  });
});

describe('splitRange', () => {
  it('keeps a range of whole days whole, with no edges', () => {
    expect(
      splitRange({ start: s('2025-01-01T00:00:00Z'), end: s('2025-02-01T00:00:00Z') }),
    ).toEqual({
      days: { first: '2025-01-01', last: '2025-01-31' },
      edges: [],
    });
  });

  it('cuts partial days at both ends into edges read from raw rows', () => {
    expect(
      splitRange({ start: s('2025-01-01T06:30:00Z'), end: s('2025-01-05T12:00:01Z') }),
    ).toEqual({
      days: { first: '2025-01-02', last: '2025-01-04' },
      edges: [
        { start: s('2025-01-01T06:30:00Z'), end: s('2025-01-02T00:00:00Z') },
        { start: s('2025-01-05T00:00:00Z'), end: s('2025-01-05T12:00:01Z') },
      ],
    });
  });

  it('has one edge when only one end cuts a day', () => {
    expect(
      splitRange({ start: s('2025-01-01T00:00:00Z'), end: s('2025-01-03T08:00:00Z') }),
    ).toEqual({
      days: { first: '2025-01-01', last: '2025-01-02' },
      edges: [{ start: s('2025-01-03T00:00:00Z'), end: s('2025-01-03T08:00:00Z') }],
    });
    expect(
      splitRange({ start: s('2025-01-01T23:00:00Z'), end: s('2025-01-03T00:00:00Z') }),
    ).toEqual({
      days: { first: '2025-01-02', last: '2025-01-02' },
      edges: [{ start: s('2025-01-01T23:00:00Z'), end: s('2025-01-02T00:00:00Z') }],
    });
  });

  it('reads a range without a whole day from raw rows only', () => {
    const inside = { start: s('2025-01-01T06:00:00Z'), end: s('2025-01-01T18:00:00Z') };
    expect(splitRange(inside)).toEqual({ days: null, edges: [inside] });
    // Across midnight without a whole day: still one contiguous raw read.
    const across = { start: s('2025-01-01T18:00:00Z'), end: s('2025-01-02T06:00:00Z') };
    expect(splitRange(across)).toEqual({ days: null, edges: [across] });
    expect(splitRange({ start: 100, end: 100 })).toEqual({ days: null, edges: [] });
  });

  it('covers every second of the range exactly once', () => {
    const ranges = [
      { start: s('2025-01-01T06:30:00Z'), end: s('2025-01-05T12:00:01Z') },
      { start: s('2025-03-01T00:00:00Z'), end: s('2025-03-02T00:00:00Z') },
      { start: s('2025-03-01T00:00:01Z'), end: s('2025-03-01T23:59:59Z') },
    ];
    for (const r of ranges) {
      const split = splitRange(r);
      const dayStart = split.days ? s(`${split.days.first}T00:00:00Z`) : 0;
      const dayEnd = split.days ? s(`${split.days.last}T00:00:00Z`) + 86_400 : 0;
      const covered = split.edges.reduce((n, e) => n + (e.end - e.start), dayEnd - dayStart);
      expect(covered).toBe(r.end - r.start);
      for (const e of split.edges) {
        if (split.days) expect(e.end <= dayStart || e.start >= dayEnd).toBe(true);
        expect(e.start >= r.start && e.end <= r.end && e.start < e.end).toBe(true);
      }
    }
  });
});

describe('day ranges of the daily views', () => {
  it('are open on either side when optional', () => {
    expect(parseOpenDayRange({})).toEqual({ first: null, last: null });
    expect(parseOpenDayRange({ start_date: '2025-01-01' })).toEqual({
      first: '2025-01-01',
      last: null,
    });
    expect(parseOpenDayRange({ end_date: '2025-01-01' })).toEqual({
      first: null,
      last: '2025-01-01',
    });
  });

  it('refuse date-times, explaining whole days', () => {
    const r = rejection(() => parseOpenDayRange({ start_date: '2025-01-01T10:00:00Z' }));
    expect(r.params).toEqual(['start_date']);
    expect(r.message).toMatch(/must be a whole day \(YYYY-MM-DD\).*daily aggregates/);
  });

  it('refuse reversed, missing and unreal days', () => {
    expect(
      rejection(() => parseDayRange({ start_date: '2025-01-02', end_date: '2025-01-01' })).params,
    ).toEqual(['start_date', 'end_date']);
    expect(rejection(() => parseDayRange({ start_date: '2025-01-02' })).message).toBe(
      'end_date is required',
    );
    expect(
      rejection(() => parseDayRange({ start_date: '2025-02-30', end_date: '2025-03-01' })).message,
    ).toBe('start_date 2025-02-30 is not a real calendar day');
    expect(parseDayRange({ start_date: '2025-01-01', end_date: '2025-01-01' })).toEqual({
      first: '2025-01-01',
      last: '2025-01-01',
    });
  });
});

describe('parseTwoWeeks', () => {
  it('gives two 7-day weeks of whole days from any weekday', () => {
    expect(parseTwoWeeks({ week_start: '2021-01-01' })).toEqual({
      week1: { first: '2021-01-01', last: '2021-01-07' },
      week2: { first: '2021-01-08', last: '2021-01-14' },
    });
    expect(parseTwoWeeks({ week_start: '2024-02-26' }).week2).toEqual({
      first: '2024-03-04',
      last: '2024-03-10',
    });
  });

  it('refuses a missing, unreal or too late start', () => {
    expect(rejection(() => parseTwoWeeks({})).message).toBe('week_start is required');
    expect(rejection(() => parseTwoWeeks({ week_start: '2021-02-29' })).params).toEqual([
      'week_start',
    ]);
    expect(rejection(() => parseTwoWeeks({ week_start: '2099-12-25' })).message).toMatch(
      /past 2099-12-31/,
    );
  });
});

describe('parseGranularity', () => {
  it('defaults, accepts the allowed ones and explains a known one that is not allowed', () => {
    expect(parseGranularity({}, ['day', 'week', 'month'], 'day')).toBe('day');
    expect(parseGranularity({ granularity: 'month' }, ['day', 'week', 'month'], 'day')).toBe(
      'month',
    );
    expect(parseGranularity({ granularity: 'hour' }, GRANULARITIES, 'day')).toBe('hour');
    expect(
      rejection(() =>
        parseGranularity(
          { granularity: 'hour' },
          ['day', 'week', 'month'],
          'day',
          'is not available: daily view',
        ),
      ),
    ).toEqual({
      message: 'granularity hour is not available: daily view; use day, week, month',
      params: ['granularity'],
    });
    expect(
      rejection(() => parseGranularity({ granularity: 'fortnight' }, GRANULARITIES, 'day')).message,
    ).toBe('granularity must be one of hour, day, week, month, got "fortnight"');
  });
});

describe('parseLimit', () => {
  it('defaults and accepts 1..max, as a string or a coerced number', () => {
    expect(parseLimit({}, 10, 100)).toBe(10);
    expect(parseLimit({ limit: '1' }, 10, 100)).toBe(1);
    expect(parseLimit({ limit: 100 }, 10, 100)).toBe(100);
  });

  it('refuses 0, over max, fractions, signs and words', () => {
    for (const bad of ['0', '101', '1.5', '-1', '+5', '1e2', 'ten', 101, 99999999999]) {
      expect(rejection(() => parseLimit({ limit: bad }, 10, 100)).params, String(bad)).toEqual([
        'limit',
      ]);
    }
    expect(rejection(() => parseLimit({ limit: '101' }, 10, 100)).message).toBe(
      'limit must be an integer from 1 to 100, got "101"',
    );
  });
});

describe('parseSide and parseOptionalUuid', () => {
  it('default to seller, take buyer, refuse anything else', () => {
    expect(parseSide({})).toBe('seller');
    expect(parseSide({ by: 'buyer' })).toBe('buyer');
    expect(rejection(() => parseSide({ by: "seller'; --" })).params).toEqual(['by']);
  });

  it('lower-case UUIDs and refuse anything else', () => {
    expect(parseOptionalUuid({}, 'warehouse_id')).toBeNull();
    expect(
      parseOptionalUuid({ warehouse_id: 'C1D70455-7E14-11E9-812A-70106F431230' }, 'warehouse_id'),
    ).toBe('c1d70455-7e14-11e9-812a-70106f431230');
    expect(
      rejection(() => parseOptionalUuid({ warehouse_id: 'WH-1' }, 'warehouse_id')).params,
    ).toEqual(['warehouse_id']);
  });
});

describe('dayNumber', () => {
  it('counts days from 1970-01-01 as ClickHouse numbers a Date', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2025-01-01')).toBe(20_089); // toInt32(toDate('2025-01-01')) on 18.16
    expect(dayNumber('2024-03-01') - dayNumber('2024-02-28')).toBe(2);
  });
});
