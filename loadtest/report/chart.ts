// The run's chart: a Vega-Lite spec, compiled to Vega and rendered to SVG in Node (no browser).
// Two panels over the offered rate: throughput (offered and achieved requests/s, errors as red
// bars on their own axis), then latency (p50/p95/p99, log scale) with the knee threshold; the knee
// is a vertical rule through both.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { findKnee, KNEE_FACTOR, lowestP99 } from './knee.js';
import type { RunReport } from './types.js';

const WIDTH = 820;
const KNEE_COLOR = '#6a3d9a';

/** A panel of the vconcat, and one layer of a panel, as Vega-Lite's own types have them. */
type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];
type Layer = Extract<Panel, { layer: unknown }>['layer'][number];

/** The data of a mark drawn once, not once per step. */
const ONE = { values: [{}] };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const msText = (n: number) => (n < 10 ? n.toFixed(1) : fmt(n));

/** The Vega-Lite spec of a run's chart. */
export function chartSpec(run: RunReport): TopLevelSpec {
  const rows = run.steps.map((s, i) => ({
    step: i + 1,
    offered: s.offered,
    achieved: Math.round(s.achieved * 10) / 10,
    errors: s.non2xx + s.socketErrors,
    p50: s.p50,
    p95: s.p95,
    p99: s.p99,
  }));
  const knee = findKnee(run.steps);
  const floor = knee?.floor ?? lowestP99(run.steps);
  const rates = rows.map((r) => r.offered);
  const x = {
    field: 'offered',
    type: 'quantitative' as const,
    title: 'offered load (requests/s)',
    axis: { values: rates, labelAngle: rates.length > 8 ? -45 : 0 },
    // No padding: a bar layer would pad this panel's x scale and the panels would not line up.
    scale: { domain: [0, Math.max(...rates, 1) * 1.05], padding: 0 },
  };
  const maxErrors = Math.max(1, ...rows.map((r) => r.errors));
  const kneeRule: Layer[] = knee
    ? [
        {
          data: ONE,
          mark: { type: 'rule', color: KNEE_COLOR, strokeWidth: 2 },
          encoding: { x: { datum: knee.offered, type: 'quantitative' } },
        },
      ]
    : [];
  const kneeLabel: Layer[] = knee
    ? [
        {
          data: ONE,
          mark: {
            type: 'text',
            color: KNEE_COLOR,
            align: 'left',
            baseline: 'top',
            dx: 5,
            fontWeight: 'bold',
          },
          encoding: {
            x: { datum: knee.offered, type: 'quantitative' },
            y: { value: 4 },
            text: { value: `knee: ${fmt(knee.offered)}/s` },
          },
        },
      ]
    : [];

  const throughput: Panel = {
    width: WIDTH,
    height: 230,
    title: {
      text: 'Throughput: offered vs achieved requests/s, errors per step',
      anchor: 'start',
    },
    layer: [
      {
        transform: [{ fold: ['offered', 'achieved'], as: ['series', 'rps'] }],
        mark: { type: 'line', point: { size: 50 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'rps', type: 'quantitative', title: 'requests/s' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['offered', 'achieved', 'errors'],
              range: ['#9e9e9e', '#1f77b4', '#d62728'],
            },
          },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            legend: null,
            scale: { domain: ['offered', 'achieved'], range: [[6, 4], [1, 0]] }, // prettier-ignore
          },
        },
      },
      {
        layer: [
          {
            mark: { type: 'bar', size: 14, opacity: 0.85 },
            encoding: {
              x,
              y: {
                field: 'errors',
                type: 'quantitative',
                title: 'errors (non-2xx + socket)',
                scale: { domain: [0, maxErrors * 1.15] },
                axis: { orient: 'right', tickMinStep: 1, titleColor: '#d62728' },
              },
              color: { datum: 'errors' },
            },
          },
          {
            mark: { type: 'text', dy: -8, color: '#d62728', fontSize: 11 },
            encoding: {
              x,
              y: { field: 'errors', type: 'quantitative' },
              text: { field: 'errors', type: 'quantitative', format: ',d' },
            },
          },
        ],
      },
      ...kneeRule,
      ...kneeLabel,
    ],
    resolve: { scale: { y: 'independent' } },
  };

  const latency: Panel = {
    width: WIDTH,
    height: 260,
    title: {
      text: `Latency of the 2xx answers, from each request's due time (log scale)${
        floor === undefined
          ? ''
          : `; dashed: ${KNEE_FACTOR}× the p99 floor (${msText(KNEE_FACTOR * floor)} ms)`
      }`,
      anchor: 'start',
    },
    layer: [
      {
        transform: [
          { fold: ['p50', 'p95', 'p99'], as: ['percentile', 'ms'] },
          { filter: 'isValid(datum.ms) && datum.ms > 0' },
        ],
        mark: { type: 'line', point: { size: 50 }, strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'ms',
            type: 'quantitative',
            title: 'latency (ms)',
            scale: { type: 'log' },
            axis: { format: '~s' },
          },
          color: {
            field: 'percentile',
            type: 'nominal',
            title: null,
            scale: { domain: ['p50', 'p95', 'p99'], range: ['#2ca02c', '#ff7f0e', '#b6174b'] },
          },
        },
      },
      ...(floor === undefined
        ? []
        : [
            {
              data: ONE,
              mark: { type: 'rule', strokeDash: [4, 4], color: KNEE_COLOR, opacity: 0.7 },
              encoding: { y: { datum: KNEE_FACTOR * floor, type: 'quantitative' } },
            } satisfies Layer,
          ]),
      ...kneeRule,
      ...kneeLabel,
    ],
  };

  const totals = run.steps.reduce(
    (t, s) => ({ sent: t.sent + s.sent, errors: t.errors + s.non2xx + s.socketErrors }),
    { sent: 0, errors: 0 },
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: {
      text: `stockflow load test: ${run.scenario.name} (${run.scenario.title})`,
      subtitle: [
        `${run.startedAt.slice(0, 16).replace('T', ' ')} UTC · open model, ${fmt(run.connections)} connections, ${run.stepSeconds} s a step after ${run.warmupSeconds} s of warm-up · ${fmt(totals.sent)} requests, ${fmt(totals.errors)} errors`,
        knee
          ? `knee at ${fmt(knee.offered)}/s: p99 ${knee.p99 === null ? 'none (no 2xx answer)' : `${msText(knee.p99)} ms`} > ${KNEE_FACTOR}× the floor of ${msText(knee.floor)} ms (at ${fmt(knee.floorOffered)}/s)`
          : `no knee: no step's p99 went past ${KNEE_FACTOR}× the lowest p99 before it`,
        run.machine,
      ],
      anchor: 'start',
      offset: 18,
      fontSize: 16,
      subtitleFontSize: 12,
    },
    data: { values: rows },
    vconcat: [throughput, latency],
    spacing: 28,
    resolve: { scale: { color: 'independent' } },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      view: { stroke: '#cccccc' },
      axis: { gridColor: '#eeeeee' },
      // The same room for both panels' left axes, so their x axes line up.
      axisLeft: { minExtent: 44 },
      legend: { orient: 'top-left', direction: 'horizontal' },
    },
  };
}

/** The chart as SVG: Vega-Lite compiled to Vega, rendered headless (`renderer: 'none'`). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
