import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../logger.js';
import { once, scrapeRead, type Registry } from '../metrics.js';
import type { ClickHouseClient } from './client.js';

// ClickHouse 18.16 has no Prometheus endpoint (that came in 20.x), so stockflow exports its
// system tables itself, read in one query per scrape:
//   system.metrics              → clickhouse_metric_<name>       gauges (what runs right now)
//   system.events               → clickhouse_event_<name>_total  counters (since the server started)
//   system.asynchronous_metrics → clickhouse_async_<name>        gauges (sampled by the server)

export type SystemTable = 'metric' | 'event' | 'async';

export interface SystemValue {
  readonly kind: SystemTable;
  readonly name: string;
  readonly value: number;
  readonly description: string;
}

const SOURCE: Record<SystemTable, string> = {
  metric: 'system.metrics',
  event: 'system.events',
  async: 'system.asynchronous_metrics',
};

// One statement for the three tables, so a scrape costs one round trip. Descriptions exist for
// the first two on 18.16; the asynchronous metrics' (newer servers) are not needed. A value that
// is not finite (an async metric not sampled yet) is left out rather than sent as nan.
export const SYSTEM_METRICS_SQL = `SELECT 'metric' AS kind, metric AS name, toFloat64(value) AS value, description FROM system.metrics
UNION ALL SELECT 'event' AS kind, event AS name, toFloat64(value) AS value, description FROM system.events
UNION ALL SELECT 'async' AS kind, metric AS name, toFloat64(value) AS value, '' AS description FROM system.asynchronous_metrics WHERE isFinite(value)`;

/**
 * A ClickHouse name as a Prometheus one: CamelCase to snake_case, anything else than letters,
 * digits and `_` (the dots of `jemalloc.allocated`) to `_`, lower case.
 */
export function prometheusName(kind: SystemTable, raw: string): string {
  const snake = raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
  return kind === 'event' ? `clickhouse_event_${snake}_total` : `clickhouse_${kind}_${snake}`;
}

export interface ClickHouseMetricsOptions {
  readonly registry: Registry;
  /** A client without a default database: the system tables are there before any migration. */
  readonly clickhouse: ClickHouseClient;
  readonly logger: Logger;
  /** Bounds one read; a slow server leaves the scrape without ClickHouse's figures. */
  readonly timeoutMs?: number;
}

export interface ClickHouseMetrics {
  /**
   * Reads once, so that the families exist before the first scrape: a family is registered when a
   * read first sees its name, and serves from the scrape after (a new event's counter starts one
   * scrape late).
   */
  prime(): Promise<void>;
}

const registered = new WeakMap<Registry, ClickHouseMetrics>();

/**
 * Registers ClickHouse's system metrics in `registry`, read from `clickhouse` at scrape time.
 * A failed read (ClickHouse down, slow) counts in stockflow_metrics_collect_errors_total and
 * leaves every clickhouse_* family without samples for that scrape; the rest of the scrape is
 * served as usual. Once per registry: a second call returns the first.
 */
export function clickHouseMetrics(options: ClickHouseMetricsOptions): ClickHouseMetrics {
  const existing = registered.get(options.registry);
  if (existing) return existing;
  const { registry, clickhouse, logger } = options;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const families = new Map<string, { raw: string; kind: SystemTable }>();
  let latest = new Map<string, number>();

  const read = scrapeRead({
    registry,
    collector: 'clickhouse',
    logger,
    timeoutMs,
    read: async () => {
      const result = await clickhouse.query({
        query: SYSTEM_METRICS_SQL,
        format: 'JSONEachRow',
        abort_signal: AbortSignal.timeout(timeoutMs),
      });
      const rows = await result.json<SystemValue>();
      const values = new Map<string, number>();
      for (const row of rows) {
        const name = prometheusName(row.kind, row.name);
        const known = families.get(name);
        // Two ClickHouse names that sanitize alike: the first keeps the name.
        if (known && (known.raw !== row.name || known.kind !== row.kind)) continue;
        if (!known) register(name, row);
        values.set(name, Number(row.value));
      }
      latest = values;
      return values;
    },
  });

  function register(name: string, row: SystemValue): void {
    families.set(name, { raw: row.name, kind: row.kind });
    const help = `${row.description ? `${row.description.replace(/\s+/g, ' ').trim()} ` : ''}(ClickHouse ${SOURCE[row.kind]}.${row.name})`;
    // No figure (a failed read, or a name gone from the table): no sample, rather than a 0.
    const valueNow = async (): Promise<number | undefined> => (await read())?.get(name);
    if (row.kind === 'event') {
      once(
        registry,
        name,
        () =>
          new Counter({
            name,
            help,
            registers: [registry],
            async collect() {
              const v = await valueNow();
              if (v === undefined) return void this.remove();
              // The server's own running total: set, not added to (a restart of ClickHouse
              // starts it again from 0, which Prometheus takes as a counter reset).
              this.reset();
              this.inc(v);
            },
          }),
      );
    } else {
      once(
        registry,
        name,
        () =>
          new Gauge({
            name,
            help,
            registers: [registry],
            async collect() {
              const v = await valueNow();
              if (v === undefined) this.remove();
              else this.set(v);
            },
          }),
      );
    }
  }

  // Always there, and always reading: a ClickHouse that was away when the process started has
  // its families registered by the first read that reaches it.
  once(
    registry,
    'clickhouse_up',
    () =>
      new Gauge({
        name: 'clickhouse_up',
        help: "1 if this scrape's read of ClickHouse's system tables succeeded, 0 if not.",
        registers: [registry],
        async collect() {
          this.set((await read()) ? 1 : 0);
        },
      }),
  );

  const metrics: ClickHouseMetrics = {
    async prime() {
      await read();
      logger.debug({ families: families.size, values: latest.size }, 'ClickHouse metrics read');
    },
  };
  registered.set(registry, metrics);
  return metrics;
}
