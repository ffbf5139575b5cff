// Hostile requests to every operation of the OpenAPI document of a real
// stockflow process (api + ingest roles): random path segments, query strings
// with known and unknown parameters and odd values, and bodies that are random
// JSON or random bytes under several content types. Never a 5xx, and every
// refusal is a problem+json that says what was wrong.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../testkit/pipeline-harness.js';
import {
  serveStockflow,
  stopChild,
  type ServingStockflow,
} from '../../testkit/stockflow-process.js';

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
}

const RUNS_PER_OPERATION = 40;

describe('every HTTP operation, fed hostile requests', () => {
  let p: Pipeline;
  let app: ServingStockflow;
  let operations: Operation[];

  beforeAll(async () => {
    p = await createPipeline();
    app = await serveStockflow(['api', 'ingest'], { ...p.env, LOG_LEVEL: 'warn' });
    const doc = (await (await fetch(`${app.base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'delete'].includes(method))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          query: (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
        })),
    );
  }, 120_000);
  afterAll(async () => {
    if (app) await stopChild(app.child, 'SIGTERM');
    await p?.close();
  });

  const segment = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.uuid(),
    fc.constantFrom('..', '%2e%2e', "'; DROP TABLE stock; --", '\u0000', 'WH-3322', '1e309'),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 10 }),
    fc.constantFrom(
      '2025-01-01',
      '2025-13-45',
      '-1',
      '99999999999999999999',
      '',
      "' OR 1=1",
      '1e309',
      'NaN',
      '0x10',
      '1.5',
    ),
  );
  const body = fc.oneof(
    fc
      .jsonValue()
      .map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) })),
    fc.uint8Array({ maxLength: 300 }).map((b) => ({
      type: 'application/json',
      bytes: Buffer.from(b),
    })),
    fc.string({ maxLength: 300 }).map((s) => ({ type: 'text/csv', bytes: Buffer.from(s) })),
    fc.uint8Array({ maxLength: 100 }).map((b) => ({
      type: 'application/octet-stream',
      bytes: Buffer.from(b),
    })),
  );

  it('refuses numbers too large to be numbers in every query parameter, and never with a 5xx', async () => {
    for (const op of operations.filter((o) => o.method === 'GET')) {
      const path = op.path.replace(/\{[^}]+\}/g, '1');
      for (const name of op.query) {
        for (const v of ['1e309', '-1e309', 'NaN', 'Infinity']) {
          const res = await fetch(`${app.base}${path}?${name}=${v}`);
          await res.arrayBuffer();
          expect(res.status, `${path}?${name}=${v}`).toBeLessThan(500);
        }
      }
    }
  });

  it('never answers 5xx, and refuses with a problem that says why', async () => {
    expect(operations.length).toBeGreaterThan(10);
    const seen = new Map<string, number>();
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: 4, maxLength: 4 }),
          fc.dictionary(
            fc.oneof(fc.constantFrom(...op.query, 'x'), fc.string({ maxLength: 8 })),
            value,
            {
              maxKeys: 4,
            },
          ),
          body,
          async (segments, query, b) => {
            let i = 0;
            const path = op.path.replace(/\{[^}]+\}/g, () =>
              encodeURIComponent(segments[i++] ?? ''),
            );
            const qs = new URLSearchParams(query).toString();
            const res = await fetch(`${app.base}${path}${qs ? `?${qs}` : ''}`, {
              method: op.method,
              headers: op.method === 'GET' ? {} : { 'content-type': b.type },
              body: op.method === 'GET' ? undefined : b.bytes,
            });
            const text = await res.text();
            seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);
            if (res.status >= 500) {
              throw new Error(`${op.method} ${path}?${qs} → ${res.status}: ${text.slice(0, 300)}`);
            }
            if (res.status >= 400) {
              expect(res.headers.get('content-type') ?? '').toMatch(/application\/problem\+json/);
              const problem = JSON.parse(text) as { title?: string; detail?: string };
              expect(`${problem.title ?? ''}${problem.detail ?? ''}`.length).toBeGreaterThan(0);
            }
          },
        ),
        { numRuns: RUNS_PER_OPERATION },
      );
    }
    // Refusals were what most requests got: the fuzzing reached the validators.
    expect([...seen.keys()].some((s) => s.startsWith('4'))).toBe(true);
    expect(app.child.exitCode).toBeNull();
  }, 600_000);
});
