import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectReport, loadtest, okAnswers } from './loadtest-cli.js';

describe('npm run loadtest -- orders', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'stockflow-loadtest-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs two short steps against a real intake and writes the report, the chart and the numbers', async () => {
    const args = ['orders', '--steps', '100,50', '--step-seconds', '2', '--connections', '20'];
    const { code, output } = await loadtest([...args, '--warmup-seconds', '1', '--out', out]);
    expect(code, output).toBe(0);

    const run = expectReport(out, 'orders');
    // --out: the committed chart is left alone.
    expect(output).not.toContain('chart kept as');
    // Lowest rate first, whatever order they were given in.
    expect(run.steps.map((s) => s.offered)).toEqual([50, 100]);
    for (const s of [...run.steps, run.warmup!]) expect(s.statuses['202']).toBe(s.ok);
    // What the server stored is what was answered 202: the warm-up's and every step's.
    expect(run.recorded).toEqual({ what: 'orders stored', count: okAnswers(run) });
  }, 180_000);

  it('names the scenarios it knows when given another', async () => {
    const { code, output } = await loadtest(['nonesuch']);
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      '[loadtest] no scenario "nonesuch" (there are: orders, movements, analytics, events, ingest, import-upload)',
    );
  });
});
