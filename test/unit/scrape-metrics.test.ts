import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { prometheusName } from '../../lib/clickhouse/system-metrics.js';
import { partitionLags } from '../../lib/kafka/consumer-lag.js';
import { scrapeRead } from '../../lib/metrics.js';
import { dependencyUpGauge } from '../../lib/readiness.js';

describe('partitionLags', () => {
  it('is the end offset less the committed one, per partition in order', () => {
    expect(
      partitionLags(
        't',
        [
          { partition: 1, offset: '40' },
          { partition: 0, offset: '100' },
        ],
        [
          { partition: 0, high: '150', low: '0' },
          { partition: 1, high: '40', low: '0' },
        ],
      ),
    ).toEqual([
      { topic: 't', partition: 0, lag: 50 },
      { topic: 't', partition: 1, lag: 0 },
    ]);
  });

  it('counts everything retained for a partition the group never committed, from its low mark', () => {
    expect(
      partitionLags(
        't',
        [{ partition: 0, offset: '-1' }],
        [
          { partition: 0, high: '90', low: '30' },
          { partition: 1, high: '5', low: '0' },
        ],
      ),
    ).toEqual([
      { topic: 't', partition: 0, lag: 60 },
      { topic: 't', partition: 1, lag: 5 },
    ]);
  });

  it('counts a commit below the retained messages from the low mark, and never below 0', () => {
    expect(
      partitionLags(
        't',
        [{ partition: 0, offset: '10' }],
        [{ partition: 0, high: '90', low: '50' }],
      ),
    ).toEqual([{ topic: 't', partition: 0, lag: 40 }]);
    expect(
      partitionLags(
        't',
        [{ partition: 0, offset: '95' }],
        [{ partition: 0, high: '90', low: '0' }],
      ),
    ).toEqual([{ topic: 't', partition: 0, lag: 0 }]);
  });
});

describe('prometheusName', () => {
  it('makes snake_case Prometheus names of ClickHouse names, with the table as prefix', () => {
    expect(prometheusName('metric', 'Query')).toBe('clickhouse_metric_query');
    expect(prometheusName('metric', 'MemoryTracking')).toBe('clickhouse_metric_memory_tracking');
    expect(prometheusName('event', 'SelectQuery')).toBe('clickhouse_event_select_query_total');
    expect(prometheusName('event', 'OSCPUVirtualTimeMicroseconds')).toBe(
      'clickhouse_event_oscpu_virtual_time_microseconds_total',
    );
    expect(prometheusName('async', 'jemalloc.background_thread.num_runs')).toBe(
      'clickhouse_async_jemalloc_background_thread_num_runs',
    );
    expect(prometheusName('async', 'MaxPartCountForPartition')).toBe(
      'clickhouse_async_max_part_count_for_partition',
    );
    expect(prometheusName('async', 'ReplicasMaxAbsoluteDelay')).toBe(
      'clickhouse_async_replicas_max_absolute_delay',
    );
  });

  it('always gives a valid metric name', () => {
    for (const raw of ['a.b-c d', '__x__', 'Ünïcode', '9lives', 'HTTPConnection']) {
      expect(prometheusName('metric', raw)).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    }
  });
});

describe('scrapeRead', () => {
  const errors = async (registry: Registry): Promise<string> =>
    (await registry.getSingleMetricAsString('stockflow_metrics_collect_errors_total'))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');

  it('makes one read for every metric collected in the same scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    const read = scrapeRead({
      registry,
      collector: 'x',
      read: async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 10));
        return reads;
      },
    });
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    expect(await read()).toBe(2);
  });

  it('answers undefined for a failed or late read and counts it', async () => {
    const registry = new Registry();
    const failing = scrapeRead({
      registry,
      collector: 'broken',
      read: () => Promise.reject(new Error('refused')),
    });
    const silent = scrapeRead({
      registry,
      collector: 'silent',
      timeoutMs: 20,
      read: () => new Promise<number>(() => {}),
    });
    expect(await failing()).toBeUndefined();
    expect(await failing()).toBeUndefined();
    expect(await silent()).toBeUndefined();
    expect(await errors(registry)).toBe(
      [
        'stockflow_metrics_collect_errors_total{collector="broken"} 2',
        'stockflow_metrics_collect_errors_total{collector="silent"} 1',
      ].join('\n'),
    );
  });
});

describe('stockflow_dependency_up', () => {
  it('is 1 for each dependency that answers its check and 0 for one that does not', async () => {
    const registry = new Registry();
    let kafkaUp = true;
    dependencyUpGauge(
      registry,
      [
        { name: 'postgres', check: () => Promise.resolve() },
        {
          name: 'kafka',
          check: () => (kafkaUp ? Promise.resolve() : Promise.reject(new Error('down'))),
        },
        { name: 'clickhouse', check: () => new Promise(() => {}) },
      ],
      50,
    );
    const samples = async () =>
      (await registry.metrics()).split('\n').filter((l) => l.startsWith('stockflow_dependency_up'));
    expect(await samples()).toEqual([
      'stockflow_dependency_up{dependency="postgres"} 1',
      'stockflow_dependency_up{dependency="kafka"} 1',
      'stockflow_dependency_up{dependency="clickhouse"} 0',
    ]);
    kafkaUp = false;
    expect(await samples()).toContain('stockflow_dependency_up{dependency="kafka"} 0');
  });
});
