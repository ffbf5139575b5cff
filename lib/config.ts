import { ConfigError } from './errors.js';

// One frozen object, built once at start-up from environment variables. Every
// setting is declared here with its parser, default and meaning; README's
// configuration table is printed from this list (`npm run config:doc`).

type Parser<T> = (raw: string, name: string) => T;

interface Setting<T> {
  readonly env: string;
  readonly parse: Parser<T>;
  readonly default: string;
  readonly doc: string;
}

function setting<T>(env: string, parse: Parser<T>, def: string, doc: string): Setting<T> {
  return { env, parse, default: def, doc };
}

const fail = (name: string, message: string): never => {
  throw new ConfigError(`${name} ${message}`);
};

const text: Parser<string> = (raw, name) =>
  raw.trim() === '' ? fail(name, 'must not be empty') : raw.trim();

const int =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      return fail(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };

const oneOf =
  <const T extends string>(...values: T[]): Parser<T> =>
  (raw, name) =>
    (values as string[]).includes(raw.trim())
      ? (raw.trim() as T)
      : fail(name, `must be one of ${values.join(', ')}, got "${raw}"`);

const bool: Parser<boolean> = (raw, name) =>
  raw.trim() === 'true'
    ? true
    : raw.trim() === 'false'
      ? false
      : fail(name, `must be true or false, got "${raw}"`);

const url =
  (...protocols: string[]): Parser<string> =>
  (raw, name) => {
    let parsed: URL;
    try {
      parsed = new URL(raw.trim());
    } catch {
      return fail(name, `must be a URL (${protocols.join(' or ')}), got "${raw}"`);
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      return fail(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return raw.trim().replace(/\/+$/, '');
  };

const brokers: Parser<readonly string[]> = (raw, name) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) return fail(name, 'must list at least one host:port');
  for (const b of list) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b)) fail(name, `has "${b}", expected host:port`);
  }
  return Object.freeze(list);
};

// The shape only; the job queue's own parser checks each field's range when the schedule starts.
const cronOrOff: Parser<string> = (raw, name) =>
  raw.trim() === 'off' || /^[0-9*,/-]+( [0-9*,/-]+){4}$/.test(raw.trim().replace(/\s+/g, ' '))
    ? raw.trim().replace(/\s+/g, ' ')
    : fail(name, `must be a cron line of five fields (e.g. "0 2 * * *") or off, got "${raw}"`);

const topicName: Parser<string> = (raw, name) =>
  /^[A-Za-z0-9._-]{1,200}$/.test(raw.trim())
    ? raw.trim()
    : fail(name, `must be a Kafka topic name ([A-Za-z0-9._-]), got "${raw}"`);

const identifier: Parser<string> = (raw, name) =>
  /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(raw.trim())
    ? raw.trim()
    : fail(name, `must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got "${raw}"`);

export const settings = {
  host: setting('HOST', text, '127.0.0.1', 'Interface the HTTP API listens on.'),
  port: setting('PORT', int(0, 65535), '8000', 'Port of the HTTP API (`0` picks a free one).'),
  logLevel: setting(
    'LOG_LEVEL',
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    'info',
    'pino log level.',
  ),
  logFormat: setting(
    'LOG_FORMAT',
    oneOf('auto', 'json', 'pretty'),
    'auto',
    '`auto`: pretty in a terminal, JSON otherwise.',
  ),
  validateResponses: setting(
    'API_VALIDATE_RESPONSES',
    bool,
    'true',
    'Check every JSON answer against the OpenAPI document (a wrong one becomes a 500): on in development and tests, off in production (docker-compose.yml), where a wrong answer is better served than refused.',
  ),
  slowRequestMs: setting(
    'LOG_SLOW_REQUEST_MS',
    int(1, 3_600_000),
    '1000',
    'Requests slower than this are logged at warn; others at debug, 5xx answers at error.',
  ),
  kafkaBrokers: setting(
    'KAFKA_BOOTSTRAP_SERVERS',
    brokers,
    '127.0.0.1:9092',
    'Comma-separated Kafka brokers. Setting it marks Kafka as external: `stack:up` leaves it alone.',
  ),
  kafkaClientId: setting('KAFKA_CLIENT_ID', text, 'stockflow', 'Kafka client id prefix.'),
  kafkaTopic: setting(
    'KAFKA_TOPIC',
    topicName,
    'warehouse_movements',
    'Raw topic upstream warehouses produce CloudEvents JSON to.',
  ),
  kafkaSalesTopic: setting(
    'KAFKA_SALES_TOPIC',
    topicName,
    'sales',
    'Raw topic upstream systems produce sale lines (seed 003 JSON) to.',
  ),
  kafkaOrdersTopic: setting(
    'KAFKA_ORDERS_TOPIC',
    topicName,
    'orders',
    'Raw topic upstream systems produce orders (seed 004 JSON) to; its derived topics carry accepted orders and their changes.',
  ),
  orderBatchSize: setting(
    'ORDER_BATCH_SIZE',
    int(1, 10_000),
    '5000',
    'Most orders the `orders` role prices and reserves in one Postgres transaction. Larger chunks settle a backlog faster (500: about 2,600 orders/s, 5,000: about 6,200 on the benchmark machine) but hold the stock rows they take longer, which movements of those products wait for.',
  ),
  ordersMaxInFlight: setting(
    'ORDERS_MAX_IN_FLIGHT',
    int(1, 100_000),
    '4000',
    'POST /orders requests one process takes at once; beyond it they get 503 with Retry-After (back-pressure).',
  ),
  orderIdempotencyHours: setting(
    'ORDER_IDEMPOTENCY_HOURS',
    int(24, 24 * 365),
    '24',
    'How long an Idempotency-Key of POST /orders is remembered (at least 24 hours).',
  ),
  kafkaGroupId: setting(
    'KAFKA_GROUP_ID',
    text,
    'stockflow',
    'Consumer group prefix; each role appends its own suffix (`.ingest`, `.process`, ...).',
  ),
  kafkaPartitions: setting(
    'KAFKA_PARTITIONS',
    int(1, 1000),
    '3',
    'Partitions of the topics stockflow creates (existing topics are left as they are).',
  ),
  departureGraceSeconds: setting(
    'DEPARTURE_GRACE_SECONDS',
    int(0, 30 * 86_400),
    '300',
    'How long a departure its sender cannot cover is held, waiting for stock, before it is rejected.',
  ),
  processorBatchSize: setting(
    'PROCESSOR_BATCH_SIZE',
    int(1, 100_000),
    '5000',
    'Most events the processor applies in one Postgres transaction.',
  ),
  schemaRegistryUrl: setting(
    'SCHEMA_REGISTRY_URL',
    url('http', 'https'),
    'http://127.0.0.1:8081/apis/ccompat/v7',
    'Confluent-compatible schema registry API. Setting it marks the registry as external.',
  ),
  databaseUrl: setting(
    'DATABASE_URL',
    url('postgres', 'postgresql'),
    'postgres://stockflow:stockflow@127.0.0.1:5432/stockflow',
    'PostgreSQL connection URL. Setting it marks Postgres as external.',
  ),
  databasePoolSize: setting(
    'DATABASE_POOL_SIZE',
    int(1, 200),
    '10',
    'Postgres pool size per process.',
  ),
  clickhouseUrl: setting(
    'CLICKHOUSE_URL',
    url('http', 'https'),
    'http://127.0.0.1:8123',
    'ClickHouse HTTP URL (user and password may be given in it). Setting it marks ClickHouse as external.',
  ),
  clickhouseDatabase: setting(
    'CLICKHOUSE_DATABASE',
    identifier,
    'stockflow',
    'ClickHouse database stockflow owns.',
  ),
  clickhouseInsertRows: setting(
    'CLICKHOUSE_INSERT_ROWS',
    int(1_000, 1_000_000),
    '400000',
    'Most rows the sink sends in one INSERT (one block for the views); a larger batch goes in several, in offset order.',
  ),
  sinkFetchBytes: setting(
    'SINK_FETCH_BYTES',
    int(1_048_576, 268_435_456),
    '33554432',
    "Most bytes of one partition the sink fetches at once, so a batch's size (one INSERT each). A fetch takes at most this times KAFKA_PARTITIONS, and the broker caps it at its fetch.max.bytes (55 MiB by default), so one fetch may carry only some partitions' batches; the sink holds up to two fetches' batches in memory, at about three times their bytes.",
  ),
  importInboxDir: setting(
    'IMPORT_INBOX_DIR',
    text,
    'inbox',
    'Folder of files to import: `POST /imports` takes paths inside it only, `POST /trigger-job` imports what is new there.',
  ),
  importSchedule: setting(
    'IMPORT_SCHEDULE',
    cronOrOff,
    '0 2 * * *',
    'When the daily import job runs: a cron line (minute hour day month weekday, UTC), or `off`. A tick missed while no process ran is caught up at start-up, within a day.',
  ),
  cacheTtlSeconds: setting(
    'CACHE_TTL',
    int(0, 86_400),
    '60',
    'Upper bound on API cache entry age, seconds.',
  ),
  shutdownTimeoutMs: setting(
    'SHUTDOWN_TIMEOUT_MS',
    int(1_000, 600_000),
    '15000',
    'How long SIGTERM waits for in-flight work to drain before exiting.',
  ),
  demoData: setting(
    'DEMO_DATA',
    oneOf('auto', 'off'),
    'auto',
    '`auto`: `npm start` publishes a small demo dataset when stockflow holds no data yet; `off`: never.',
  ),
  prometheusUrl: setting(
    'PROMETHEUS_URL',
    url('http', 'https'),
    'http://127.0.0.1:9090',
    "Prometheus that scrapes stockflow. Setting it marks Prometheus as external: `stack:up` starts neither Prometheus nor the stack's exporters (Postgres).",
  ),
  stackDir: setting(
    'STOCKFLOW_STACK_DIR',
    text,
    '.stack',
    'Where the local stack keeps binaries, data and logs (relative to the project).',
  ),
  localStack: setting(
    'STOCKFLOW_LOCAL_STACK',
    oneOf('auto', 'off'),
    'auto',
    '`auto`: `npm start` and tests start the local components whose URL is not set; `off`: never.',
  ),
} as const;

type Settings = typeof settings;
type SettingValue<S> = S extends Setting<infer T> ? T : never;

/** Which components the project runs itself, because no external address was given. */
export interface LocalComponents {
  readonly kafka: boolean;
  readonly registry: boolean;
  readonly postgres: boolean;
  readonly clickhouse: boolean;
  /** Prometheus and the exporters only it scrapes (Postgres'). */
  readonly prometheus: boolean;
}

export type Config = { readonly [K in keyof Settings]: SettingValue<Settings[K]> } & {
  readonly local: LocalComponents;
};

const OWNED_PREFIXES = [
  'KAFKA_',
  'SCHEMA_REGISTRY_',
  'DATABASE_',
  'CLICKHOUSE_',
  'STOCKFLOW_',
  'IMPORT_',
  'API_',
];

function suggest(name: string, known: readonly string[]): string {
  const common = (a: string, b: string): number => {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  const best = [...known].sort((a, b) => common(b, name) - common(a, name))[0];
  return best ? ` (did you mean ${best}?)` : '';
}

/** Builds the config from `env`; throws one ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const knownNames = Object.values(settings).map((s) => s.env);
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.env];
    try {
      values[key] = s.parse(raw === undefined || raw === '' ? s.default : raw, s.env);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  for (const name of Object.keys(env)) {
    if (OWNED_PREFIXES.some((p) => name.startsWith(p)) && !knownNames.includes(name)) {
      problems.push(`${name} is not a stockflow setting${suggest(name, knownNames)}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`, problems);
  }
  const isSet = (name: string): boolean => env[name] !== undefined && env[name] !== '';
  const localAllowed = values.localStack !== 'off';
  values.local = Object.freeze({
    kafka: localAllowed && !isSet('KAFKA_BOOTSTRAP_SERVERS'),
    registry: localAllowed && !isSet('SCHEMA_REGISTRY_URL'),
    postgres: localAllowed && !isSet('DATABASE_URL'),
    clickhouse: localAllowed && !isSet('CLICKHOUSE_URL'),
    prometheus: localAllowed && !isSet('PROMETHEUS_URL'),
  });
  return Object.freeze(values) as Config;
}

/** Markdown table of every setting, for README. */
export function configTable(): string {
  const rows = Object.values(settings).map((s) => `| \`${s.env}\` | \`${s.default}\` | ${s.doc} |`);
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
