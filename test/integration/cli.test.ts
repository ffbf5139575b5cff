import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/paths.js';

const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

function run(args: string[], env: Record<string, string>) {
  return spawnSync(tsx, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('command line', () => {
  it('a wrong DATABASE_URL gives one line naming the setting, not a stack trace', () => {
    const r = run(['main.ts', 'migrate'], {
      DATABASE_URL: 'postgres://stockflow:stockflow@127.0.0.1:1/stockflow',
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'stockflow: cannot reach Postgres at 127.0.0.1:1/stockflow (DATABASE_URL): nothing listens there',
    );
  });

  it('an invalid setting is reported before anything starts', () => {
    const r = run(['main.ts', 'api'], { PORT: 'eighty' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'stockflow: Invalid configuration: PORT must be an integer from 0 to 65535, got "eighty"',
    );
  });

  it('a port held by another process gives one clear line', () => {
    // A second stack folder: the running stack's Postgres is "another process" to it.
    const stackDir = mkdtempSync(path.join(tmpdir(), 'sf-stack-'));
    const r = run(['stack/cli.ts', 'up'], { STOCKFLOW_STACK_DIR: stackDir });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[stack\] error: postgres: port 5432 is already in use by .+ Stop that process, or set DATABASE_URL to use it as an external postgres\.$/,
    );
  });

  it('SIGTERM drains and exits 0', async () => {
    const child = spawn(tsx, ['main.ts', 'api'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_FORMAT: 'json', PORT: '0' },
    });
    let output = '';
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)","msg":"HTTP listening"/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    const url = await listening;
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shutdown complete"');
  });

  it('/ready answers 503 and names the dependency that is down', async () => {
    const child = spawn(tsx, ['main.ts', 'api'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_FORMAT: 'json', PORT: '0', CLICKHOUSE_URL: 'http://127.0.0.1:1' },
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /"url":"(http:\/\/[^"]+)","msg":"HTTP listening"/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
      });
      const res = await fetch(`${url}/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as {
        status: string;
        checks: Record<string, { status: string }>;
      };
      expect(body.status).toBe('not_ready');
      expect(body.checks.clickhouse?.status).toBe('down');
      expect(body.checks.postgres?.status).toBe('up');
      expect(body.checks.kafka?.status).toBe('up');
      expect(body.checks.schema_registry?.status).toBe('up');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
