import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { KAFKA_PORTS } from '../../stack/components/kafka.js';
import { postgresExporterComponent } from '../../stack/components/postgres-exporter.js';
import {
  ALERT_RULES,
  prometheusComponent,
  prometheusConfigFile,
  writeScrapeTargets,
} from '../../stack/components/prometheus.js';
import { stackContext, startComponent, stopComponent } from '../../stack/manager.js';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { portOpen } from '../../stack/processes.js';
import { freePort, serveStockflow, stopChild } from '../../testkit/stockflow-process.js';

const PROM_DIR = path.join(PROJECT_ROOT, 'deploy', 'prometheus');
const promtool = (...args: string[]) =>
  spawnSync('promtool', args, { cwd: PROM_DIR, encoding: 'utf8', timeout: 60_000 });

/** A stack folder of the test's own, with Prometheus local whatever PROMETHEUS_URL says. */
function privateStack(env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-prom-'));
  const config = loadConfig({
    ...process.env,
    PROMETHEUS_URL: '',
    STOCKFLOW_STACK_DIR: dir,
    ...env,
  });
  return { dir, ctx: stackContext(config, () => {}) };
}

describe('alert rules (promtool)', () => {
  const tests = readdirSync(path.join(PROM_DIR, 'tests'))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => path.join('tests', f));

  it('pass their unit tests: promtool test rules deploy/prometheus/tests/*.yml', () => {
    expect(tests.length).toBeGreaterThan(0);
    const r = promtool('test', 'rules', ...tests);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout.match(/SUCCESS/g)).toHaveLength(tests.length);
  });

  it('every alert and recording rule appears in a unit test', () => {
    const rules = readFileSync(ALERT_RULES, 'utf8');
    const alerts = [...rules.matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
    const records = [...rules.matchAll(/^\s*- record: (\S+)$/gm)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    const text = tests.map((t) => readFileSync(path.join(PROM_DIR, t), 'utf8')).join('\n');
    const tested = new Set([...text.matchAll(/alertname: (\S+)$/gm)].map((m) => m[1]));
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
    // Recording rules are tested by their own expression tests (promql_expr_test).
    const exprs = new Set([...text.matchAll(/- expr: (\S+)$/gm)].map((m) => m[1]));
    expect(records.filter((r) => !exprs.has(r))).toEqual([]);
  });

  it('promtool check config passes on compose’s prometheus.yml and on the local stack’s', async () => {
    const compose = promtool('check', 'config', 'prometheus.yml');
    expect(compose.status, `${compose.stdout}\n${compose.stderr}`).toBe(0);
    expect(compose.stdout).toMatch(/SUCCESS: 1 rule files found/);

    const { dir, ctx } = privateStack();
    try {
      // Writes the generated config (and checks it with promtool itself).
      await prometheusComponent().prepare(ctx);
      const local = spawnSync('promtool', ['check', 'config', prometheusConfigFile(ctx.paths)], {
        encoding: 'utf8',
      });
      expect(local.status, `${local.stdout}\n${local.stderr}`).toBe(0);
      expect(local.stdout).toMatch(/SUCCESS: 1 rule files found/);
      expect(local.stdout).toContain(ALERT_RULES);
      const generated = readFileSync(prometheusConfigFile(ctx.paths), 'utf8');
      expect(generated).toContain('["127.0.0.1:9187"]');
      const targetsDir = path.join(ctx.paths.conf, 'prometheus', 'targets');
      expect(JSON.parse(readFileSync(path.join(targetsDir, 'stockflow.json'), 'utf8'))).toEqual([
        { targets: [`127.0.0.1:${ctx.config.port}`], labels: {} },
      ]);
      expect(readdirSync(targetsDir)).toEqual(['stockflow.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface Target {
  readonly labels: Record<string, string>;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

describe('Prometheus of the local stack (a private one) scraping a stockflow process', () => {
  const { dir, ctx } = privateStack();
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the process through the targets file, scrapes it, and its metrics are queryable', async () => {
    const app = await serveStockflow(['api']);
    cleanup.push(() => stopChild(app.child, 'SIGTERM'));
    const exporterPort = await freePort();
    const exporter = postgresExporterComponent(exporterPort);
    const prom = prometheusComponent({
      port: await freePort(),
      postgresExporterPort: exporterPort,
      kafkaJmxPort: KAFKA_PORTS.jmxPort,
      scrapeInterval: '1s',
    });
    await startComponent(ctx, exporter);
    cleanup.push(() => stopComponent(ctx, exporter));
    await startComponent(ctx, prom);
    cleanup.push(() => stopComponent(ctx, prom));
    const api = prom.address(ctx.config);

    // What other tooling does for a run of its own: name its processes in the targets folder.
    writeScrapeTargets(ctx.paths, 'stockflow', [new URL(app.base).host], { service: 'api' });

    const targets = async (): Promise<Target[]> => {
      const r = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
        data: { activeTargets: Target[] };
      };
      return r.data.activeTargets;
    };
    const deadline = Date.now() + 30_000;
    let seen: Target[] = [];
    for (;;) {
      seen = await targets();
      const byJob = (job: string) => seen.filter((t) => t.labels.job === job);
      const stockflow = byJob('stockflow');
      if (
        stockflow.length === 1 &&
        stockflow[0]?.health === 'up' &&
        byJob('prometheus')[0]?.health === 'up' &&
        byJob('postgres')[0]?.health === 'up'
      )
        break;
      if (Date.now() > deadline)
        throw new Error(`targets not up: ${JSON.stringify(seen, null, 2)}`);
      await sleep(250);
    }
    const stockflow = seen.find((t) => t.labels.job === 'stockflow');
    expect(stockflow?.scrapeUrl).toBe(`${app.base}/metrics`);
    expect(stockflow?.labels.service).toBe('api');
    // Kafka's JMX agent is scraped where the stack's Kafka runs with it (a fresh stack does).
    const kafka = seen.find((t) => t.labels.job === 'kafka');
    if (kafka && (await portOpen('127.0.0.1', KAFKA_PORTS.jmxPort))) {
      expect(kafka.scrapeUrl).toBe(`http://127.0.0.1:${KAFKA_PORTS.jmxPort}/metrics`);
    }

    const query = async (q: string) => {
      const r = (await (
        await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)
      ).json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      expect(r.status).toBe('success');
      return r.data.result;
    };
    const ups = await query('stockflow_dependency_up{job="stockflow"}');
    expect(Object.fromEntries(ups.map((s) => [s.metric.dependency, s.value[1]]))).toEqual({
      postgres: '1',
      clickhouse: '1',
    });
    expect(ups[0]?.metric.roles).toBe('api');
    expect((await query('process_resident_memory_bytes{job="stockflow"}'))[0]?.value[1]).toMatch(
      /^\d+$/,
    );
    expect((await query('pg_up'))[0]?.value[1]).toBe('1');

    // The rules the stack loads are there, and evaluated.
    const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string; health: string }[] }[] };
    };
    const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toContain('DependencyDown');
    expect(names).toContain('stockflow:kafka_consumer_lag:sum_by_group');

    // The process goes away: its target is down at the next scrapes.
    await stopChild(app.child, 'SIGTERM');
    const downBy = Date.now() + 15_000;
    for (;;) {
      const t = (await targets()).find((x) => x.labels.job === 'stockflow');
      if (t?.health === 'down') break;
      if (Date.now() > downBy) throw new Error(`target still ${t?.health}`);
      await sleep(250);
    }
  }, 90_000);
});
