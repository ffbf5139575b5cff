import { Gauge, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../lib/clickhouse/client.js';
import { clickHouseMetrics } from '../../lib/clickhouse/system-metrics.js';
import { config, testLogger } from '../../testkit/resources.js';

/** The samples of a scrape, by metric name (without labels). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** A client that counts its queries. */
function counting(client: ClickHouseClient): { client: ClickHouseClient; queries: () => number } {
  let n = 0;
  const proxy = new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'query') {
        return (...args: Parameters<ClickHouseClient['query']>) => {
          n++;
          return target.query(...args);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { client: proxy, queries: () => n };
}

describe('ClickHouse system metrics collector (real ClickHouse)', () => {
  const real = createClickHouse({ url: config.clickhouseUrl });
  afterAll(() => real.close());

  it('exports system.metrics, system.events and system.asynchronous_metrics with one query a scrape', async () => {
    const registry = new Registry();
    const { client, queries } = counting(real);
    const metrics = clickHouseMetrics({ registry, clickhouse: client, logger: testLogger });
    await metrics.prime();
    expect(queries()).toBe(1);

    const text = await registry.metrics();
    expect(queries()).toBe(2);
    const s = samples(text);
    // A query runs right now: this one.
    expect(s.get('clickhouse_metric_query')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE clickhouse_metric_query gauge$/m);
    expect(text).toMatch(
      /^# HELP clickhouse_metric_query .*\(ClickHouse system\.metrics\.Query\)$/m,
    );
    expect(s.get('clickhouse_event_query_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE clickhouse_event_query_total counter$/m);
    expect(s.get('clickhouse_async_uptime')).toBeGreaterThan(0);
    expect(text).toMatch(/^# TYPE clickhouse_async_uptime gauge$/m);
    expect(s.get('clickhouse_up')).toBe(1);
    // Every ClickHouse value became a valid sample.
    const names = [...s.keys()].filter((n) => n.startsWith('clickhouse_'));
    expect(names.length).toBeGreaterThan(50);
    for (const n of names) expect(Number.isFinite(s.get(n))).toBe(true);

    // Counters follow the server's running totals.
    const before = s.get('clickhouse_event_query_total') ?? 0;
    await real.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
    const after = samples(await registry.metrics()).get('clickhouse_event_query_total') ?? 0;
    expect(after).toBeGreaterThan(before);
    expect(queries()).toBe(3);
  });

  it('a ClickHouse that does not answer leaves the scrape intact, without ClickHouse figures', async () => {
    const dead = createClickHouse({ url: 'http://127.0.0.1:1' });
    try {
      const registry2 = new Registry();
      const other = new Gauge({
        name: 'unrelated',
        help: 'a metric of the process',
        registers: [registry2],
      });
      other.set(7);
      const broken = clickHouseMetrics({
        registry: registry2,
        clickhouse: dead,
        logger: testLogger,
        timeoutMs: 2_000,
      });
      await broken.prime();
      const s = samples(await registry2.metrics());
      expect(s.get('unrelated')).toBe(7);
      expect(s.get('clickhouse_up')).toBe(0);
      expect([...s.keys()].filter((n) => n.startsWith('clickhouse_'))).toEqual(['clickhouse_up']);
      expect(s.get('stockflow_metrics_collect_errors_total')).toBe(2);
    } finally {
      await dead.close();
    }
  });

  it('drops the samples of a family whose read fails after it was seen, keeping the family', async () => {
    const registry = new Registry();
    let fail = false;
    const flaky = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'query' && fail) return () => Promise.reject(new Error('connection reset'));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const metrics = clickHouseMetrics({ registry, clickhouse: flaky, logger: testLogger });
    await metrics.prime();
    expect(samples(await registry.metrics()).get('clickhouse_async_uptime')).toBeGreaterThan(0);
    fail = true;
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE clickhouse_async_uptime gauge$/m);
    expect(samples(text).has('clickhouse_async_uptime')).toBe(false);
    expect(samples(text).get('stockflow_metrics_collect_errors_total')).toBe(1);
    expect(samples(text).get('clickhouse_up')).toBe(0);
    fail = false;
    expect(samples(await registry.metrics()).get('clickhouse_async_uptime')).toBeGreaterThan(0);
  });

  it('registers the families once ClickHouse answers, when it did not at start', async () => {
    const registry = new Registry();
    let away = true;
    const late = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'query' && away) return () => Promise.reject(new Error('ECONNREFUSED'));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const metrics = clickHouseMetrics({ registry, clickhouse: late, logger: testLogger });
    await metrics.prime();
    expect(samples(await registry.metrics()).get('clickhouse_up')).toBe(0);
    away = false;
    // This scrape's read finds the names; the next scrape serves them.
    expect(samples(await registry.metrics()).get('clickhouse_up')).toBe(1);
    expect(samples(await registry.metrics()).get('clickhouse_metric_query')).toBeGreaterThanOrEqual(
      1,
    );
  });
});
