import { describe, expect, it } from 'vitest';
import { periodsEnd } from '../../api/analytics/queries/stock-flow.js';

describe('periodsEnd', () => {
  it('counts days from the first', () => {
    expect(periodsEnd('2025-02-27', 'day', 1)).toBe('2025-02-27');
    expect(periodsEnd('2025-02-27', 'day', 3)).toBe('2025-03-01');
  });

  it('ends weeks on Sundays, the first cut by the start', () => {
    expect(periodsEnd('2025-01-10', 'week', 1)).toBe('2025-01-12'); // a Friday
    expect(periodsEnd('2025-01-12', 'week', 1)).toBe('2025-01-12'); // a Sunday
    expect(periodsEnd('2025-01-13', 'week', 1)).toBe('2025-01-19'); // a Monday
    expect(periodsEnd('2025-01-10', 'week', 3)).toBe('2025-01-26');
  });

  it('ends months on their last day, across a year', () => {
    expect(periodsEnd('2025-01-31', 'month', 1)).toBe('2025-01-31');
    expect(periodsEnd('2024-01-15', 'month', 2)).toBe('2024-02-29');
    expect(periodsEnd('2025-11-02', 'month', 3)).toBe('2026-01-31');
  });
});
