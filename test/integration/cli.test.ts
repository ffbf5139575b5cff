import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStockflow as run, spawnStockflow, stopChild } from '../../testkit/stockflow-process.js';
import { deleteSubjects, randomName } from '../../testkit/resources.js';

/** Resolves with the API's URL once the process logs that it listens; collects its output. */
function listening(child: ChildProcess, output: { text: string }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)","msg":"HTTP listening"/.exec(output.text);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output.text}`)));
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
    const child = spawnStockflow(['api'], { PORT: '0' });
    const output = { text: '' };
    try {
      const url = await listening(child, output);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      expect(await stopChild(child, 'SIGTERM')).toBe(0);
      expect(output.text).toContain('"msg":"shutdown complete"');
    } finally {
      await stopChild(child, 'SIGKILL');
    }
  });

  it('/ready answers 503 and names the dependency that is down', async () => {
    const child = spawnStockflow(['api'], { PORT: '0', CLICKHOUSE_URL: 'http://127.0.0.1:1' });
    try {
      const url = await listening(child, { text: '' });
      const res = await fetch(`${url}/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as {
        status: string;
        checks: Record<string, { status: string }>;
      };
      expect(body.status).toBe('not_ready');
      // The API reads Postgres and ClickHouse, and checks only those.
      expect(Object.keys(body.checks).sort()).toEqual(['clickhouse', 'postgres']);
      expect(body.checks.clickhouse?.status).toBe('down');
      expect(body.checks.postgres?.status).toBe('up');
    } finally {
      await stopChild(child, 'SIGKILL');
    }
  });

  it('/ready of a process checks what its roles use, and nothing else', async () => {
    // Ingest talks to Kafka, the registry and (for imports) Postgres: ClickHouse being down is
    // no reason for it to be taken out of service.
    const topics = {
      KAFKA_TOPIC: randomName('ready_moves'),
      KAFKA_SALES_TOPIC: randomName('ready_sales'),
    };
    const child = spawnStockflow(['ingest'], {
      PORT: '0',
      ...topics,
      KAFKA_GROUP_ID: randomName('ready_group'),
      CLICKHOUSE_URL: 'http://127.0.0.1:1',
    });
    try {
      const url = await listening(child, { text: '' });
      const res = await fetch(`${url}/ready`);
      const body = (await res.json()) as { checks: Record<string, { status: string }> };
      expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgres', 'schema_registry']);
      expect(res.status).toBe(200);
    } finally {
      await stopChild(child, 'SIGKILL');
      await deleteSubjects([
        `${topics.KAFKA_TOPIC}.validated-value`,
        `${topics.KAFKA_SALES_TOPIC}.validated-value`,
      ]);
    }
  });
});
