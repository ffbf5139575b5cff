// Every load-test scenario but orders (loadtest-orders.test.ts), run very short at low rates
// against the real stack: the report is written and its figures add up with what the system
// counted. About 80 s in all, most of it the scenarios' own setup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectReport, loadtest, okAnswers } from './loadtest-cli.js';

interface Case {
  readonly name: string;
  readonly steps: string;
  /** The status every success answers with (movements: 200 and 304). */
  readonly statuses: readonly string[];
  /** What the run counts, when it does. */
  readonly recorded?: string;
}

const CASES: readonly Case[] = [
  { name: 'events', steps: '20,40', statuses: ['202'], recorded: 'events on the validated topic' },
  { name: 'ingest', steps: '20,40', statuses: ['202'], recorded: 'sale lines on the validated topic' }, // prettier-ignore
  { name: 'import-upload', steps: '3,6', statuses: ['202'], recorded: 'imports created' },
  { name: 'movements', steps: '30,60', statuses: ['200', '304'] },
  { name: 'analytics', steps: '5,10', statuses: ['200'] },
];

describe('npm run loadtest -- <scenario>', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'stockflow-loadtest-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(CASES)(
    '$name: two short steps, the report written and its counts adding up',
    async (c) => {
      const out = path.join(root, c.name);
      const args = [c.name, '--steps', c.steps, '--step-seconds', '2', '--connections', '10'];
      const { code, output } = await loadtest([...args, '--warmup-seconds', '1', '--out', out]);
      expect(code, output).toBe(0);
      expect(output).not.toContain('chart kept as');
      const run = expectReport(out, c.name);
      expect(run.steps.map((s) => String(s.offered))).toEqual(c.steps.split(','));
      for (const s of [...run.steps, run.warmup!]) {
        expect(Object.keys(s.statuses).sort()).toEqual([...c.statuses].sort());
        expect(s.ok).toBe(s.sent);
      }
      if (c.recorded) expect(run.recorded).toEqual({ what: c.recorded, count: okAnswers(run) });
      else expect(run.recorded).toBeUndefined();
    },
    150_000,
  );
});
