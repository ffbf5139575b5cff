// `npm run loadtest [-- --api URL --movements N]`: k6 against the read API.
// Seeds movements through the raw topic of the stockflow running at --api
// (default http://127.0.0.1:8000), or, when none answers there, of one started
// in this process on an isolated pipeline; runs loadtest/k6/movements-api.js;
// renders loadtest/results/latency.svg from k6's JSON output.
// K6_PROFILE=short gives a 40 s run instead of 2 minutes. Exits with k6's
// exit code (99: a k6 threshold was crossed).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Logger } from '../lib/logger.js';
import type { Pipeline } from '../testkit/pipeline-harness.js';
import { createApp } from '../api/app.js';
import { createRole as apiRole } from '../api/role.js';
import { loadConfig, settings } from '../lib/config.js';
import { createKafka } from '../lib/kafka/client.js';
import { createRegistry } from '../lib/metrics.js';
import { sendAll } from '../lib/kafka/produce-chunked.js';
import { createRuntime } from '../lib/runtime.js';
import { ensureMovementTopics } from '../lib/kafka/topics.js';
import { stackContext, stackUp } from '../stack/manager.js';
import { commandExists } from '../stack/processes.js';
import { movementEvent } from '../testkit/movement-events.js';

const K6_VERSION = 'v1.8.1';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results');
const SCRIPT = path.join(HERE, 'k6', 'movements-api.js');
const WINDOW_S = 5;

const { values: opts } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:8000' },
    movements: { type: 'string', default: '3000' },
  },
});
const say = (m: string) => console.log(`[loadtest] ${m}`);

/** k6 on PATH or in Go's bin directory; built with `go install` when missing. */
function ensureK6(): string {
  const gobin = () => {
    const r = spawnSync('go', ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8' });
    const [bin, gopath] = r.stdout.split('\n');
    return bin || path.join(gopath || path.join(os.homedir(), 'go'), 'bin');
  };
  if (commandExists('k6')) return 'k6';
  if (!commandExists('go'))
    throw new Error('k6 is not installed and Go is missing to build it: install Go 1.24+ first');
  const k6 = path.join(gobin(), 'k6');
  if (existsSync(k6)) return k6;
  say(`installing k6 ${K6_VERSION} with go install (a few minutes the first time) ...`);
  const r = spawnSync('go', ['install', `go.k6.io/k6@${K6_VERSION}`], {
    stdio: 'inherit',
    env: { ...process.env, GOTOOLCHAIN: 'local' },
    timeout: 20 * 60_000,
  });
  if (r.status !== 0 || !existsSync(k6)) throw new Error(`go install go.k6.io/k6 failed`);
  say(`k6 installed at ${k6}`);
  return k6;
}

interface Target {
  readonly url: string;
  readonly brokers: readonly string[];
  readonly rawTopic: string;
  readonly inProcess: boolean;
  close(): Promise<void>;
}

async function isStockflow(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(2_000) });
    const doc = (await res.json()) as { paths?: Record<string, unknown> };
    return res.ok && doc.paths?.['/api/movements/{movement_id}'] !== undefined;
  } catch {
    return false;
  }
}

/** ingest + process + api in this process, on their own topics and databases (the test harness). */
async function startInProcess(port: number): Promise<Target> {
  await stackUp(stackContext(loadConfig(), (m) => say(`[stack] ${m}`)));
  process.env.TEST_LOG_LEVEL ??= 'error';
  const { createPipeline } = await import('../testkit/pipeline-harness.js');
  const { testLogger } = await import('../testkit/resources.js');
  const p = await createPipeline({ DATABASE_POOL_SIZE: settings.databasePoolSize.default });
  const admin = createKafka({
    brokers: p.config.kafkaBrokers,
    clientId: 'lt',
    logger: testLogger,
  }).admin();
  await admin.connect();
  await ensureMovementTopics(admin, p.topics, p.config.kafkaPartitions);
  await admin.disconnect();
  try {
    return await serveInProcess(p, port, testLogger);
  } catch (err) {
    await p.close(); // nothing of a half-started pipeline stays behind
    throw err;
  }
}

async function serveInProcess(p: Pipeline, port: number, logger: Logger): Promise<Target> {
  await p.startRole('ingest');
  await p.startRole('process');
  const rt = createRuntime(p.config, logger, createRegistry());
  const api = await apiRole(rt);
  for (const s of api.services) await s.start();
  const app = createApp({
    logger,
    metrics: rt.metrics,
    checks: rt.checks,
    features: api.features,
  });
  const listen = (at: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = app.listen(at, '127.0.0.1');
      server.once('listening', () => resolve(server));
      server.once('error', reject);
    });
  const server = await listen(port).catch(() => listen(0)); // port taken by something else
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  say(`started stockflow in-process at ${url} (raw topic ${p.topics.raw})`);
  return {
    url,
    brokers: p.config.kafkaBrokers,
    rawTopic: p.topics.raw,
    inProcess: true,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      for (const s of [...api.services].reverse()) await s.stop();
      await rt.close();
      await p.close();
      for (const q of ['', '?permanent=true'])
        await fetch(`${p.config.schemaRegistryUrl}/subjects/${p.topics.validated}-value${q}`, {
          method: 'DELETE',
        }).catch(() => undefined);
    },
  };
}

interface Ids {
  readonly movements: string[];
  readonly stock: { warehouse_id: string; product_id: string }[];
}

/** Runs `check` on every item (a few at a time) until all pass or the time is up. */
async function waitForAll<T>(items: T[], check: (x: T) => Promise<boolean>, what: string) {
  let pending = items;
  const deadline = Date.now() + 180_000;
  while (pending.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`${pending.length} of ${items.length} ${what} never became visible in the API
(is the stockflow at --api consuming the raw topic from this config?)`);
    const still: T[] = [];
    for (let i = 0; i < pending.length; i += 32) {
      const slice = pending.slice(i, i + 32);
      const ok = await Promise.all(slice.map((x) => check(x).catch(() => false)));
      slice.forEach((x, j) => ok[j] || still.push(x));
    }
    pending = still;
    if (pending.length > 0) await sleep(500);
  }
}

/** Stock counts first (and waits for them), then movements with both legs; returns their ids. */
async function seed(target: Target, movements: number): Promise<Ids> {
  const producer = createKafka({
    brokers: target.brokers,
    clientId: 'loadtest-seed',
    logger: pino({ level: 'error' }),
  }).producer();
  await producer.connect();
  const send = (events: object[]) =>
    sendAll(producer, [
      {
        topic: target.rawTopic,
        messages: events.map((e) => ({ key: null, value: JSON.stringify(e) })),
      },
    ]);
  const warehouses = Array.from({ length: 20 }, () => randomUUID());
  const products = Array.from({ length: 50 }, () => randomUUID());
  const stock = warehouses.flatMap((w) =>
    products.map((p) => ({ warehouse_id: w, product_id: p })),
  );
  say(`seeding ${stock.length} stock counts, then ${movements} movements`);
  await send(
    stock.map((s) =>
      movementEvent('inventory', {
        id: randomUUID(),
        movement: randomUUID(),
        warehouse: s.warehouse_id,
        product: s.product_id,
        quantity: 1_000_000,
      }),
    ),
  );
  await waitForAll(
    stock,
    async (s) =>
      (await fetch(`${target.url}/api/warehouses/${s.warehouse_id}/products/${s.product_id}`))
        .status === 200,
    'stock counts',
  );
  const ids = Array.from({ length: movements }, () => randomUUID());
  await send(
    ids.flatMap((movement, i) => {
      const from = warehouses[i % warehouses.length]!;
      const to = warehouses[(i + 1) % warehouses.length]!;
      const product = products[i % products.length]!;
      const quantity = 1 + (i % 20);
      return [
        movementEvent('departure', {
          id: `d-${movement}`,
          movement,
          warehouse: from,
          product,
          quantity,
        }),
        movementEvent('arrival', {
          id: `a-${movement}`,
          movement,
          warehouse: to,
          product,
          quantity,
        }),
      ];
    }),
  );
  await waitForAll(
    ids,
    async (id) => {
      const res = await fetch(`${target.url}/api/movements/${id}`);
      return res.ok && ((await res.json()) as { status: string }).status === 'completed';
    },
    'movements',
  );
  await producer.disconnect();
  return { movements: ids, stock };
}

/**
 * The API's own view (its Prometheus histogram): time inside the server, to
 * tell server-side slowness from queueing in k6, the network or the CPU.
 */
async function serverTime(url: string): Promise<{ sum: number; count: number }> {
  const text = await fetch(`${url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const total = (suffix: string) =>
    text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith(`http_request_duration_seconds_${suffix}{`) && l.includes('route="/api/'),
      )
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { sum: total('sum'), count: total('count') };
}

// --- k6 output → windows and stages -------------------------------------------

interface Sample {
  readonly t: number; // seconds since the first request
  readonly ms: number;
  readonly ok: boolean;
  readonly stage: string;
}

async function readSamples(file: string): Promise<{ samples: Sample[]; dropped: number[] }> {
  const raw: { at: number; ms: number; ok: boolean; stage: string }[] = [];
  const droppedAt: number[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    // Cheap filter first: the file holds a dozen metric points per request.
    const duration = line.includes('"metric":"http_req_duration"');
    if (!duration && !line.includes('"metric":"dropped_iterations"')) continue;
    const point = JSON.parse(line) as {
      type: string;
      data?: { time: string; value: number; tags?: Record<string, string> };
    };
    if (point.type !== 'Point' || !point.data) continue;
    const at = Date.parse(point.data.time) / 1000;
    if (!duration) droppedAt.push(at);
    else {
      const tags = point.data.tags ?? {};
      const ok = tags.expected_response === 'true';
      raw.push({ at, ms: point.data.value, ok, stage: tags.stage ?? '?' });
    }
  }
  // Not Math.min(...): a long run has more samples than a call may take arguments.
  const t0 = raw.reduce((a, r) => Math.min(a, r.at - r.ms / 1000), Infinity);
  return {
    samples: raw.map((r) => ({ t: r.at - t0, ms: r.ms, ok: r.ok, stage: r.stage })),
    dropped: droppedAt.map((at) => at - t0),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

interface Stats {
  readonly count: number;
  readonly failed: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function stats(samples: readonly Sample[]): Stats {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    count: samples.length,
    failed: samples.filter((s) => !s.ok).length,
    p50: quantile(ms, 0.5),
    p95: quantile(ms, 0.95),
    p99: quantile(ms, 0.99),
  };
}

interface Window extends Stats {
  readonly start: number;
  /** The window's length: the last one stops where the run did. */
  readonly seconds: number;
}

function windows(samples: readonly Sample[]): Window[] {
  const groups: Sample[][] = [];
  for (const s of samples) (groups[Math.floor(s.t / WINDOW_S)] ??= []).push(s);
  const last = samples.reduce((a, s) => Math.max(a, s.t), 0);
  return Array.from(groups, (g, i) => ({
    start: i * WINDOW_S,
    seconds: Math.max(0.5, Math.min(WINDOW_S, last - i * WINDOW_S)),
    ...stats(g ?? []),
  }));
}

interface Stage {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

/** `k6 inspect` does not pass the environment to the script: hand over what it reads. */
function k6Env(env: NodeJS.ProcessEnv): string[] {
  return ['IDS_FILE', 'BASE_URL', 'K6_PROFILE'].flatMap((k) =>
    env[k] === undefined ? [] : ['-e', `${k}=${env[k]}`],
  );
}

/** The scenario's stages as k6 itself reads them from the script (`k6 inspect`). */
function stagesOf(k6: string, env: NodeJS.ProcessEnv): Stage[] {
  const r = spawnSync(k6, ['inspect', ...k6Env(env), SCRIPT], { encoding: 'utf8' });
  const scenario = (
    JSON.parse(r.stdout) as {
      scenarios: Record<
        string,
        { startRate: number; stages: { duration: string; target: number }[] }
      >;
    }
  ).scenarios.reads;
  if (!scenario) return [];
  let start = 0;
  let from = scenario.startRate;
  return scenario.stages.map((s) => {
    const seconds = parseInt(s.duration, 10);
    const stage = {
      label: from === s.target ? `hold ${s.target}/s` : `ramp →${s.target}/s`,
      start,
      end: start + seconds,
      from,
      to: s.target,
    };
    start += seconds;
    from = s.target;
    return stage;
  });
}

// --- the chart ------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceStep(max: number, ticks = 5): number {
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  return ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
}

/** Two panels over one time axis: requests/s (with the target rate), then latency percentiles. */
function renderSvg(ws: readonly Window[], stages: readonly Stage[], title: string, note: string) {
  const W = 1000;
  const H = 640;
  const left = 80;
  const right = W - 30;
  const end = Math.max(stages.at(-1)?.end ?? 0, (ws.at(-1)?.start ?? 0) + WINDOW_S);
  const rate = (w: Window, n = w.count) => n / w.seconds;
  const x = (t: number) => left + (t / end) * (right - left);
  const out: string[] = [];
  const text = (px: number, py: number, s: string, attrs = '') =>
    out.push(`<text x="${px.toFixed(1)}" y="${py.toFixed(1)}" ${attrs}>${esc(s)}</text>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  );
  text(left, 26, title, 'font-size="17" font-weight="bold"');
  text(left, 46, note, 'fill="#555"');

  const panel = (top: number, bottom: number, yLabel: string) => {
    // Stage bands: ramps shaded, holds white, so each level reads as one block.
    for (const s of stages)
      if (s.label.startsWith('ramp'))
        out.push(
          `<rect x="${x(s.start).toFixed(1)}" y="${top}" width="${(x(s.end) - x(s.start)).toFixed(1)}" height="${bottom - top}" fill="#f1f1f1"/>`,
        );
    out.push(
      `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#999"/>`,
    );
    text(
      18,
      (top + bottom) / 2,
      yLabel,
      `transform="rotate(-90 18 ${(top + bottom) / 2})" text-anchor="middle" font-size="13"`,
    );
  };
  const hline = (py: number, label: string) => {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#ddd"/>`,
    );
    text(left - 6, py + 4, label, 'text-anchor="end" fill="#444"');
  };
  const polyline = (points: [number, number][], color: string, extra = '') =>
    out.push(
      `<polyline points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2" ${extra}/>`,
    );
  const legend = (px: number, py: number, items: [string, string, string?][]) => {
    let at = px;
    for (const [label, color, dash] of items) {
      out.push(
        `<line x1="${at}" x2="${at + 22}" y1="${py - 4}" y2="${py - 4}" stroke="${color}" stroke-width="${dash === 'bar' ? 8 : 2.5}" ${dash && dash !== 'bar' ? `stroke-dasharray="${dash}"` : ''}/>`,
      );
      text(at + 28, py, label);
      at += 40 + label.length * 6.6;
    }
  };

  // Panel 1: achieved requests/s per window (bars, failures in red) and the target rate.
  const [t1, b1] = [90, 280];
  const rateMax = Math.max(...ws.map((w) => rate(w)), ...stages.map((s) => s.to), 1);
  const rStep = niceStep(rateMax);
  const rTop = Math.ceil(rateMax / rStep) * rStep;
  const y1 = (v: number) => b1 - (v / rTop) * (b1 - t1);
  panel(t1, b1, 'requests / s');
  for (let v = 0; v <= rTop; v += rStep) hline(y1(v), String(v));
  for (const w of ws) {
    const bw = x(w.seconds) - x(0) - 2;
    const ok = rate(w, w.count - w.failed);
    out.push(
      `<rect x="${(x(w.start) + 1).toFixed(1)}" y="${y1(ok).toFixed(1)}" width="${bw.toFixed(1)}" height="${(b1 - y1(ok)).toFixed(1)}" fill="#4e79a7"/>`,
    );
    if (w.failed > 0)
      out.push(
        `<rect x="${(x(w.start) + 1).toFixed(1)}" y="${y1(rate(w)).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y1(ok) - y1(rate(w))).toFixed(1)}" fill="#e15759"/>`,
      );
  }
  polyline(
    stages.flatMap(
      (s) =>
        [
          [x(s.start), y1(s.from)],
          [x(s.end), y1(s.to)],
        ] as [number, number][],
    ),
    '#222',
    'stroke-dasharray="6 4"',
  );
  for (const s of stages)
    if (s.label.startsWith('hold'))
      text(
        (x(s.start) + x(s.end)) / 2,
        t1 + 16,
        `${s.to}/s`,
        // A white halo keeps the label readable over a bar.
        'text-anchor="middle" fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke"',
      );
  legend(left, 76, [
    ['achieved requests/s (5 s windows)', '#4e79a7', 'bar'],
    ['failed requests/s', '#e15759', 'bar'],
    ['target arrival rate', '#222', '6 4'],
  ]);

  // Panel 2: latency percentiles per window; a log scale when they span decades.
  const [t2, b2] = [340, 580];
  const lat = ws.filter((w) => w.count > 0);
  const lo = Math.max(0.1, Math.min(...lat.map((w) => w.p50)));
  const hi = Math.max(...lat.map((w) => w.p99), 1);
  const log = hi / lo > 20;
  let y2: (v: number) => number;
  panel(t2, b2, log ? 'latency (ms, log scale)' : 'latency (ms)');
  if (log) {
    const a = Math.floor(Math.log10(lo));
    const b = Math.ceil(Math.log10(hi));
    y2 = (v) => b2 - ((Math.log10(Math.max(v, 10 ** a)) - a) / (b - a)) * (b2 - t2);
    for (let e = a; e <= b; e++)
      for (const m of [1, 2, 5])
        if (m * 10 ** e <= 10 ** b) hline(y2(m * 10 ** e), String(+(m * 10 ** e).toPrecision(2)));
  } else {
    const step = niceStep(hi);
    const top = Math.ceil(hi / step) * step;
    y2 = (v) => b2 - (v / top) * (b2 - t2);
    for (let v = 0; v <= top; v += step) hline(y2(v), String(+v.toPrecision(3)));
  }
  const series: [keyof Stats, string, string][] = [
    ['p50', '#59a14f', 'p50'],
    ['p95', '#f28e2b', 'p95'],
    ['p99', '#b6174b', 'p99'],
  ];
  for (const [key, color] of series) {
    const pts = lat.map((w) => [x(w.start + w.seconds / 2), y2(w[key])] as [number, number]);
    polyline(pts, color);
    for (const [px, py] of pts)
      out.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2.5" fill="${color}"/>`);
  }
  legend(
    left,
    326,
    series.map(([, color, label]) => [`${label} latency`, color] as [string, string]),
  );

  // Shared time axis.
  const tStep = niceStep(end, 10);
  for (let t = 0; t <= end; t += tStep) {
    out.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${b2}" y2="${b2 + 5}" stroke="#444"/>`,
    );
    text(x(t), b2 + 18, String(t), 'text-anchor="middle" fill="#444"');
  }
  text(
    (left + right) / 2,
    b2 + 40,
    'time since start (s) — shaded: ramping to the next rate',
    'text-anchor="middle" font-size="13"',
  );
  out.push('</svg>');
  return out.join('\n');
}

/** One line per stage: the numbers behind the chart. */
function printStages(stages: readonly Stage[], samples: readonly Sample[], dropped: number[]) {
  console.log('\nstage          | req/s  | p50 ms | p95 ms | p99 ms | errors | dropped');
  for (const s of stages) {
    const st = stats(samples.filter((x) => x.stage === s.label));
    const drops = dropped.filter((t) => t >= s.start && t < s.end).length;
    const cells = [st.count / (s.end - s.start), st.p50, st.p95, st.p99];
    console.log(
      [
        s.label.padEnd(14),
        ...cells.map((c, i) => c.toFixed(i === 0 ? 0 : 1).padStart(6)),
        `${((100 * st.failed) / Math.max(1, st.count)).toFixed(2).padStart(5)}%`,
        drops,
      ].join(' | '),
    );
  }
}

// --- main -------------------------------------------------------------------------

async function main(): Promise<number> {
  const api = new URL(opts.api);
  if (!['127.0.0.1', 'localhost'].includes(api.hostname))
    throw new Error(`only loopback targets are load-tested, not ${api.hostname}`);
  const k6 = ensureK6();
  mkdirSync(RESULTS, { recursive: true });
  const running = await isStockflow(api.origin);
  const config = loadConfig();
  const target: Target = running
    ? {
        url: api.origin,
        brokers: config.kafkaBrokers,
        rawTopic: config.kafkaTopic,
        inProcess: false,
        close: () => Promise.resolve(),
      }
    : await startInProcess(Number(api.port || 80));
  if (running) say(`using the stockflow running at ${target.url} (raw topic ${target.rawTopic})`);
  try {
    const ids = await seed(target, Number(opts.movements));
    const idsFile = path.join(RESULTS, 'ids.json');
    writeFileSync(idsFile, JSON.stringify(ids));
    const json = path.join(RESULTS, 'k6.json');
    const env = {
      ...process.env,
      IDS_FILE: idsFile,
      BASE_URL: target.url,
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_EXPORT: path.join(RESULTS, 'report.html'),
      K6_WEB_DASHBOARD_PORT: '-1',
    };
    say(`running k6 (profile ${process.env.K6_PROFILE ?? 'full'}) against ${target.url}`);
    const serverBefore = await serverTime(target.url);
    // In-process, the API shares this event loop: how long did work wait for it?
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpuBefore = process.cpuUsage();
    // Not spawnSync: the API may be served from this very process's event loop.
    // Without a terminal k6 prints a progress line every second: --quiet keeps the summary only.
    const quiet = process.stdout.isTTY ? [] : ['--quiet'];
    const k6Args = ['run', ...quiet, ...k6Env(env), '--out', `json=${json}`, SCRIPT];
    const child = spawn(k6, k6Args, { stdio: 'inherit', env });
    const killer = setTimeout(() => child.kill(), 15 * 60_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(killer);
    lag.disable();
    const used = process.cpuUsage(cpuBefore);
    const serverAfter = await serverTime(target.url);
    const { samples, dropped } = await readSamples(json);
    const stages = stagesOf(k6, env);
    printStages(stages, samples, dropped);
    const all = stats(samples);
    const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    // Requests still in flight when the last stage ended (k6's graceful stop) are left off the chart.
    const stagesEnd = stages.at(-1)?.end ?? Infinity;
    const svg = renderSvg(
      windows(samples.filter((x) => x.t < stagesEnd)),
      stages,
      `stockflow read API under k6 (${process.env.K6_PROFILE ?? 'full'} profile) — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      `${all.count} requests, ${((100 * all.failed) / Math.max(1, all.count)).toFixed(2)}% failed, p99 ${all.p99.toFixed(0)} ms · 60% GET movement, 30% GET stock, 10% If-None-Match · ${cpu}, ${os.cpus().length} cores, 1-min load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    writeFileSync(path.join(RESULTS, 'latency.svg'), svg);
    const served = serverAfter.count - serverBefore.count;
    say(
      `server side: ${served} /api requests, mean ${((1000 * (serverAfter.sum - serverBefore.sum)) / Math.max(1, served)).toFixed(1)} ms in the handler (k6 saw a mean of ${(samples.reduce((a, x) => a + x.ms, 0) / Math.max(1, samples.length)).toFixed(1)} ms)` +
        (target.inProcess
          ? `; this process: ${((used.user + used.system) / 1000 / Math.max(1, served)).toFixed(2)} ms CPU per request, event-loop delay p50 ${(lag.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms`
          : ''),
    );
    say(`chart: ${path.join(RESULTS, 'latency.svg')}; dashboard: ${env.K6_WEB_DASHBOARD_EXPORT}`);
    return code ?? 1;
  } finally {
    await target.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(`[loadtest] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
