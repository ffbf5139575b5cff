// `npm run bench:analytics -- [--rows 10000000] [--sink-rows 500000] [--requests 200] [--keep]`
//
// The analytics side of stockflow on this machine, against its own isolated topics and databases:
//
// 1. Sink throughput: `--sink-rows` Avro sale lines wait on an isolated validated sales topic (3
//    partitions); ONE sink (processors/sink/role.ts, as `main.ts sink` runs it) drains them into a
//    fresh ClickHouse database; rows/s until `sales` holds them all. Goal: ≥ 100,000 rows/s.
// 2. Load: `--rows` deterministic sale lines (one year, ~50k products, 2k sellers, 200k buyers, 40
//    countries, the 12 categories, orders of 1–4 lines) straight into the raw `sales` table in
//    TabSeparated blocks of 200k (the materialized views fill themselves), plus 300k stock changes
//    and ~190k movement changes for the movement endpoints.
// 3. Latency: the analytics API (createApp + analyticsFeature, answer cache OFF) on a free port;
//    every endpoint gets `--requests` sequential requests with varying realistic ranges (a day, a
//    week, a month, the whole year, date-times with partial days). Goal: p99 < 50 ms.
// 4. Raw scans: the same questions asked of the raw tables (`--raw-samples` parameter sets per
//    endpoint), the median ratio raw / endpoint, and the endpoint's answer compared with the raw
//    answer for the first `--checks` sets (MISMATCH is printed loudly).
// 5. Cleanup: topics, registry subject and databases are dropped — unless `--keep`, which loads
//    into the ClickHouse database `bench_analytics` and leaves it there, so the next `--keep` run
//    with the same `--rows` (and data version) skips the load. Drop it by hand when done:
//    `DROP DATABASE bench_analytics`.
//
// Other flags: `--skip-sink` (phases 2–4 only), `--sink-only` (phase 1 only), `--sink-profile
// FILE` (a CPU profile of the sink phase, for Chrome DevTools or speedscope), `--raw-samples N`
// (20), `--checks N` (5).
// A benchmark reports; it never fails on a goal: the exit code is 0 whatever it measured (1 only
// when it could not run). The last lines are a markdown table for the README.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { analyticsFeature } from '../api/analytics/routes.js';
import { analytics, rows as runQuery } from '../api/analytics/queries/run.js';
import { dataWatermark } from '../api/analytics/queries/watermark.js';
import { createApp } from '../lib/http/app.js';
import { createClickHouse, type ClickHouseClient } from '../lib/clickhouse/client.js';
import { ch, sql } from '../lib/clickhouse/sql.js';
import { createRegistry } from '../lib/metrics.js';
import { migrate } from '../lib/migrate.js';
import { createPool } from '../lib/postgres/pool.js';
import { endpointCases } from './bench/endpoints.js';
import { benchStack } from './bench/stack.js';
import {
  catchUpAsSink,
  DATA_VERSION,
  loadDataset,
  tableSizes,
  type LoadResult,
} from './bench/load.js';
import { measureEndpoint, type EndpointResult } from './bench/measure.js';
import { sinkThroughput, type SinkResult } from './bench/sink-throughput.js';
import {
  ascending,
  describeCpu,
  fmt,
  loadavg,
  markdownTable,
  median,
  ms,
  now,
  percentile,
  randomName,
  say,
} from './bench/util.js';

const GOALS = { sinkRowsPerSec: 100_000, p99Ms: 50 };
const KEEP_DATABASE = 'bench_analytics';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    'sink-rows': { type: 'string', default: '500000' },
    requests: { type: 'string', default: '200' },
    'raw-samples': { type: 'string', default: '20' },
    checks: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    'skip-sink': { type: 'boolean', default: false },
    'sink-only': { type: 'boolean', default: false },
    'sink-profile': { type: 'string' },
  },
});
const positive = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const ROWS = positive('rows', opts.rows);
const SINK_ROWS = positive('sink-rows', opts['sink-rows']);
const REQUESTS = positive('requests', opts.requests);
const RAW_SAMPLES = Math.min(REQUESTS, positive('raw-samples', opts['raw-samples']));
const CHECKS = Math.min(RAW_SAMPLES, positive('checks', opts.checks));

interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly clickhouse: string;
  readonly loadStart: string;
}

async function machine(client: ClickHouseClient): Promise<Machine> {
  const r = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const cpuinfo = (() => {
    try {
      return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  })();
  return {
    cpu: cpuinfo ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    clickhouse: (await r.json<{ v: string }>())[0]?.v ?? 'unknown',
    loadStart: loadavg(),
  };
}

/** Reuse `bench_analytics` when it holds this data set (`--keep`); otherwise (re)load it. */
async function reusable(client: ClickHouseClient, db: string): Promise<boolean> {
  const exists = await client.query({
    query: sql`SELECT count() AS n FROM system.tables
      WHERE database = ${ch.string(db)} AND name = 'bench_meta'`.text,
    format: 'JSONEachRow',
  });
  if (Number((await exists.json<{ n: string }>())[0]?.n ?? 0) === 0) return false;
  const meta = await client.query({
    query: sql`SELECT toString(rows) AS rows, version,
        (SELECT toString(count()) FROM ${ch.identifier(db)}.sales) AS stored
      FROM ${ch.identifier(db)}.bench_meta`.text,
    format: 'JSONEachRow',
  });
  const [m] = await meta.json<{ rows: string; version: string; stored: string }>();
  return m?.rows === String(ROWS) && m.stored === String(ROWS) && m.version === DATA_VERSION;
}

async function main(): Promise<number> {
  const config = await benchStack();
  const { createTestDatabase } = await import('../testkit/resources.js');
  const logger = pino({ level: 'error' });
  const admin = createClickHouse({ url: config.clickhouseUrl });
  const info = await machine(admin);
  say(
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GiB, Node ${info.node}, ClickHouse ${info.clickhouse}`,
  );
  const pg = await createTestDatabase(); // for migrate(): its lock and Postgres bookkeeping
  const pool = createPool(pg.url, 2, logger);
  const database = opts.keep ? KEEP_DATABASE : randomName('bench_analytics');
  const client = createClickHouse({ url: config.clickhouseUrl, database });
  let server: Server | undefined;
  let sink: SinkResult | undefined;
  let load: LoadResult | 'reused' | undefined;
  const results: EndpointResult[] = [];
  let sizes = new Map<string, { parts: number; rows: number }>();
  const floor: { watermark: number[]; select1: number[] } = { watermark: [], select1: [] };
  let failure: unknown;
  try {
    if (!opts['skip-sink']) {
      say(`sink: ${fmt(SINK_ROWS)} lines, one sink`);
      sink = await sinkThroughput(SINK_ROWS, pg.url, ROWS, opts['sink-profile']);
      say(
        `sink: ${fmt(sink.rows / sink.totalSeconds)} rows/s from start (${fmt(sink.rows / sink.steadySeconds)} rows/s after the first row)`,
      );
    }
    if (!opts['sink-only']) {
      if (opts.keep && (await reusable(admin, database))) {
        load = 'reused';
        say(`load: reusing ${database} (${fmt(ROWS)} lines, ${DATA_VERSION})`);
        // Migrations added since it was loaded fill their tables from the kept rows.
        const applied = await migrate({ pool, clickhouse: admin, clickhouseDatabase: database, logger }); // prettier-ignore
        if (applied.clickhouse.length > 0) say(`load: applied ${applied.clickhouse.join(', ')}`);
      } else {
        if (opts.keep) await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
        await migrate({ pool, clickhouse: admin, clickhouseDatabase: database, logger });
        load = await loadDataset(admin, database, ROWS);
        if (opts.keep) {
          await admin.command({
            query: `CREATE TABLE ${database}.bench_meta (rows UInt64, version String, loaded_at DateTime) ENGINE = TinyLog`,
          });
          await admin.insert({
            table: `${database}.bench_meta`,
            values: [
              { rows: ROWS, version: DATA_VERSION, loaded_at: Math.floor(Date.now() / 1000) },
            ],
            format: 'JSONEachRow',
          });
        }
      }
      const refresher = { clickhouse: admin, clickhouseUrl: config.clickhouseUrl, database, pool, logger }; // prettier-ignore
      const caught = await catchUpAsSink(refresher);
      say(
        `repeat-buyer flags: ${fmt(caught.flags.buyers)} buyers refreshed, ${fmt(caught.flags.rowsWritten)} rows written in ${caught.flagsSeconds.toFixed(1)} s`,
      );
      say(
        `seller order days: ${fmt(caught.days.orders)} orders merged, ${fmt(caught.days.rowsWritten)} rows written in ${caught.daysSeconds.toFixed(1)} s`,
      );
      sizes = await tableSizes(admin, database);
      say(`tables (rows/parts): ${[...sizes].map(([t, x]) => `${t} ${fmt(x.rows)}/${x.parts}`).join(', ')}`); // prettier-ignore

      const app = createApp({
        logger,
        metrics: createRegistry(),
        checks: [],
        // No answer cache: every request reaches ClickHouse.
        features: [analyticsFeature({ clickhouse: client, database, pool, cacheTtlSeconds: 0 })],
      });
      server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server?.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const raw = createClickHouse({ url: config.clickhouseUrl, database });
      try {
        for (const c of endpointCases(database)) {
          const r = await measureEndpoint(c, {
            base,
            requests: REQUESTS,
            rawSamples: RAW_SAMPLES,
            checks: CHECKS,
            analytics: analytics(client, database),
            clickhouse: raw,
            loadavg,
          });
          results.push(r);
          const l = ascending(r.latencies);
          // Where the tail comes from: each kind's median and slowest request.
          const byKind = [...new Set(r.kinds)].map((k) => {
            const own = ascending(r.latencies.filter((_, i) => r.kinds[i] === k));
            return `${k} ${ms(median(own))}/${ms(own[own.length - 1] ?? NaN)}`;
          });
          say(
            `${c.name}: p50 ${ms(percentile(l, 50))} ms, p99 ${ms(percentile(l, 99))} ms (p50/max by range: ${byKind.join(', ')}); raw p50 ${ms(median(r.rawMs))} ms${r.errors ? `; ${r.errors} errors` : ''}`,
          );
          if (r.firstError) console.log(`  first error: ${r.firstError}`);
          for (const m of r.mismatches) {
            console.log(`!!! MISMATCH ${c.name} ${m.path}\n  endpoint: ${m.endpoint.slice(0, 500)}\n  raw:      ${m.raw.slice(0, 500)}`); // prettier-ignore
          }
        }
        // The floor under every endpoint: one ClickHouse round trip, and the watermark query each
        // request runs before its answer query.
        const a = analytics(client, database);
        for (let i = 0; i < 50; i++) {
          let t = now();
          await dataWatermark(a);
          floor.watermark.push(now() - t);
          t = now();
          await runQuery(a, sql`SELECT 1 AS one`);
          floor.select1.push(now() - t);
        }
      } finally {
        await raw.close();
      }
    }
  } catch (err) {
    failure = err;
    console.error('bench failed:', err);
  } finally {
    say('cleaning up');
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (!opts.keep) await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
    await pool.end();
    await pg.drop();
    await admin.close();
  }
  report(info, sink, load, results, floor, sizes);
  return failure === undefined ? 0 : 1;
}

function report(
  info: Machine,
  sink: SinkResult | undefined,
  load: LoadResult | 'reused' | undefined,
  results: readonly EndpointResult[],
  floor: { watermark: number[]; select1: number[] },
  sizes: ReadonlyMap<string, { parts: number; rows: number }>,
): void {
  const loadEnd = loadavg();
  const out: string[] = [];
  out.push(
    `\n### Analytics benchmark (\`npm run bench:analytics${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`: ${fmt(ROWS)} sale lines${sink ? `, ${fmt(SINK_ROWS)} through the sink` : ''}, ${REQUESTS} requests per endpoint)\n`,
  );
  out.push(
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GiB RAM; Node ${info.node}; ClickHouse ${info.clickhouse}; load average (1/5/15 min) ${info.loadStart} at start, ${loadEnd} at end.\n`,
  );
  const rows: string[][] = [];
  if (sink) {
    const total = sink.rows / sink.totalSeconds;
    const steady = sink.rows / sink.steadySeconds;
    rows.push([
      `Sink, ${fmt(SINK_ROWS)} Avro lines → ClickHouse (1 sink, 3 partitions)`,
      `${fmt(total)} rows/s from start (${sink.totalSeconds.toFixed(1)} s, group join included); ${fmt(steady)} rows/s after the first row${sink.timedOut ? ' — TIMED OUT' : ''}`,
      `≥ ${fmt(GOALS.sinkRowsPerSec)} rows/s`,
      total >= GOALS.sinkRowsPerSec ? 'PASS' : steady >= GOALS.sinkRowsPerSec ? 'MISS (PASS after join)' : 'MISS', // prettier-ignore
    ]);
    const per100k = (x: number) => ((x / sink.rows) * 100_000).toFixed(2);
    rows.push([
      'Sink batches',
      `${fmt(sink.batches)} batches, ${fmt(sink.meanBatchMs)} ms mean; producing the backlog took ${sink.produceSeconds.toFixed(1)} s`,
      '',
      '',
    ]);
    rows.push([
      'Sink refreshers',
      sink.refreshedSeconds === undefined
        ? 'did not cover every committed line within 600 s of the last row'
        : `repeat-buyer flags and seller order days covered every committed line ${sink.refreshedSeconds.toFixed(1)} s after the last row (they defer to a backlog)`,
      '',
      '',
    ]);
    rows.push([
      'Sink CPU',
      `${describeCpu(sink.cpu)}; per 100k rows: ClickHouse ${per100k(sink.cpu.clickhouse)} s, sink ${per100k(sink.cpu.self)} s`,
      '',
      '',
    ]);
  }
  if (load === 'reused') {
    rows.push([`Load ${fmt(ROWS)} sale lines`, `reused \`${KEEP_DATABASE}\` (--keep)`, '', '']);
  } else if (load) {
    rows.push([
      `Load ${fmt(load.salesRows)} sale lines (TSV, 200k blocks, 7 views)`,
      `${load.salesSeconds.toFixed(1)} s, ${fmt(load.salesRows / load.salesSeconds)} rows/s; no merge running ${load.mergeSeconds.toFixed(0)} s later`,
      '',
      '',
    ]);
    rows.push([
      'Load CPU',
      `${describeCpu(load.cpu)}; ClickHouse ${((load.cpu.clickhouse / load.salesRows) * 100_000).toFixed(2)} s per 100k rows`,
      '',
      '',
    ]);
  }
  if (rows.length > 0) out.push(markdownTable(['Measure', 'Result', 'Goal', ''], rows));

  if (results.length > 0) {
    out.push(
      `Endpoints: ${REQUESTS} sequential requests each (answer cache off; ranges: a day, a week, a month, the whole year${', date-times with partial days'}), client-side time. View SQL: the route's query function called directly (no HTTP, no watermark query), and raw: the same question over the raw tables, both on the first ${RAW_SAMPLES} parameter sets; raw / endpoint: the median of the per-request ratios on those sets (above 1: the views win); whole year: the sets among them asking for all of 2025. Answers: the endpoint's JSON equals the raw answer on the first ${CHECKS} sets.\n`,
    );
    const table = results.map((r) => {
      const l = ascending(r.latencies);
      const p99 = percentile(l, 99);
      // Raw and endpoint on the same parameter sets: the median of the per-request ratios.
      const ratios = r.rawMs.map((raw, i) => raw / (r.latencies[i] ?? NaN));
      const year = r.rawMs.map((_, i) => i).filter((i) => r.kinds[i] === 'year');
      const yearEndpoint = median(year.map((i) => r.latencies[i] ?? NaN));
      const yearRaw = median(year.map((i) => r.rawMs[i] ?? NaN));
      return [
        r.name,
        ms(percentile(l, 50)),
        ms(percentile(l, 95)),
        ms(p99),
        ms(l[l.length - 1] ?? NaN),
        r.errors > 0 ? `ERRORS ${r.errors}` : p99 < GOALS.p99Ms ? 'PASS' : 'MISS',
        ms(median(r.viewMs)),
        ms(median(r.rawMs)),
        `${median(ratios).toFixed(1)}×`,
        year.length > 0
          ? `${ms(yearEndpoint)} / ${ms(yearRaw)} (${(yearRaw / yearEndpoint).toFixed(1)}×)`
          : '—',
        r.mismatches.length > 0
          ? `MISMATCH ${r.mismatches.length}/${r.checked}`
          : `${r.checked}/${r.checked} equal`,
      ];
    });
    out.push(
      markdownTable(
        [
          'Endpoint',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          `p99 < ${GOALS.p99Ms} ms`,
          'view SQL p50',
          'raw p50',
          'raw / endpoint',
          'whole year: endpoint / raw ms',
          'answers',
        ],
        table,
      ),
    );
    // A table without parts (product_keys when every id is a decimal) has no row in system.parts.
    const size = (t: string) => fmt(sizes.get(t)?.rows ?? 0);
    if (sizes.size > 0) {
      out.push(
        `Rows read by the endpoints: sales ${size('sales')}; views: sales_by_product_key_daily ${size('sales_by_product_key_daily')}, sales_by_product_key_monthly ${size('sales_by_product_key_monthly')}, sales_by_product_key_weekly ${size('sales_by_product_key_weekly')}, sales_by_product_key_yearly ${size('sales_by_product_key_yearly')} (product_keys ${size('product_keys')}), seller_order_firsts_daily ${size('seller_order_firsts_daily')}, seller_order_firsts_monthly ${size('seller_order_firsts_monthly')}, seller_order_firsts_yearly ${size('seller_order_firsts_yearly')}, seller_orders_daily ${size('seller_orders_daily')}, seller_orders_monthly_upper ${size('seller_orders_monthly_upper')}, seller_day_orders ${size('seller_day_orders')}, buyer_daily ${size('buyer_daily')}, sales_by_countries_daily ${size('sales_by_countries_daily')}, sales_by_category_daily ${size('sales_by_category_daily')}; stock_changes ${size('stock_changes')} (stock_flow_daily ${size('stock_flow_daily')}), movement_changes ${size('movement_changes')} (route_transit_daily ${size('route_transit_daily')}, in_transit ${size('in_transit')}).\n`,
      );
    }
    out.push(
      `Per-request floor: a \`SELECT 1\` round trip to ClickHouse ${ms(median(floor.select1))} ms p50; the data watermark query every request runs first ${ms(median(floor.watermark))} ms p50.\n`,
    );
    out.push(
      `Raw questions: ${results.map((r) => `${r.name}: ${r.rawNote}`).join('; ')}. Load average per endpoint: ${results.map((r) => `${r.name} ${r.load.split(' ')[0]}`).join(', ')}.\n`,
    );
    const bad = results.filter((r) => r.mismatches.length > 0);
    if (bad.length > 0) {
      out.push(
        `!!! MISMATCH: ${bad.map((r) => r.name).join(', ')} answered differently from the raw tables (details above).\n`,
      );
    }
  }
  console.log(out.join('\n'));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
