import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  expandPromQL,
  loadDashboards,
  panelQueries,
  provisionedDatasources,
  resolveTime,
  type PanelQuery,
} from './grafana.js';

// PromQL without Prometheus (the metric names a panel reads must be ones stockflow defines), and
// with one: every Prometheus panel's expr run through /api/v1/query.

const ROOT = new URL('../', import.meta.url).pathname;
/** The folders whose code defines metrics (tests and benches register throwaway ones). */
const METRIC_SOURCES = ['lib', 'processors', 'ingest', 'api'];

export type MetricType = 'Counter' | 'Gauge' | 'Histogram' | 'Summary';

/** The TypeScript files metrics are defined in. */
function metricSources(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const path = join(dir, f);
      return statSync(path).isDirectory() ? walk(path) : f.endsWith('.ts') ? [path] : [];
    });
  return METRIC_SOURCES.flatMap((d) => walk(join(root, d)));
}

interface Definition {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
}

/**
 * The metric families the code defines: each `new Counter|Gauge|Histogram|Summary` whose options
 * start with a literal `name: '…'` (how lib/metrics.ts and the roles write them), and each gauge
 * of a `scrapeGauges` list (`{ name: '…', help: …, value: … }`, label-less).
 */
function definitions(root: string): Definition[] {
  const constructed =
    /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'([^']+)'([^}]*)\}/g;
  const scraped = /\{\s*name:\s*'([^']+)',\s*help:\s*(?:'[^']*'|"[^"]*"|`[^`]*`),\s*value:/g;
  return metricSources(root).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [
      ...[...text.matchAll(constructed)].map((m) => {
        const list = /labelNames:\s*\[([^\]]*)\]/.exec(m[3] ?? '')?.[1] ?? '';
        return {
          name: m[2]!,
          type: m[1] as MetricType,
          labels: [...list.matchAll(/'([^']+)'/g)].map((l) => l[1]!),
        };
      }),
      ...[...text.matchAll(scraped)].map((m): Definition => ({
        name: m[1]!,
        type: 'Gauge',
        labels: [],
      })),
    ];
  });
}

/** Every metric family stockflow's code defines, by name. */
export function definedMetrics(root = ROOT): Map<string, MetricType> {
  return new Map(definitions(root).map((d) => [d.name, d.type]));
}

/** The series names a family exposes: histograms and summaries add their _bucket/_sum/_count. */
export function exposedSeries(metrics: ReadonlyMap<string, MetricType>): Set<string> {
  const out = new Set<string>();
  for (const [name, type] of metrics) {
    out.add(name);
    if (type === 'Histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'Summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}

/**
 * The labels each exposed series can carry: its family's `labelNames`, plus `le` on a
 * histogram's buckets and `quantile` on a summary.
 */
export function definedLabels(root = ROOT): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const d of definitions(root)) {
    for (const name of exposedSeries(new Map([[d.name, d.type]]))) {
      out.set(name, new Set([...d.labels, ...(name.endsWith('_bucket') ? ['le'] : [])]));
    }
    if (d.type === 'Summary') out.get(d.name)?.add('quantile');
  }
  return out;
}

/** The label names an expr matches on or groups by: in `{…}` selectors and `by (…)`-like lists. */
export function labelNames(expr: string): string[] {
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const out = new Set<string>();
  for (const m of stripped.matchAll(/\{([^{}]*)\}/g)) {
    for (const l of m[1]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) out.add(l[1]!);
  }
  for (const m of stripped.matchAll(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g,
  )) {
    for (const l of m[1]!.split(',')) if (l.trim()) out.add(l.trim());
  }
  return [...out];
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names an expr selects, after a structural check: brackets balance and nothing is
 * left of a `$` variable. Strings, label matchers `{…}`, ranges `[…]` and the label lists of
 * `by`/`without`/`on`/`ignoring`/`group_*` are removed; what remains that is an identifier not
 * followed by `(` (a function or aggregation) and not a keyword is a metric name.
 * Throws on an expr that cannot be PromQL.
 */
export function metricNames(expr: string): string[] {
  if (expr.includes('$')) throw new Error(`unexpanded variable in ${JSON.stringify(expr)}`);
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const c of stripped) {
    if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) {
      throw new Error(`unbalanced ${c} in ${JSON.stringify(expr)}`);
    }
  }
  if (stack.length) throw new Error(`unclosed ${stack.join('')} in ${JSON.stringify(expr)}`);
  const bare = stripped
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^[\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const at = m.index ?? 0;
    if (/[0-9.]/.test(bare[at - 1] ?? '')) continue; // the exponent of a number like 1e3
    if (
      bare
        .slice(at + word.length)
        .trimStart()
        .startsWith('(')
    )
      continue; // a function
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** The Prometheus panels of every dashboard, each with its dashboard's time range in seconds. */
export function prometheusPanels(
  now = new Date(),
): (PanelQuery & { rangeSeconds: number; scrapeSeconds: number })[] {
  const files = loadDashboards();
  const scrapeSeconds = prometheusScrapeSeconds();
  return panelQueries(files, 'prometheus').map((q) => {
    const { time } = files.find((f) => f.file === q.dashboard)!.dashboard;
    const rangeSeconds =
      (resolveTime(time.to, now).getTime() - resolveTime(time.from, now).getTime()) / 1000;
    return { ...q, rangeSeconds, scrapeSeconds };
  });
}

/** `jsonData.timeInterval` of the provisioned Prometheus datasource (15s), in seconds. */
function prometheusScrapeSeconds(): number {
  const prom = provisionedDatasources().find((d) => d.type === 'prometheus');
  if (!prom) throw new Error('no Prometheus datasource is provisioned');
  const text = readFileSync(
    new URL('../deploy/grafana/provisioning/datasources/datasources.yml', import.meta.url),
    'utf8',
  );
  const m = /timeInterval:\s*['"]?(\d+)s/.exec(text);
  return m ? Number(m[1]) : 15;
}

export interface PromPanelResult {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  /** Why the panel fails, or undefined when its query answered with at least one series. */
  problem?: string;
}

/**
 * Runs every Prometheus panel's expr, expanded, as an instant query at `baseUrl`
 * (`/api/v1/query`). A panel fails when Prometheus answers an error or an empty result.
 */
export async function checkPrometheusPanels(
  baseUrl: string,
  variables: Readonly<Record<string, string>> = {},
): Promise<PromPanelResult[]> {
  const results: PromPanelResult[] = [];
  for (const q of prometheusPanels()) {
    const expr = expandPromQL(q.query, {
      rangeSeconds: q.rangeSeconds,
      scrapeSeconds: q.scrapeSeconds,
      variables,
    });
    const result: PromPanelResult = {
      dashboard: q.dashboard,
      panel: q.panel.title,
      refId: q.target.refId ?? '',
      expr,
    };
    try {
      const res = await fetch(new URL('/api/v1/query', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }),
      });
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: unknown };
      };
      if (body.status !== 'success') {
        result.problem = `HTTP ${res.status}: ${body.error ?? 'error'}`;
      } else {
        const r = body.data?.result;
        const empty = Array.isArray(r) ? r.length === 0 : r === undefined || r === null;
        if (empty) result.problem = 'empty result';
      }
    } catch (e) {
      result.problem = (e as Error).message;
    }
    results.push(result);
  }
  return results;
}
