// `npm run loadtest -- <scenario> [--steps 250,500,1000 (default: the scenario's own)] [--step-seconds 10] [--connections 1000]
//   [--warmup-seconds 3] [--out DIR]`: a stepped open-model load of one scenario
// (loadtest/scenarios/), then its report. Each step sends `rate` requests a second, evenly spaced,
// over the same connections; see loadtest/engine/open-model.ts for why it is an open model.
// Writes report.html, <scenario>.svg and results.json to --out (default
// loadtest/results/<scenario>-<time>/, which also makes the chart docs/loadtest/<scenario>.svg);
// prints a row per step. Exits 0 whatever it measured, like the benchmarks; 1 when it could not run.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable } from './bench/util.js';
import { Connections } from './engine/open-model.js';
import type { StepResult } from './engine/types.js';
import { chartSpec, renderSvg } from './report/chart.js';
import { COLUMNS, renderHtml } from './report/html.js';
import { findKnee, KNEE_FACTOR } from './report/knee.js';
import type { RunReport } from './report/types.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Target } from './scenarios/scenario.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const log = (m: string) =>
  console.log(`[loadtest +${process.uptime().toFixed(1)}s] ${m} (load ${os.loadavg()[0]!.toFixed(2)})`); // prettier-ignore

function positive(name: string, text: string, integer = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got "${text}"`);
  return n;
}

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      steps: { type: 'string' },
      'step-seconds': { type: 'string', default: '10' },
      connections: { type: 'string', default: '1000' },
      'warmup-seconds': { type: 'string', default: '3' },
      out: { type: 'string' },
    },
  });
  const names = Object.keys(SCENARIOS).join(', ');
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0)
    throw new Error(`name one scenario: npm run loadtest -- <${names}> [options]`);
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`no scenario "${name}" (there are: ${names})`);
  const steps = values.steps?.split(',').map((s) => positive('steps', s.trim()));
  return {
    name,
    scenario,
    steps,
    stepSeconds: positive('step-seconds', values['step-seconds']),
    connections: positive('connections', values.connections, true),
    warmupSeconds: Number(values['warmup-seconds']),
    out: values.out,
  };
}

/** The default steps of a scenario that names none. */
const DEFAULT_STEPS = [250, 500, 1000, 1500, 2000, 3000];

async function main(): Promise<void> {
  const { steps: asked, ...given } = options();
  const scenario = await given.scenario();
  // Lowest rate first: the knee is where latency leaves the floor the lower rates set.
  const rates = [...new Set(asked ?? scenario.defaultSteps ?? DEFAULT_STEPS)].sort((a, b) => a - b);
  const o = { ...given, rates };
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '');
  const out = path.resolve(o.out ?? path.join(HERE, 'results', `${o.name}-${stamp}`));
  let target: Target | undefined;
  process.once('SIGINT', () => {
    log('interrupted: stopping what the scenario started');
    void (target?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  const loadBefore = os.loadavg()[0]!;
  let report: RunReport;
  try {
    target = await scenario.start(log);
    const origin = new URL(target.origin);
    if (!LOOPBACK.has(origin.hostname))
      throw new Error(`only loopback targets are load-tested, not ${origin.hostname}`);
    log(`opening ${o.connections} connections to ${target.origin}`);
    const connections = await Connections.open(target.origin, o.connections, {
      ...(target.probe ? { probe: target.probe } : {}),
    });
    const t = target;
    const request = (i: number) => t.request(i);
    let warmup: StepResult | undefined;
    if (o.warmupSeconds > 0) {
      log(`warming up: ${o.rates[0]}/s for ${o.warmupSeconds} s (not reported)`);
      warmup = await connections.step({ rate: o.rates[0]!, seconds: o.warmupSeconds }, request);
    }
    const startedAt = new Date().toISOString();
    const steps: StepResult[] = [];
    for (const rate of o.rates) {
      log(`step ${steps.length + 1}/${o.rates.length}: ${rate}/s for ${o.stepSeconds} s`);
      const s = await connections.step({ rate, seconds: o.stepSeconds }, request);
      steps.push(s);
      log(
        `  ${s.ok} 2xx, ${s.achieved.toFixed(0)}/s, p50 ${s.p50?.toFixed(1)} p95 ${s.p95?.toFixed(1)} p99 ${s.p99?.toFixed(1)} ms, ` +
          `${s.non2xx} non-2xx, ${s.socketErrors} socket errors`,
      );
    }
    await connections.close();
    const recorded = await target.recorded?.();
    const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim();
    report = {
      scenario: { name: o.name, title: scenario.title, description: scenario.description },
      startedAt,
      connections: o.connections,
      stepSeconds: o.stepSeconds,
      warmupSeconds: o.warmupSeconds,
      machine: `${cpu ?? os.arch()}, ${os.cpus().length} cores, Node ${process.version} · 1-min load ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`,
      steps,
      ...(warmup ? { warmup } : {}),
      ...(recorded ? { recorded } : {}),
    };
  } finally {
    await target?.close();
  }

  const svg = await renderSvg(chartSpec(report));
  mkdirSync(out, { recursive: true });
  const chart = path.join(out, `${o.name}.svg`);
  writeFileSync(chart, svg);
  writeFileSync(path.join(out, 'report.html'), renderHtml(report, svg));
  writeFileSync(
    path.join(out, 'results.json'),
    JSON.stringify({ ...report, knee: findKnee(report.steps) ?? null }, null, 2),
  );
  if (o.out === undefined) {
    const docs = path.join(HERE, '..', 'docs', 'loadtest', `${o.name}.svg`);
    mkdirSync(path.dirname(docs), { recursive: true });
    copyFileSync(chart, docs);
    log(`chart kept as ${path.relative(process.cwd(), docs)}`);
  }
  console.log(
    '\n' +
      markdownTable(
        ['step', ...COLUMNS.map(([h]) => h)],
        report.steps.map((s, i) => [String(i + 1), ...COLUMNS.map(([, cell]) => cell(s))]),
      ),
  );
  const knee = findKnee(report.steps);
  log(
    knee
      ? `knee: step ${knee.index + 1} at ${knee.offered}/s (p99 ${knee.p99?.toFixed(1) ?? 'none'} ms > ${KNEE_FACTOR}× ${knee.floor.toFixed(1)} ms)`
      : `no knee: p99 stayed within ${KNEE_FACTOR}× its floor`,
  );
  if (report.recorded)
    log(
      `${report.recorded.what}: ${report.recorded.count} (2xx answers: ${report.steps.reduce((n, s) => n + s.ok, report.warmup?.ok ?? 0)}, warm-up included)`,
    );
  log(`report: ${path.join(out, 'report.html')}`);
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(`[loadtest] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
