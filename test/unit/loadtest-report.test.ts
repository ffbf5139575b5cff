import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../loadtest/engine/types.js';
import { chartSpec, renderSvg } from '../../loadtest/report/chart.js';
import { renderHtml } from '../../loadtest/report/html.js';
import { findKnee, KNEE_FACTOR } from '../../loadtest/report/knee.js';
import type { RunReport } from '../../loadtest/report/types.js';

function step(offered: number, p99: number | null, extra: Partial<StepResult> = {}): StepResult {
  const sent = offered * 10;
  return {
    offered,
    seconds: 10,
    sent,
    ok: sent,
    non2xx: 0,
    socketErrors: 0,
    statuses: { '202': sent },
    errorKinds: {},
    elapsed: 10.01,
    achieved: sent / 10.01,
    p50: p99 === null ? null : p99 / 4,
    p95: p99 === null ? null : p99 / 2,
    p99,
    max: p99 === null ? null : p99 * 1.5,
    maxInFlight: 12,
    senderLagP99: 1.2,
    senderCpu: 0.3,
    ...extra,
  };
}

function run(steps: StepResult[]): RunReport {
  return {
    scenario: { name: 'orders', title: 'POST /orders', description: 'ingest + relay' },
    startedAt: '2026-12-04T10:00:00.000Z',
    connections: 1000,
    stepSeconds: 10,
    warmupSeconds: 3,
    machine: 'Test CPU, 2 cores, load 1.00 → 1.50',
    steps,
    recorded: { what: 'orders', count: steps.reduce((n, s) => n + s.ok, 0) },
  };
}

describe('load-test knee', () => {
  it(`is the first step whose p99 exceeds ${KNEE_FACTOR}× the lowest p99 before it`, () => {
    const steps = [step(250, 9), step(500, 6), step(1000, 17), step(1500, 19), step(2000, 400)];
    // 17 ≤ 3 × 6 = 18; 19 > 18.
    expect(findKnee(steps)).toEqual({
      index: 3,
      offered: 1500,
      p99: 19,
      floor: 6,
      floorOffered: 500,
      threshold: 18,
    });
  });

  it('is not the first step, however slow; none when latency stays on its floor', () => {
    expect(findKnee([step(250, 500), step(500, 20), step(1000, 30)])).toBeUndefined();
    expect(findKnee([step(250, 5)])).toBeUndefined();
    expect(findKnee([])).toBeUndefined();
  });

  it('is a step with no 2xx answer at all', () => {
    expect(findKnee([step(250, 5), step(500, null, { ok: 0, socketErrors: 5000 })])).toMatchObject({
      index: 1,
      p99: null,
      floor: 5,
    });
  });
});

describe('load-test report', () => {
  const steps = [
    step(250, 8),
    step(500, 9),
    step(1000, 11),
    step(2000, 60, {
      ok: 19_990,
      non2xx: 7,
      socketErrors: 3,
      statuses: { '202': 19_990, '503': 7 },
      errorKinds: { ECONNRESET: 3 },
      achieved: 1_800,
    }),
  ];

  it('the Vega-Lite spec compiles and renders an SVG with both panels, every series and the knee', async () => {
    const svg = await renderSvg(chartSpec(run(steps)));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of [
      'Throughput: offered vs achieved requests/s',
      'Latency of the 2xx answers',
      'offered load (requests/s)',
      'errors (non-2xx + socket)',
      'knee: 2,000/s',
      'knee at 2,000/s: p99 60 ms &gt; 3× the floor of 8.0 ms (at 250/s)',
    ])
      expect(svg).toContain(text);
    // The legends name each series.
    for (const series of ['offered', 'achieved', 'errors', 'p50', 'p95', 'p99'])
      expect(svg).toContain(`>${series}</text>`);
    // The error count stands above its bar.
    expect(svg).toContain('>10</text>');
  });

  it('says when there is no knee, and renders a step with no latency', async () => {
    const svg = await renderSvg(
      chartSpec(run([step(250, 8), step(500, 9), step(1000, null, { ok: 0, achieved: 0 })])),
    );
    expect(svg).toContain('knee: 1,000/s');
    const flat = await renderSvg(chartSpec(run([step(250, 8), step(500, 9)])));
    expect(flat).toContain('no knee');
    expect(flat).not.toContain('>knee: ');
  });

  it('the HTML report holds the SVG and a row per step, the knee and the errors marked', async () => {
    const svg = await renderSvg(chartSpec(run(steps)));
    const html = renderHtml(run(steps), svg);
    expect(html).toContain(svg);
    expect(html.match(/<tr( class="knee"[^>]*)?><td>\d/g)).toHaveLength(4);
    expect(html).toContain('<tr class="knee" title="the knee"><td>4 ◆</td><td>2,000</td>');
    expect(html).toContain('statuses: 19,990× 202, 7× 503; socket errors: 3× ECONNRESET');
    expect(html).toContain('The knee is step 4, at 2,000 requests/s');
  });
});
