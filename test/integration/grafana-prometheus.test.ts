import { everyOrderFinished } from '../../testkit/orders.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { KAFKA_PORTS } from '../../stack/components/kafka.js';
import { prometheusComponent, writeScrapeTargets } from '../../stack/components/prometheus.js';
import { stackContext, startComponent, stopComponent } from '../../stack/manager.js';
import { movementEvent, uuidOf } from '../../testkit/movement-events.js';
import { createPipeline, eventually, type Pipeline } from '../../testkit/pipeline-harness.js';
import {
  checkPrometheusPanels,
  prometheusPanels,
  type PromPanelResult,
} from '../../testkit/promql.js';
import {
  freePort,
  serveStockflow,
  stopChild,
  type ServingStockflow,
} from '../../testkit/stockflow-process.js';

// Every Prometheus panel's expr, expanded as Grafana would over its dashboard's range, run as an
// instant query (/api/v1/query) against a real Prometheus: an error or an empty result fails.
//
// 1. Always: a private Prometheus of the test's own (the stack's component on a free port,
//    scraping every second) scrapes one stockflow process running the roles, after a short run
//    through it: movements, orders completed and failed, HTTP requests.
// 2. When PROMETHEUS_URL is set: that Prometheus, as it is (e.g. compose's, with traffic).

const failures = (results: readonly PromPanelResult[]) =>
  results
    .filter((r) => r.problem !== undefined)
    .map((r) => `${r.dashboard} "${r.panel}" ${r.refId}: ${r.problem}\n  ${r.expr}`);

describe('grafana: every Prometheus panel answers, on a private Prometheus after a pipeline run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-grafana-prom-'));
  const ctx = stackContext(
    loadConfig({ ...process.env, PROMETHEUS_URL: '', STOCKFLOW_STACK_DIR: dir }),
    () => {},
  );
  const cleanup: (() => Promise<unknown>)[] = [];
  let p: Pipeline;
  let app: ServingStockflow;
  let prometheusUrl = '';
  const W = uuidOf(0x9e1, 1);

  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${app.base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, `${route}: ${await res.text()}`).toBe(202);
  };

  beforeAll(async () => {
    p = await createPipeline();
    cleanup.push(() => p.close());
    // One process with the roles whose metrics the dashboards read (not `all`: that would
    // bring the shared stack up and publish demo data).
    app = await serveStockflow(['ingest', 'process', 'orders', 'relay', 'sink', 'api'], {
      ...p.env,
      LOG_LEVEL: 'warn',
    });
    cleanup.push(() => stopChild(app.child, 'SIGTERM'));
    const prom = prometheusComponent({
      port: await freePort(),
      postgresExporterPort: await freePort(),
      kafkaJmxPort: KAFKA_PORTS.jmxPort,
      scrapeInterval: '1s',
    });
    await startComponent(ctx, prom);
    cleanup.push(() => stopComponent(ctx, prom));
    prometheusUrl = prom.address(ctx.config);
    writeScrapeTargets(ctx.paths, 'stockflow', [new URL(app.base).host], { service: 'all' });

    await p.runtime.pool.query(
      `INSERT INTO products (product_id, name, unit_price) VALUES ('gq-lamp', 'Desk lamp', 79.99)`,
    );
    await post(
      '/api/events',
      movementEvent('inventory', {
        id: 'gq-1',
        movement: uuidOf(0x9e2, 1),
        warehouse: W,
        product: 'gq-lamp',
        quantity: 50,
      }),
    );
    // And one through the raw topic: only ingest's Kafka path counts kafka_producer_messages_total
    // (POST /api/events and the relay produce without counting there).
    await p.produceRaw([
      JSON.stringify(
        movementEvent('inventory', {
          id: 'gq-2',
          movement: uuidOf(0x9e2, 2),
          warehouse: W,
          product: 'gq-bolt',
          quantity: 5,
        }),
      ),
    ]);
    await p.caughtUp();
    for (let i = 0; i < 6; i++) {
      await post('/orders', {
        user_id: `q${i}`,
        item_ids: [i % 2 ? 'ghost' : 'gq-lamp'],
        total_amount: 79.99,
      });
    }
    await everyOrderFinished(p.runtime.pool, 60_000);
    // Requests on a few routes, and a few scrapes after them so every rate() has two samples.
    for (const route of ['/health', '/ready', '/orders/none']) await fetch(`${app.base}${route}`);
    await eventually(
      async () => {
        const r = await fetch(
          `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('count(stockflow_orders_finished_total)')}`,
        );
        const body = (await r.json()) as { data?: { result?: unknown[] } };
        return (body.data?.result?.length ?? 0) > 0 ? true : undefined;
      },
      30_000,
      'Prometheus to scrape the process',
    );
    await sleep(3_000);
  }, 180_000);

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs each panel's PromQL through /api/v1/query", async () => {
    const results = await checkPrometheusPanels(prometheusUrl);
    expect(results.length).toBe(prometheusPanels().length);
    const failing = failures(results);
    expect(failing, `${failing.join('\n')}\n${app.output()}`).toEqual([]);
  });
});

const external = process.env.PROMETHEUS_URL;

describe('grafana: every Prometheus panel answers on PROMETHEUS_URL', () => {
  it.skipIf(!external)(
    `runs each panel's PromQL through /api/v1/query${external ? ` at ${external}` : ' (skipped: PROMETHEUS_URL is not set)'}`,
    async () => {
      const failing = failures(await checkPrometheusPanels(external!));
      expect(failing, failing.join('\n')).toEqual([]);
    },
  );
});
