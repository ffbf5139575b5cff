// What the load-test integration tests share: `npm run loadtest` as a process, and the checks
// every short run's figures must pass.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { StepResult } from '../../loadtest/engine/types.js';
import type { RunReport } from '../../loadtest/report/types.js';
import { PROJECT_ROOT } from '../../stack/paths.js';

/** `npm run loadtest -- <args>` as one process (node --import tsx); its exit code and output. */
export function loadtest(
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
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

/**
 * Checks the out folder of a run of `scenario`: the chart with every series, the report holding
 * it, and every step's figures adding up with no errors. Resolves with the results.
 */
export function expectReport(out: string, scenario: string): RunReport {
  const svg = readFileSync(path.join(out, `${scenario}.svg`), 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  for (const series of ['offered', 'achieved', 'errors', 'p50', 'p95', 'p99'])
    expect(svg).toContain(`>${series}</text>`);
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  expect(html).toContain(svg);
  const run = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunReport;
  const answered = (s: StepResult) => Object.values(s.statuses).reduce((a, b) => a + b, 0);
  for (const s of [...run.steps, ...(run.warmup ? [run.warmup] : [])]) {
    expect(s.sent).toBe(s.offered * s.seconds);
    // Every request sent is answered, 2xx or not, or fails at the socket; here none fail.
    expect(s.ok + s.non2xx + s.socketErrors).toBe(s.sent);
    expect(answered(s)).toBe(s.ok + s.non2xx);
    expect([s.non2xx, s.socketErrors], JSON.stringify(s.statuses)).toEqual([0, 0]);
    expect(s.achieved * s.elapsed).toBeCloseTo(s.ok, 6);
    expect(s.elapsed).toBeGreaterThanOrEqual(s.seconds);
    expect(s.p50! <= s.p95! && s.p95! <= s.p99! && s.p99! <= s.max!).toBe(true);
  }
  return run;
}

/** Successful answers of the run, the warm-up's included. */
export const okAnswers = (run: RunReport): number =>
  run.steps.reduce((n, s) => n + s.ok, run.warmup?.ok ?? 0);
