// `npm run generate -- --movements N --sales N [--seed S] [--rate R] [--dry-run] ...`:
// realistic warehouse movements and sale lines, published to the raw topics
// (or, with --dry-run, printed as NDJSON; with --csv DIR, written as the CSV
// files of every import kind). See `--help`.
import { parseArgs } from 'node:util';
import { destination, pino } from 'pino';
import { loadConfig, type Config } from '../lib/config.js';
import { createKafka } from '../lib/kafka/client.js';
import type { GenerateOptions, Summary } from './index.js';
import {
  checkOptions,
  defaultOptions,
  formatCsvSummary,
  formatSummary,
  ndjsonSink,
  publishToKafka,
  runGeneration,
  streamProgress,
  writeCsvFiles,
} from './index.js';
import { MIN_PRODUCT_ROWS } from './csv/reference-records.js';

const HELP = `Usage: npm run generate -- [options]

Publishes realistic warehouse movements (CloudEvents JSON, seed 001) and sale
lines (seed 003) to the raw Kafka topics, creating them if missing; or, with
--csv DIR, writes them and the world they happen in as CSV files for
\`npm run import\`.

  --movements N      movements, each a departure and its arrival, after one stock
                     count per warehouse×product used          (default 10000)
  --sales N          sale lines, in orders of 1–5 lines          (default 10000)
  --seed S           same seed and period → byte-identical output  (default 1)
  --from ISO         start of the simulated period    (default: 90 days before --to)
  --to ISO           end of the simulated period      (default: today, 00:00 UTC)
  --rate R           events per second, overall      (default: as fast as possible)
  --malformed F      share of messages broken on purpose            (default 0.01)
  --duplicates F     share of messages published a second time      (default 0.02)
  --out-of-order F   share of movements whose arrival comes first   (default 0.1)
  --losses F         share of arrivals with units lost in transit   (default 0.05)
  --batch N          messages per Kafka batch                        (default 2000)
  --dry-run          print NDJSON {"topic","key","value"} to stdout instead of Kafka
  --csv DIR          instead of Kafka, write DIR/countries.csv, warehouses.csv,
                     products.csv, stock_counts.csv, movements.csv and sales.csv:
                     the seed's world (its countries, warehouses and products, each
                     product under its movement UUID and its sale id) and its
                     events, every row valid (no --malformed or --duplicates);
                     importable as they are, in that order
  --products N       with --csv: rows of products.csv, at least the world's
                     ${MIN_PRODUCT_ROWS}; rows beyond those are catalogue products that
                     nothing sells or moves                         (default ${MIN_PRODUCT_ROWS})
  -h, --help         this help

Topics: KAFKA_TOPIC (movements) and KAFKA_SALES_TOPIC (sales, default "sales").
Files, e.g.: npm run generate -- --csv /tmp/stockflow-csv --sales 1000000 --products 1000000`;

class UsageError extends Error {}

function number(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replaceAll('_', ''));
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

function date(raw: string | undefined, name: string, fallback: Date): Date {
  if (raw === undefined) return fallback;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`--${name} must be an ISO date, got "${raw}"`);
  return d;
}

function parse(config: Config, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      movements: { type: 'string' },
      sales: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      rate: { type: 'string' },
      malformed: { type: 'string' },
      duplicates: { type: 'string' },
      'out-of-order': { type: 'string' },
      losses: { type: 'string' },
      batch: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      csv: { type: 'string' },
      products: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const d = defaultOptions(config);
  const to = date(values.to, 'to', d.to);
  const from = date(
    values.from,
    'from',
    new Date(to.getTime() - (d.to.getTime() - d.from.getTime())),
  );
  const options: GenerateOptions = {
    ...d,
    movements: number(values.movements, 'movements', d.movements),
    sales: number(values.sales, 'sales', d.sales),
    seed: number(values.seed, 'seed', d.seed),
    from,
    to,
    malformed: number(values.malformed, 'malformed', d.malformed),
    duplicates: number(values.duplicates, 'duplicates', d.duplicates),
    outOfOrder: number(values['out-of-order'], 'out-of-order', d.outOfOrder),
    losses: number(values.losses, 'losses', d.losses),
  };
  try {
    checkOptions(options);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const rate = values.rate === undefined ? undefined : number(values.rate, 'rate', 0);
  if (rate !== undefined && !(rate > 0))
    throw new UsageError(`--rate must be above 0, got ${rate}`);
  const batchSize = number(values.batch, 'batch', 2_000);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new UsageError(`--batch must be an integer from 1 to 100000, got ${batchSize}`);
  }
  const csv = values.csv;
  if (csv !== undefined) {
    if (csv.trim() === '') throw new UsageError('--csv needs a directory');
    // A file holds only valid rows, written as fast as the disk takes them.
    const kafkaOnly = ['dry-run', 'rate', 'malformed', 'duplicates', 'batch'] as const;
    const given = kafkaOnly.filter((k) => values[k] !== undefined && values[k] !== false);
    if (given.length > 0) {
      throw new UsageError(
        `--csv writes files, so these options for Kafka do not apply: ${given.map((k) => `--${k}`).join(', ')}`,
      );
    }
  } else if (values.products !== undefined) {
    throw new UsageError('--products sizes products.csv: it needs --csv DIR');
  }
  const products = number(values.products, 'products', MIN_PRODUCT_ROWS);
  if (!Number.isSafeInteger(products) || products < MIN_PRODUCT_ROWS) {
    throw new UsageError(
      `--products must be an integer of at least ${MIN_PRODUCT_ROWS} (the world's own products), got ${products}`,
    );
  }
  return {
    options,
    rate,
    batchSize,
    dryRun: values['dry-run'],
    csv,
    products,
    help: values.help,
  };
}

async function main(): Promise<number> {
  const config = loadConfig();
  let args: ReturnType<typeof parse>;
  try {
    args = parse(config, process.argv.slice(2));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message}\n\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (args.csv !== undefined) {
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    const summary = await writeCsvFiles({
      ...args.options,
      dir: args.csv,
      products: args.products,
      progress: streamProgress(process.stderr),
      signal: stop.signal,
    });
    process.stdout.write(`${formatCsvSummary(summary)}\n`);
    return summary.interrupted ? 130 : 0;
  }
  // Logs and progress go to stderr: with --dry-run, stdout is the data.
  const logger = pino(
    {
      level: config.logLevel,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination(2),
  );
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after the batch in flight (again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const common = {
    ...args.options,
    ...(args.rate === undefined ? {} : { rate: args.rate }),
    batchSize: args.batchSize,
    progress: streamProgress(process.stderr),
    signal: stop.signal,
  };
  let summary: Summary;
  if (args.dryRun) {
    summary = await runGeneration({ ...common, sink: ndjsonSink(process.stdout), dryRun: true });
  } else {
    const kafka = createKafka({
      brokers: config.kafkaBrokers,
      clientId: `${config.kafkaClientId}.generate`,
      logger,
    });
    summary = await publishToKafka({ ...common, kafka, partitions: config.kafkaPartitions });
  }
  (args.dryRun ? process.stderr : process.stdout).write(`${formatSummary(summary)}\n`);
  return summary.interrupted ? 130 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`generate failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
