import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { aptInstall } from '../apt.js';
import type { Component, Health, StackContext } from '../component.js';
import { PROJECT_ROOT, type StackPaths } from '../paths.js';
import { commandExists, runVisible } from '../processes.js';
import { renderTemplate } from '../templates.js';
import { KAFKA_PORTS } from './kafka.js';
import { POSTGRES_EXPORTER_PORT } from './postgres-exporter.js';

export interface PrometheusOptions {
  readonly port: number;
  /** Where the stack's exporters listen, to scrape them. */
  readonly postgresExporterPort: number;
  readonly kafkaJmxPort: number;
  /** Scrape and rule evaluation interval, a Prometheus duration. */
  readonly scrapeInterval: string;
}

export const PROMETHEUS_DEFAULTS: PrometheusOptions = {
  port: 9090,
  postgresExporterPort: POSTGRES_EXPORTER_PORT,
  kafkaJmxPort: KAFKA_PORTS.jmxPort,
  scrapeInterval: '15s',
};

/** The alert and recording rules the local Prometheus loads: the same file compose mounts. */
export const ALERT_RULES = path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml');

const confDir = (paths: StackPaths): string => path.join(paths.conf, 'prometheus');
export const prometheusConfigFile = (paths: StackPaths): string =>
  path.join(confDir(paths), 'prometheus.yml');
/** The folder of file_sd files naming stockflow's processes (job `stockflow`). */
export const scrapeTargetsDir = (paths: StackPaths): string => path.join(confDir(paths), 'targets');

/**
 * Names the stockflow processes Prometheus scrapes, in `targets/<name>.json` of the stack's
 * Prometheus. Written whole and renamed into place, so Prometheus never reads half a file; it
 * notices the change by itself.
 */
export function writeScrapeTargets(
  paths: StackPaths,
  name: string,
  targets: readonly string[],
  labels: Readonly<Record<string, string>> = {},
): string {
  const dir = scrapeTargetsDir(paths);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const groups = targets.length === 0 ? [] : [{ targets, labels }];
  writeFileSync(`${file}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

/** `promtool check config`: the generated config and the rule files it loads. */
export function checkPrometheusConfig(file: string): void {
  runVisible('promtool', ['check', 'config', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Debian's `prometheus` (2.42 on bookworm), which ships `promtool` too. */
export function installPrometheus(say: (m: string) => void): void {
  if (!commandExists('prometheus') || !commandExists('promtool')) aptInstall(['prometheus'], say);
}

/**
 * Prometheus for the local stack: scrapes stockflow (file_sd targets), itself, the Postgres
 * exporter and Kafka's JMX agent, and evaluates deploy/prometheus/alerts.yml. Other ports than
 * the defaults serve a second, private one (tests).
 */
export const prometheusComponent = (options: Partial<PrometheusOptions> = {}): Component => {
  const o = { ...PROMETHEUS_DEFAULTS, ...options };
  const base = (ctx: StackContext): string =>
    ctx.config.local.prometheus ? `http://127.0.0.1:${o.port}` : ctx.config.prometheusUrl;
  return {
    name: 'prometheus',
    externalVar: 'PROMETHEUS_URL',
    ports: [o.port],
    stopSignal: 'SIGTERM',
    startTimeoutMs: 60_000,
    isLocal: (config) => config.local.prometheus,
    address: (config) =>
      config.local.prometheus ? `http://127.0.0.1:${o.port}` : config.prometheusUrl,

    prepare(ctx) {
      installPrometheus(ctx.say);
      mkdirSync(path.join(ctx.paths.data, 'prometheus'), { recursive: true });
      // What `npm start` serves; rewritten at each start, so a changed PORT is followed.
      writeScrapeTargets(ctx.paths, 'stockflow', [`127.0.0.1:${ctx.config.port || 8000}`]);
      const file = prometheusConfigFile(ctx.paths);
      writeFileSync(
        file,
        renderTemplate('prometheus.yml', {
          scrapeInterval: o.scrapeInterval,
          port: o.port,
          rules: JSON.stringify(ALERT_RULES),
          targets: JSON.stringify(path.join(scrapeTargetsDir(ctx.paths), '*.json')),
          postgresTargets: JSON.stringify([`127.0.0.1:${o.postgresExporterPort}`]),
          kafkaTargets: JSON.stringify(
            ctx.config.local.kafka ? [`127.0.0.1:${o.kafkaJmxPort}`] : [],
          ),
        }),
      );
      // A mistake in the template or the rules fails here, with promtool's reason, not in a log.
      checkPrometheusConfig(file);
      return Promise.resolve();
    },

    launch(ctx) {
      return {
        command: 'prometheus',
        args: [
          `--config.file=${prometheusConfigFile(ctx.paths)}`,
          `--storage.tsdb.path=${path.join(ctx.paths.data, 'prometheus')}`,
          '--storage.tsdb.retention.time=15d',
          `--web.listen-address=127.0.0.1:${o.port}`,
          // POST /-/reload after editing the config by hand; file_sd targets need none.
          '--web.enable-lifecycle',
        ],
      };
    },

    async probe(ctx): Promise<Health> {
      const url = base(ctx);
      try {
        const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
        if (!ready.ok) return { ok: false, detail: `GET ${url}/-/ready: HTTP ${ready.status}` };
        const info = await fetch(`${url}/api/v1/status/buildinfo`, {
          signal: AbortSignal.timeout(2_000),
        })
          .then(async (r) =>
            r.ok ? ((await r.json()) as { data?: { version?: string } }) : undefined,
          )
          .catch(() => undefined);
        return { ok: true, ...(info?.data?.version ? { version: info.data.version } : {}) };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },
  };
};

export const prometheus = prometheusComponent();
