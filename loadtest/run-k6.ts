// `npm run loadtest:k6 [-- --api URL --movements N]`: k6 against the read API.
// Seeds movements through the raw topic of the stockflow running at --api
// (default http://127.0.0.1:8000), or, when none answers there, of one started
// in this process on an isolated pipeline; runs loadtest/k6/movements-api.js;
// renders loadtest/results/latency.svg from k6's JSON output.
// K6_PROFILE=short gives a 40 s run instead of 2 minutes. Exits with k6's
// exit code (99: a k6 threshold was crossed).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.js';
import { renderSvg } from './run-k6/chart.js';
import { ensureK6 } from './run-k6/install.js';
import { say } from './run-k6/log.js';
import { readSamples, stats, windows } from './run-k6/samples.js';
import { seed } from './run-k6/seed.js';
import { k6Env, printStages, stagesOf } from './run-k6/stages.js';
import { isStockflow, serverTime, startInProcess, type Target } from './run-k6/target.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results');
const SCRIPT = path.join(HERE, 'k6', 'movements-api.js');

const { values: opts } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:8000' },
    movements: { type: 'string', default: '3000' },
  },
});

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
    const stages = stagesOf(k6, SCRIPT, env);
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
