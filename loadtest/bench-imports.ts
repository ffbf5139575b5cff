// `npm run bench:imports [-- --products N --sales N --memory N,N --profile DIR]`: how fast
// the CSV import job lands reference rows in Postgres and sale lines on the validated topic,
// whether the sink keeps up with an import, and the job's peak memory as files grow. Files
// come from `npm run generate -- --csv` (generator/csv/), in a temporary folder removed after;
// each import runs as production runs it, `main.ts import KIND FILE` in a process of its own,
// against an isolated pipeline (its own Postgres and ClickHouse databases and topics, set up
// and torn down like testkit/pipeline-harness.ts).
// A benchmark reports; it never fails: the exit code is 0 whatever it measured.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { writeCsvFiles, type CsvKind } from '../generator/index.js';
import { MIN_PRODUCT_ROWS } from '../generator/csv/reference-records.js';
import { createClickHouse } from '../lib/clickhouse/client.js';
import { createKafka } from '../lib/kafka/client.js';
import { benchStack } from './bench/stack.js';
import { cpuSince, cpuSnapshot, fmt, say } from './bench/util.js';
import { runImportJob, type JobRun } from './bench-imports/job-process.js';
import { postgresCpu } from './bench-imports/postgres-cpu.js';
import { topFunctions } from './bench-imports/profile-summary.js';
import { GOALS, mib, printReport, seconds, type Row } from './bench-imports/report.js';
import { groupJoined, salesRows, watchRows } from './bench-imports/sink-watch.js';

const { values: opts } = parseArgs({
  options: {
    products: { type: 'string', default: '1000000' },
    sales: { type: 'string', default: '1000000' },
    // Sizes at which the job's peak memory is compared, for both kinds ('' for none).
    memory: { type: 'string', default: '1000000,10000000' },
    profile: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
const count = (raw: string) => Number(raw.replaceAll('_', ''));
const PRODUCTS = Math.max(MIN_PRODUCT_ROWS, count(opts.products));
const SALES = count(opts.sales);
const MEMORY = opts.memory
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(count);
const SEED = count(opts.seed);
const PROFILE = opts.profile ? path.resolve(opts.profile) : undefined;

// Module-level, so a run that fails half-way still reports what it measured.
const rows: Row[] = [];

/** One import's figures, from its process and its row in `imports`. */
interface Measured {
  readonly kind: 'products' | 'sales';
  readonly rows: number;
  readonly run: JobRun;
  /** From the import's record (after the file's hash) to the process's exit. */
  readonly jobMs: number;
  /** Process start, connections and the file's sha256, before the import is recorded. */
  readonly beforeMs: number;
  readonly failed: number;
  readonly postgresCpuSeconds: number;
}

async function bench(): Promise<void> {
  await benchStack();
  const { createPipeline } = await import('../testkit/pipeline-harness.js');
  const { testLogger } = await import('../testkit/resources.js');
  const { spawnStockflow, stopChild } = await import('../testkit/stockflow-process.js');
  const { getImport } = await import('../ingest/imports/import-store.js');
  const p = await createPipeline();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stockflow-bench-imports-'));
  const clickhouse = createClickHouse({ url: p.config.clickhouseUrl });
  const admin = createKafka({
    brokers: p.config.kafkaBrokers,
    clientId: 'bench-imports',
    logger: testLogger,
  }).admin();
  await admin.connect();
  const children: ChildProcess[] = [];
  say(
    `isolated pipeline: database ${new URL(p.env.DATABASE_URL ?? '').pathname.slice(1)}, sales topic ${p.sales.validated}, ClickHouse ${p.env.CLICKHOUSE_DATABASE}; files in ${dir}`,
  );

  /** Writes the one file of `kind` with `n` rows (products: rows of products.csv). */
  const generate = async (kind: 'products' | 'sales', n: number): Promise<string> => {
    const written = await writeCsvFiles({
      dir: path.join(dir, `${kind}-${n}`),
      seed: SEED,
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2026-01-01T00:00:00Z'),
      movements: 0,
      sales: kind === 'sales' ? n : 0,
      products: kind === 'products' ? Math.max(n, MIN_PRODUCT_ROWS) : MIN_PRODUCT_ROWS,
      outOfOrder: 0,
      losses: 0,
      kinds: [kind satisfies CsvKind],
    });
    say(`generated ${kind}.csv, ${fmt(n)} rows, in ${seconds(written.elapsedMs)} (${fmt(written.rowsPerSecond)} rows/s)`); // prettier-ignore
    return written.files[0]!.path;
  };

  /** Imports the file in a process of its own; a products import starts from an empty table. */
  const measure = async (kind: 'products' | 'sales', file: string, n: number) => {
    if (kind === 'products') await p.runtime.pool.query('TRUNCATE products');
    say(`importing ${fmt(n)} ${kind} rows: main.ts import ${kind} ${path.basename(file)}`);
    const pg = postgresCpu();
    const run = await runImportJob(kind, file, p.env, PROFILE);
    const postgresCpuSeconds = pg.stop();
    const record = run.importId === undefined ? undefined : await getImport(p.runtime.pool, run.importId); // prettier-ignore
    if (run.exitCode !== 0 || record?.status !== 'succeeded') {
      throw new Error(`the ${kind} import failed (exit ${run.exitCode}):\n${run.output}`);
    }
    const recordedAt = Date.parse(record.created_at);
    const m: Measured = {
      kind,
      rows: record.rows_read,
      run,
      jobMs: run.exitedAt - recordedAt,
      beforeMs: recordedAt - run.spawnedAt,
      failed: record.rows_failed,
      postgresCpuSeconds,
    };
    say(`${kind}: ${fmt(m.rows)} rows in ${seconds(m.jobMs)}, peak RSS ${mib(run.maxRssKb)}`);
    if (run.profile) for (const line of topFunctions(run.profile)) console.log(`    ${line}`);
    return m;
  };

  const perRow = (m: Measured): string => {
    const job = m.run.cpuUs === undefined ? '?' : (m.run.cpuUs / m.rows).toFixed(1);
    return `job ${job} µs, Postgres ${((m.postgresCpuSeconds * 1e6) / m.rows).toFixed(1)} µs`;
  };
  const rate = (m: Measured) => m.rows / (m.jobMs / 1000);
  const marginalCpu = (m: Measured, base: Measured | undefined): string => {
    if (m.run.cpuUs === undefined || base?.run.cpuUs === undefined) return 'unknown';
    return `${((m.run.cpuUs - base.run.cpuUs) / (m.rows - base.rows)).toFixed(1)} µs`;
  };
  const memory = new Map<string, Measured>();
  const remember = (m: Measured) => memory.set(`${m.kind} ${m.rows}`, m);

  try {
    // (a) Reference data: products into Postgres.
    let file = await generate('products', PRODUCTS);
    const products = await measure('products', file, PRODUCTS);
    rmSync(file);
    remember(products);
    rows.push(
      {
        measure: `products → Postgres (${fmt(PRODUCTS)} rows)`,
        result: `${fmt(rate(products))} rows/s (${seconds(products.jobMs)}; + ${seconds(products.beforeMs)} process start and file hash)`,
        goal: `≥ ${fmt(GOALS.referencePerSec)} rows/s`,
        pass: rate(products) >= GOALS.referencePerSec && products.failed === 0,
      },
      { measure: 'products CPU per row (whole process)', result: perRow(products) },
    );

    // (b) Sales onto the validated topic, a sink running alongside as in production.
    file = await generate('sales', SALES);
    say('starting one sink (main.ts sink)');
    const sink = spawnStockflow(['sink'], { ...p.env, PORT: '0', LOG_LEVEL: 'warn' }, 'ignore');
    children.push(sink);
    const joined = await groupJoined(admin, `${p.config.kafkaGroupId}.sink`);
    if (joined === undefined) throw new Error('the sink did not join its consumer group');
    const inClickHouse = salesRows(clickhouse, p.config.clickhouseDatabase);
    const watch = watchRows(inClickHouse, SALES, Math.max(300_000, SALES / 5));
    const cpu0 = cpuSnapshot();
    const sales = await measure('sales', file, SALES);
    const atJobEnd = watch.latest();
    const allIn = await watch.done;
    const cpu = cpuSince(cpu0);
    await stopChild(sink, 'SIGTERM');
    rmSync(file);
    remember(sales);
    const epoch = (t: number) => performance.timeOrigin + t;
    const first = watch.first();
    rows.push(
      {
        measure: `sales → validated topic (${fmt(SALES)} lines)`,
        result: `${fmt(rate(sales))} rows/s (${seconds(sales.jobMs)}; + ${seconds(sales.beforeMs)} process start and file hash)`,
        goal: `≥ ${fmt(GOALS.salesPerSec)} rows/s`,
        pass: rate(sales) >= GOALS.salesPerSec && sales.failed === 0,
      },
      { measure: 'sales CPU per row (whole process)', result: perRow(sales) },
      {
        measure: 'sink: lines in ClickHouse when the job ended',
        result: `${fmt(atJobEnd)} of ${fmt(SALES)} (${((100 * atJobEnd) / Math.max(1, SALES)).toFixed(0)}%)`,
      },
      allIn === undefined || first === undefined
        ? { measure: 'sink: every line in ClickHouse', result: 'timed out', pass: false }
        : {
            measure: 'sink: every line in ClickHouse',
            result: `${seconds(epoch(allIn) - sales.run.exitedAt)} after the job ended; ${fmt(SALES / ((allIn - first) / 1000))} rows/s from its first row to its last (paced by the job)`,
          },
      {
        measure: 'CPU during the sales import and sink',
        result: `ClickHouse ${cpu.clickhouse.toFixed(1)} s, Kafka ${cpu.kafka.toFixed(1)} s, the job ${((sales.run.cpuUs ?? 0) / 1e6).toFixed(1)} s, others (sink, Postgres, …) ${cpu.others.toFixed(1)} s over ${cpu.seconds.toFixed(1)} s`,
      },
    );

    // (c) Peak memory of the job as the file grows: a tiny file, then each size asked for.
    for (const kind of ['products', 'sales'] as const) {
      for (const n of [kind === 'products' ? MIN_PRODUCT_ROWS : 1_000, ...MEMORY]) {
        if (memory.has(`${kind} ${n}`)) continue;
        const f = await generate(kind, n);
        remember(await measure(kind, f, n));
        rmSync(f);
      }
      const runs = [...memory.values()].filter((m) => m.kind === kind).sort((a, b) => a.rows - b.rows); // prettier-ignore
      rows.push({
        measure: `${kind}: job peak RSS by file size`,
        result: runs.map((m) => `${fmt(m.rows)} rows ${mib(m.run.maxRssKb)}`).join('; '),
      });
      rows.push({
        measure: `${kind}: job rows/s by file size`,
        result: runs.map((m) => `${fmt(m.rows)} rows ${fmt(rate(m))}/s`).join('; '),
      });
      // Above the tiny file's: the process's start-up (tsx compiling the modules) taken out.
      const tiny = runs[0];
      rows.push({
        measure: `${kind}: job CPU per row beyond the tiny file's`,
        result: runs
          .slice(1)
          .map((m) => `${fmt(m.rows)} rows ${marginalCpu(m, tiny)}`)
          .join('; '),
      });
    }
  } finally {
    say('cleaning up');
    // The files first: they are the largest leftover, and the pipeline's teardown may fail.
    rmSync(dir, { recursive: true, force: true });
    for (const child of children) if (child.exitCode === null) child.kill();
    await admin.disconnect().catch(() => undefined);
    await clickhouse.close().catch(() => undefined);
    await p.close();
  }
}

const loadBefore = os.loadavg();
void bench()
  .catch((err: unknown) => console.error('[bench] failed:', err))
  .then(() => printReport(rows, loadBefore, { products: PRODUCTS, sales: SALES, memory: MEMORY }))
  // Benchmarks report, they don't fail CI; kafkajs timers would keep the process alive.
  .finally(() => process.exit(0));
