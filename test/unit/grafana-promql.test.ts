import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandPromQL } from '../../testkit/grafana.js';
import { checkPrometheusPanels, prometheusPanels } from '../../testkit/promql.js';

const panels = prometheusPanels();
const expanded = panels.map((q) =>
  expandPromQL(q.query, { rangeSeconds: q.rangeSeconds, scrapeSeconds: q.scrapeSeconds }),
);

/** promtool, where installed (Debian's prometheus package): it parses PromQL offline. */
const promtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('Prometheus panels parse', () => {
  it.skipIf(!promtool)(
    `every expanded expr is PromQL that promtool accepts${promtool ? '' : ' (skipped: promtool is not installed)'}`,
    () => {
      // A recording rule per expr: `promtool check rules` parses each one without a server.
      const dir = mkdtempSync(join(tmpdir(), 'promql-'));
      try {
        const file = join(dir, 'panels.yml');
        const rules = expanded
          .map((e, i) => `      - record: panel:check_${i}\n        expr: ${JSON.stringify(e)}`)
          .join('\n');
        writeFileSync(file, `groups:\n  - name: panels\n    rules:\n${rules}\n`);
        let output = '';
        try {
          output = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
        } catch (e) {
          const err = e as { stdout?: string; stderr?: string };
          const legend = panels.map((q, i) => `check_${i}: ${q.dashboard} "${q.panel.title}"`);
          throw new Error(
            `promtool rejected a panel:\n${err.stdout ?? ''}${err.stderr ?? ''}\n${legend.join('\n')}`,
          );
        }
        expect(output).toContain(`SUCCESS: ${expanded.length} rules found`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('checkPrometheusPanels', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  // Answers like /api/v1/query: an error for the p99 panel, nothing for the queue length.
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? '';
        seen.push(`${req.method} ${req.url} ${query}`);
        res.setHeader('content-type', 'application/json');
        if (query.includes('histogram_quantile(0.99, sum by (le, route)')) {
          res.statusCode = 400;
          res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'boom' }));
        } else if (query.includes('stockflow_orders_queue_length')) {
          res.end(
            JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
          );
        } else {
          res.end(
            JSON.stringify({
              status: 'success',
              data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] },
            }),
          );
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends every expanded expr to /api/v1/query and reports errors and empty results', async () => {
    const results = await checkPrometheusPanels(url);
    expect(seen).toEqual(expanded.map((e) => `POST /api/v1/query ${e}`));
    const problems = results.filter((r) => r.problem).map((r) => [r.panel, r.problem]);
    expect(problems).toEqual([
      ['Queue length', 'empty result'],
      ['p99 latency by route', 'HTTP 400: boom'],
    ]);
  });

  it('reports a Prometheus it cannot reach', async () => {
    const results = await checkPrometheusPanels('http://127.0.0.1:9');
    expect(results.every((r) => r.problem !== undefined)).toBe(true);
  });
});
