import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StepResult } from '../../loadtest/engine/types.js';
import type { RunReport } from '../../loadtest/report/types.js';
import { PROJECT_ROOT } from '../../stack/paths.js';

/** `npm run loadtest -- <args>` as one process (node --import tsx); its exit code and output. */
function loadtest(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'loadtest/run.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const killer = setTimeout(() => child.kill('SIGINT'), 150_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

describe('npm run loadtest -- orders', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'stockflow-loadtest-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs two short steps against a real intake and writes the report, the chart and the numbers', async () => {
    const args = ['orders', '--steps', '100,50', '--step-seconds', '2', '--connections', '20'];
    const { code, output } = await loadtest([...args, '--warmup-seconds', '1', '--out', out]);
    expect(code, output).toBe(0);

    const svg = readFileSync(path.join(out, 'orders.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const series of ['offered', 'achieved', 'errors', 'p50', 'p95', 'p99'])
      expect(svg).toContain(`>${series}</text>`);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain(svg);
    // --out: the committed chart is left alone.
    expect(output).not.toContain('chart kept as');

    const run = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunReport;
    // Lowest rate first, whatever order they were given in.
    expect(run.steps.map((s) => s.offered)).toEqual([50, 100]);
    const answered = (s: StepResult) => Object.values(s.statuses).reduce((a, b) => a + b, 0);
    for (const s of [...run.steps, run.warmup!]) {
      expect(s.sent).toBe(s.offered * s.seconds);
      // Every request sent is answered, 2xx or not, or fails at the socket; here none fail.
      expect(s.ok + s.non2xx + s.socketErrors).toBe(s.sent);
      expect(answered(s)).toBe(s.ok + s.non2xx);
      expect(s.statuses['202']).toBe(s.ok);
      expect([s.non2xx, s.socketErrors]).toEqual([0, 0]);
      expect(s.achieved * s.elapsed).toBeCloseTo(s.ok, 6);
      expect(s.elapsed).toBeGreaterThanOrEqual(s.seconds);
      expect(s.p50! <= s.p95! && s.p95! <= s.p99! && s.p99! <= s.max!).toBe(true);
    }
    // What the server stored is what was answered 202: the warm-up's and every step's.
    expect(run.recorded).toEqual({
      what: 'orders stored',
      count: run.warmup!.ok + run.steps.reduce((n, s) => n + s.ok, 0),
    });
  }, 180_000);

  it('names the scenarios it knows when given another', async () => {
    const { code, output } = await loadtest(['nonesuch']);
    expect(code).toBe(1);
    expect(output.trim()).toBe('[loadtest] no scenario "nonesuch" (there are: orders)');
  });
});
