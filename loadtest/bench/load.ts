// Phase 2 of the analytics benchmark: the endpoint data set straight into the raw tables (the
// materialized views fill themselves on every insert), TabSeparated in blocks of 200k lines.
import { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import type { RefresherDeps } from '../../processors/sink/refresher.js';
import { refreshRepeatFlags } from '../../processors/sink/repeat-flags.js';
import { refreshSellerOrderDays } from '../../processors/sink/seller-order-days.js';
import { ch, sql } from '../../lib/clickhouse/sql.js';
import {
  movementChangesTsv,
  SALES_COLUMNS,
  SalesGenerator,
  salesTsv,
  stockChangesTsv,
} from './data.js';
import { cpuSince, cpuSnapshot, fmt, now, say, until, type CpuUse } from './util.js';

export const BLOCK = 200_000;
/** Changes per (warehouse, product): 20 × 500 keys × 30 = 300k stock changes. */
const STOCK_CHANGES_PER_KEY = 30;
const MOVEMENTS = 100_000;
/** Bump when the generated data changes: `--keep` then reloads instead of reusing stale data. */
export const DATA_VERSION = 'sales-v1/stock-v1/movements-v1';

export interface LoadResult {
  readonly salesRows: number;
  readonly salesSeconds: number;
  readonly stockRows: number;
  readonly movementRows: number;
  /** Waiting for background merges to settle after the load. */
  readonly mergeSeconds: number;
  /** Who used the CPU while the sale lines were loaded. */
  readonly cpu: CpuUse;
}

async function insertTsv(
  client: ClickHouseClient,
  table: string,
  body: Buffer,
  columns?: readonly string[],
): Promise<void> {
  await client.insert({
    table,
    ...(columns ? { columns: [columns[0]!, ...columns.slice(1)] } : {}),
    values: Readable.from([body], { objectMode: false }),
    format: 'TabSeparated',
  });
}

/** The next block, generated in slices so the insert in flight keeps streaming meanwhile. */
async function nextBlock(gen: SalesGenerator, count: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let done = 0; done < count;) {
    const n = Math.min(20_000, count - done);
    parts.push(salesTsv(gen, n, 'bench_sales'));
    done += n;
    await yieldToLoop();
  }
  return Buffer.concat(parts);
}

/**
 * Loads `rows` sale lines (generation of block n+1 overlaps the insert of block n), 300k stock
 * changes and 100k movements (~190k movement changes) into `db`, then waits for merges to settle.
 */
export async function loadDataset(
  client: ClickHouseClient,
  db: string,
  rows: number,
): Promise<LoadResult> {
  say(`load: ${fmt(rows)} sale lines into ${db}.sales in blocks of ${fmt(BLOCK)}`);
  const gen = new SalesGenerator(rows);
  const cpu0 = cpuSnapshot();
  const t0 = now();
  let inFlight: Promise<void> | undefined;
  let lastReport = t0;
  for (let done = 0; done < rows;) {
    const n = Math.min(BLOCK, rows - done);
    const block = await nextBlock(gen, n);
    await inFlight;
    inFlight = insertTsv(client, `${db}.sales`, block, SALES_COLUMNS);
    done += n;
    if (now() - lastReport > 10_000 || done === rows) {
      lastReport = now();
      const seconds = (now() - t0) / 1000;
      say(`load: ${fmt(done)} lines sent, ${fmt(done / seconds)} lines/s`);
    }
  }
  await inFlight;
  const cpu = cpuSince(cpu0);
  const salesSeconds = (now() - t0) / 1000;
  say(`load: sales done in ${salesSeconds.toFixed(1)} s (${fmt(rows / salesSeconds)} lines/s)`);

  const stock = stockChangesTsv(STOCK_CHANGES_PER_KEY);
  await insertTsv(client, `${db}.stock_changes`, Buffer.from(stock.tsv, 'latin1'));
  const movements = movementChangesTsv(MOVEMENTS);
  await insertTsv(client, `${db}.movement_changes`, Buffer.from(movements.tsv, 'latin1'));
  say(`load: ${fmt(stock.rows)} stock changes, ${fmt(movements.rows)} movement changes`);

  // Let background merges settle, so the measurement sees the parts a steady server would have.
  const m0 = now();
  await until(
    async () => {
      const r = await client.query({
        query: sql`SELECT count() AS n FROM system.merges WHERE database = ${ch.string(db)}`.text,
        format: 'JSONEachRow',
      });
      return Number((await r.json<{ n: string }>())[0]?.n ?? 0) === 0;
    },
    300_000,
    1_000,
  );
  return {
    salesRows: rows,
    salesSeconds,
    stockRows: stock.rows,
    movementRows: movements.rows,
    mergeSeconds: (now() - m0) / 1000,
    cpu,
  };
}

/** Active parts and rows per table of `db`, for the report. */
export async function tableSizes(
  client: ClickHouseClient,
  db: string,
): Promise<Map<string, { parts: number; rows: number }>> {
  const r = await client.query({
    query: sql`SELECT table, count() AS parts, toString(sum(rows)) AS rows FROM system.parts
      WHERE database = ${ch.string(db)} AND active GROUP BY table ORDER BY table`.text,
    format: 'JSONEachRow',
  });
  const sizes = await r.json<{ table: string; parts: string; rows: string }>();
  return new Map(sizes.map((x) => [x.table, { parts: Number(x.parts), rows: Number(x.rows) }]));
}

/**
 * What the sink would have done after a backlog of the loaded rows: the load writes raw rows as
 * the sink does but not its commit records, so those first; then the sink's refreshers bring the
 * repeat-buyer flags and seller order days up to date.
 */
export async function catchUpAsSink(deps: RefresherDeps) {
  await deps.clickhouse.command({
    query: `INSERT INTO ${deps.database}.sink_commits SELECT topic, partition, max_offset FROM ${deps.database}.sink_positions`,
  });
  let t = now();
  const flags = await refreshRepeatFlags(deps);
  const flagsSeconds = (now() - t) / 1000;
  t = now();
  const days = await refreshSellerOrderDays(deps);
  return { flags, flagsSeconds, days, daysSeconds: (now() - t) / 1000 };
}
