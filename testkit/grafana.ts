import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ch } from '../lib/clickhouse/sql.js';

// Grafana cannot run in the tests, so the dashboards in deploy/grafana are read here and their
// queries made runnable: the macros the dashboards use are expanded as Grafana (and the
// grafana-clickhouse-datasource plugin) would, the ClickHouse values through lib/clickhouse/sql.ts.
// Anything else that looks like a macro or a variable is an error, so a panel using one the
// expansion does not know fails its test instead of being sent half expanded.

export const GRAFANA_DIR = new URL('../deploy/grafana/', import.meta.url).pathname;
export const DASHBOARDS_DIR = join(GRAFANA_DIR, 'dashboards');
export const DATASOURCES_DIR = join(GRAFANA_DIR, 'provisioning', 'datasources');

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface Target {
  refId?: string;
  datasource?: { type?: string; uid?: string };
  rawSql?: string;
  expr?: string;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: Panel[];
  templating?: { list: { name: string; type: string; query?: string }[] };
}

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

/** Every dashboard JSON file, parsed (a file that is not JSON throws, naming the file). */
export function loadDashboards(dir = DASHBOARDS_DIR): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      try {
        return { file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard };
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
      }
    });
}

/** Panels including those nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface Datasource {
  uid: string;
  type: string;
}

/**
 * The datasources the provisioning files define: `uid` and `type` of each `- name:` item. The
 * files are flat YAML lists; this reads just those two keys rather than pull in a YAML parser.
 */
export function provisionedDatasources(dir = DATASOURCES_DIR): Datasource[] {
  const out: Datasource[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    let current: Partial<Datasource> | undefined;
    const flush = () => {
      if (current?.uid && current.type) out.push({ uid: current.uid, type: current.type });
    };
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (/^\s*-\s+name:/.test(line)) {
        flush();
        current = {};
      }
      const m = /^\s*(?:-\s+)?(uid|type):\s*['"]?([^'"\s#]+)/.exec(line);
      if (m && current) current[m[1] as 'uid' | 'type'] = m[2];
    }
    flush();
  }
  return out;
}

/** The datasource of a target: its own, else its panel's. */
export function targetDatasource(panel: Panel, target: Target): { type?: string; uid?: string } {
  return target.datasource ?? panel.datasource ?? {};
}

export interface PanelQuery {
  dashboard: string;
  panel: Panel;
  target: Target;
  query: string;
}

/** Every target of `type` (e.g. `grafana-clickhouse-datasource`, `prometheus`), with its query. */
export function panelQueries(files: readonly DashboardFile[], type: string): PanelQuery[] {
  return files.flatMap(({ file, dashboard }) =>
    allPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? [])
        .filter((t) => targetDatasource(panel, t).type === type)
        .map((target) => ({
          dashboard: file,
          panel,
          target,
          query: target.rawSql ?? target.expr ?? '',
        })),
    ),
  );
}

const RELATIVE_TIME = /^now(?:-(\d+)([smhdwMy]))?$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** A dashboard's `time.from`/`time.to` (`now`, `now-90d`, …) as a Date, relative to `now`. */
export function resolveTime(text: string, now: Date): Date {
  const m = RELATIVE_TIME.exec(text);
  if (!m) throw new Error(`unsupported dashboard time ${JSON.stringify(text)}`);
  return m[1] ? new Date(now.getTime() - Number(m[1]) * UNIT_MS[m[2]!]!) : now;
}

export interface ClickHouseMacroValues {
  from: Date;
  to: Date;
  /** Template variables, e.g. `{ database: 'stockflow' }`; rendered as identifiers. */
  identifiers: Readonly<Record<string, string>>;
}

/**
 * A ClickHouse panel's SQL with what the dashboards use expanded as the plugin does:
 * `$__fromTime` and `$__toTime` become DateTime literals of the time range, and `${name}` (or
 * `$name`) a template variable, here always a database or table name, so a backtick-quoted
 * identifier. Any other `$` macro or unknown variable throws.
 */
export function expandClickHouse(sqlText: string, values: ClickHouseMacroValues): string {
  return sqlText.replace(
    /\$__(\w+)|\$\{(\w+)\}|\$(\w+)/g,
    (whole, macro?: string, braced?: string, bare?: string) => {
      if (macro === 'fromTime') return ch.dateTime(values.from).text;
      if (macro === 'toTime') return ch.dateTime(values.to).text;
      if (macro !== undefined) throw new Error(`unknown ClickHouse macro ${whole}`);
      const name = braced ?? bare!;
      const value = values.identifiers[name];
      if (value === undefined) throw new Error(`unknown template variable ${whole}`);
      return ch.identifier(value).text;
    },
  );
}

export interface PromMacroValues {
  /** The dashboard's time range in seconds. */
  rangeSeconds: number;
  /** The Prometheus datasource's scrape interval (`jsonData.timeInterval`), seconds. */
  scrapeSeconds: number;
  /** Template variables, substituted as they are. */
  variables?: Readonly<Record<string, string>>;
}

/** Grafana's default maximum number of points of a time series panel. */
const MAX_DATA_POINTS = 1000;

/**
 * A Prometheus expr with Grafana's range variables expanded: `$__interval` is the range over the
 * panel's points, never below the scrape interval; `$__rate_interval` is
 * max(`$__interval` + scrape, 4 × scrape), as Grafana computes it; `$__range` the whole range.
 * Template variables come from `variables`; anything else with a `$` throws.
 */
export function expandPromQL(expr: string, values: PromMacroValues): string {
  const interval = Math.max(values.scrapeSeconds, Math.ceil(values.rangeSeconds / MAX_DATA_POINTS));
  const rateInterval = Math.max(interval + values.scrapeSeconds, 4 * values.scrapeSeconds);
  return expr.replace(
    /\$__(\w+)|\$\{(\w+)\}|\$(\w+)/g,
    (whole, macro?: string, braced?: string, bare?: string) => {
      if (macro === 'rate_interval') return `${rateInterval}s`;
      if (macro === 'interval') return `${interval}s`;
      if (macro === 'range') return `${Math.round(values.rangeSeconds)}s`;
      if (macro !== undefined) throw new Error(`unknown Prometheus macro ${whole}`);
      const value = values.variables?.[braced ?? bare!];
      if (value === undefined) throw new Error(`unknown template variable ${whole}`);
      return value;
    },
  );
}
