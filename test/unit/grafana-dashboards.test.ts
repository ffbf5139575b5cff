import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allPanels,
  loadDashboards,
  provisionedDatasources,
  targetDatasource,
} from '../../testkit/grafana.js';
import {
  definedLabels,
  definedMetrics,
  exposedSeries,
  labelNames,
  metricNames,
  prometheusPanels,
} from '../../testkit/promql.js';

// Grafana cannot run here, so what it would reject or show broken is checked from the files:
// the dashboards deploy/grafana/provisioning loads from deploy/grafana/dashboards.

const files = loadDashboards();
const datasources = provisionedDatasources();

describe('grafana dashboards', () => {
  it('there are dashboards and provisioned datasources to check', () => {
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['analytics.json', 'imports.json', 'orders.json', 'stockflow.json']),
    );
    expect(datasources.map((d) => d.uid).sort()).toEqual(['clickhouse', 'prometheus']);
  });

  it('dashboard uids are unique', () => {
    const uids = files.map((f) => f.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  describe.each(files)('$file', ({ dashboard }) => {
    const panels = allPanels(dashboard);

    it('has unique panel ids', () => {
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id))).toBe(true);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    });

    it('has panels on the 24-column grid that do not overlap', () => {
      for (const p of panels) {
        const { x, y, w, h } = p.gridPos;
        expect(
          [x, y, w, h].every((n) => Number.isInteger(n)),
          p.title,
        ).toBe(true);
        expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, p.title).toBe(true);
      }
      const overlaps: string[] = [];
      panels.forEach((a, i) =>
        panels.slice(i + 1).forEach((b) => {
          const A = a.gridPos;
          const B = b.gridPos;
          if (A.x < B.x + B.w && B.x < A.x + A.w && A.y < B.y + B.h && B.y < A.y + A.h) {
            overlaps.push(`${a.title} / ${b.title}`);
          }
        }),
      );
      expect(overlaps).toEqual([]);
    });

    it("uses only provisioned datasources, each panel's and each target's", () => {
      const known = new Map(datasources.map((d) => [d.uid, d.type]));
      for (const p of panels.filter((p) => p.type !== 'row')) {
        for (const ds of [p.datasource, ...(p.targets ?? []).map((t) => targetDatasource(p, t))]) {
          expect(ds?.uid, p.title).toBeDefined();
          expect(known.has(ds!.uid!), `${p.title}: datasource ${ds!.uid}`).toBe(true);
          expect(ds!.type, p.title).toBe(known.get(ds!.uid!));
        }
      }
    });

    it('has at least one target with a query on every panel', () => {
      for (const p of panels.filter((p) => p.type !== 'row')) {
        const queries = (p.targets ?? []).map((t) => (t.rawSql ?? t.expr ?? '').trim());
        expect(queries.length, p.title).toBeGreaterThan(0);
        expect(
          queries.every((q) => q.length > 0),
          p.title,
        ).toBe(true);
      }
    });

    it('defines every template variable its queries use', () => {
      const defined = new Set((dashboard.templating?.list ?? []).map((v) => v.name));
      for (const p of panels) {
        for (const t of p.targets ?? []) {
          const query = t.rawSql ?? t.expr ?? '';
          for (const m of query.matchAll(/\$\{(\w+)\}|\$(?!__)(\w+)/g)) {
            expect(defined.has(m[1] ?? m[2]!), `${p.title}: ${m[0]}`).toBe(true);
          }
        }
      }
    });
  });
});

describe('Prometheus panels, offline', () => {
  const series = exposedSeries(definedMetrics());
  const panels = prometheusPanels();

  it('finds the metrics stockflow defines', () => {
    expect(series).toContain('stockflow_orders_accepted_total');
    expect(series).toContain('stockflow_order_processing_seconds_bucket');
    expect(series).toContain('http_request_duration_seconds_bucket');
    expect(series).not.toContain('stockflow_order_processing_seconds_total');
  });

  it('reads only metrics stockflow exports', () => {
    expect(panels.length).toBeGreaterThan(0);
    for (const q of panels) {
      const expr = q.query.replace(/\$__\w+/g, '1m');
      const names = metricNames(expr);
      expect(names.length, `${q.dashboard} ${q.panel.title}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(series.has(name), `${q.dashboard} "${q.panel.title}" reads ${name}`).toBe(true);
      }
    }
  });

  it('groups and matches only on labels the metrics have, or Prometheus adds when scraping', () => {
    const labels = definedLabels();
    // job and instance come with every scrape; deploy/prometheus/prometheus.yml adds service.
    const scrape = ['job', 'instance'];
    const config = readFileSync(
      new URL('../../deploy/prometheus/prometheus.yml', import.meta.url),
      'utf8',
    );
    for (const m of config.matchAll(/labels:\s*\n\s+(\w+):/g)) scrape.push(m[1]!);
    expect(scrape).toContain('service');
    for (const q of panels) {
      const expr = q.query.replace(/\$__\w+/g, '1m');
      const known = new Set([
        ...scrape,
        ...metricNames(expr).flatMap((n) => [...(labels.get(n) ?? [])]),
      ]);
      for (const label of labelNames(expr)) {
        expect(known.has(label), `${q.dashboard} "${q.panel.title}" uses label ${label}`).toBe(
          true,
        );
      }
    }
  });

  it('has the order metrics on the orders dashboard', () => {
    const used = new Set(
      panels
        .filter((q) => q.dashboard === 'orders.json')
        .flatMap((q) => metricNames(q.query.replace(/\$__\w+/g, '1m'))),
    );
    expect([...used].sort()).toEqual([
      'stockflow_order_processing_seconds_bucket',
      'stockflow_orders_accepted_total',
      'stockflow_orders_finished_total',
      'stockflow_orders_oldest_pending_age_seconds',
      'stockflow_orders_queue_length',
    ]);
  });
});
