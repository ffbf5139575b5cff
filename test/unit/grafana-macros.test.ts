import { describe, expect, it } from 'vitest';
import { expandClickHouse, expandPromQL, resolveTime } from '../../testkit/grafana.js';
import { labelNames, metricNames } from '../../testkit/promql.js';

const from = new Date('2026-01-02T03:04:05.678Z');
const to = new Date('2026-02-01T00:00:00Z');

describe('expandClickHouse', () => {
  it('renders the time range as UTC DateTime literals and variables as identifiers', () => {
    expect(
      expandClickHouse(
        'SELECT 1 FROM ${database}.t WHERE day >= toDate($__fromTime) AND day <= toDate($__toTime)',
        { from, to, identifiers: { database: 'sf_test_1' } },
      ),
    ).toBe(
      "SELECT 1 FROM `sf_test_1`.t WHERE day >= toDate(toDateTime('2026-01-02 03:04:05', 'UTC')) AND day <= toDate(toDateTime('2026-02-01 00:00:00', 'UTC'))",
    );
    expect(
      expandClickHouse('SELECT * FROM $database.t', { from, to, identifiers: { database: 'x' } }),
    ).toBe('SELECT * FROM `x`.t');
  });

  it('refuses what it does not know instead of sending it half expanded', () => {
    const values = { from, to, identifiers: { database: 'x' } };
    expect(() => expandClickHouse('WHERE $__timeFilter(t)', values)).toThrow(/\$__timeFilter/);
    expect(() => expandClickHouse('FROM ${table}', values)).toThrow(/\$\{table\}/);
  });

  it('passes values through the typed formatter', () => {
    expect(() =>
      expandClickHouse('FROM ${database}.t', { from, to, identifiers: { database: 'a`; DROP' } }),
    ).toThrow(/ch.identifier/);
    expect(() =>
      expandClickHouse('$__fromTime', { from: new Date(Number.NaN), to, identifiers: {} }),
    ).toThrow(/ch.dateTime/);
  });
});

describe('expandPromQL', () => {
  it('computes $__interval, $__rate_interval and $__range as Grafana does', () => {
    const hour = { rangeSeconds: 3600, scrapeSeconds: 15 };
    expect(expandPromQL('rate(x[$__rate_interval])', hour)).toBe('rate(x[60s])');
    expect(expandPromQL('rate(x[$__interval])', hour)).toBe('rate(x[15s])');
    expect(expandPromQL('increase(x[$__range])', hour)).toBe('increase(x[3600s])');
    const month = { rangeSeconds: 30 * 86_400, scrapeSeconds: 15 };
    expect(expandPromQL('rate(x[$__interval])', month)).toBe('rate(x[2592s])');
    expect(expandPromQL('rate(x[$__rate_interval])', month)).toBe('rate(x[2607s])');
  });

  it('substitutes template variables and refuses unknown ones', () => {
    const v = { rangeSeconds: 3600, scrapeSeconds: 15, variables: { job: 'api' } };
    expect(expandPromQL('up{job="$job"}', v)).toBe('up{job="api"}');
    expect(expandPromQL('up{job="${job}"}', v)).toBe('up{job="api"}');
    expect(() => expandPromQL('up{job="$other"}', v)).toThrow(/\$other/);
    expect(() => expandPromQL('x[$__range_ms]', v)).toThrow(/\$__range_ms/);
  });
});

describe('resolveTime', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  it('resolves now and now-N<unit>', () => {
    expect(resolveTime('now', now)).toEqual(now);
    expect(resolveTime('now-1h', now)).toEqual(new Date('2026-02-28T23:00:00Z'));
    expect(resolveTime('now-90d', now)).toEqual(new Date('2025-12-01T00:00:00Z'));
    expect(() => resolveTime('now/d', now)).toThrow(/unsupported/);
  });
});

describe('metricNames', () => {
  it('finds the selected metrics, not functions, labels, keywords or numbers', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{status=~"5..", x="a(b"}[1m])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(
      metricNames('sum(rate(a_total[5m] offset 1h)) / ignoring(x) group_left sum(b) > 1e3'),
    ).toEqual(['a_total', 'b']);
    expect(metricNames('max(stockflow_orders_queue_length)')).toEqual([
      'stockflow_orders_queue_length',
    ]);
  });

  it('rejects exprs that cannot parse', () => {
    expect(() => metricNames('sum(rate(x[1m])')).toThrow(/unclosed/);
    expect(() => metricNames('sum(x])')).toThrow(/unbalanced/);
    expect(() => metricNames('rate(x[$__rate_interval])')).toThrow(/unexpanded/);
  });
});

describe('labelNames', () => {
  it('finds matcher labels and grouping labels, not label values', () => {
    expect(
      labelNames(
        'sum by (le, route) (rate(x{status=~"5..", a!="{b=c}"}[1m])) / ignoring(z) group_left y',
      ).sort(),
    ).toEqual(['a', 'le', 'route', 'status', 'z']);
  });
});
