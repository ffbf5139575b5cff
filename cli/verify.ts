// `stockflow verify`: asks every endpoint of a running stockflow a question and
// checks it answers. The endpoints come from the server's own OpenAPI document,
// so a new route is verified without a change here. Reads get sample
// parameters (the document's examples; an unknown id answers 404, which is an
// answer); writes get an
// empty body, which the validator refuses with 400, so verify never writes.

interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean };
}
interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly example?: string | number;
  readonly schema?: {
    readonly examples?: readonly (string | number)[];
    readonly type?: string | readonly string[];
    readonly format?: string;
    readonly enum?: readonly (string | number)[];
    readonly default?: string | number | boolean;
    readonly minimum?: number;
  };
}

export interface Check {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** What counts as answering. */
  readonly expect: (status: number) => boolean;
  readonly body?: string;
}

const day = (daysAgo: number) =>
  new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** A value the parameter's schema accepts. */
function sample(p: Parameter): string {
  const s = p.schema ?? {};
  const example = p.example ?? s.examples?.[0];
  if (example !== undefined) return String(example);
  if (s.default !== undefined) return String(s.default);
  if (s.enum?.length) return String(s.enum[0]);
  if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  if (s.format === 'date') return p.name.startsWith('end') ? day(0) : day(30);
  if (s.format === 'date-time') return new Date().toISOString();
  const type: string | undefined = typeof s.type === 'string' ? s.type : s.type?.[0];
  if (type === 'integer' || type === 'number') return String(Math.max(1, s.minimum ?? 1));
  if (type === 'boolean') return 'false';
  return 'x';
}

/** The checks for a document: operational routes, every GET with sample parameters, every POST with a body refused. */
export function checksFor(document: { paths?: Record<string, Record<string, Operation>> }): {
  checks: Check[];
  notCalled: string[];
} {
  const checks: Check[] = [
    { method: 'GET', path: '/health', expect: (s) => s === 200 },
    { method: 'GET', path: '/ready', expect: (s) => s === 200 },
    { method: 'GET', path: '/metrics', expect: (s) => s === 200 },
  ];
  const notCalled: string[] = [];
  for (const [template, ops] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      let path = template;
      for (const p of params.filter((p) => p.in === 'path')) {
        path = path.replace(`{${p.name}}`, encodeURIComponent(sample(p)));
      }
      if (method === 'get') {
        const query = new URLSearchParams();
        for (const p of params.filter((p) => p.in === 'query' && p.required)) {
          query.set(p.name, sample(p));
        }
        const qs = query.size ? `?${query.toString()}` : '';
        if (checks.some((c) => c.method === 'GET' && c.path === `${path}${qs}`)) continue;
        // An answer, or no such sample id; a 400 would mean the sample question is wrong.
        checks.push({
          method: 'GET',
          path: `${path}${qs}`,
          expect: (s) => (s >= 200 && s < 300) || s === 404,
        });
      } else if (method === 'post' && op.requestBody?.required) {
        checks.push({ method: 'POST', path, body: '{}', expect: (s) => s >= 400 && s < 500 });
      } else if (method === 'post') {
        notCalled.push(`POST ${template} (it takes no body, so calling it would act)`);
      }
    }
  }
  return { checks, notCalled };
}

export interface CheckResult {
  readonly check: Check;
  readonly status: number | undefined;
  readonly ms: number;
  readonly ok: boolean;
  readonly error?: string;
}

export async function runChecks(base: string, checks: readonly Check[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}${check.path}`, {
        method: check.method,
        signal: AbortSignal.timeout(10_000),
        ...(check.body
          ? { body: check.body, headers: { 'content-type': 'application/json' } }
          : {}),
      });
      await res.arrayBuffer();
      const ms = performance.now() - started;
      results.push({ check, status: res.status, ms, ok: check.expect(res.status) });
    } catch (err) {
      const ms = performance.now() - started;
      results.push({ check, status: undefined, ms, ok: false, error: (err as Error).message });
    }
  }
  return results;
}

/** `stockflow verify [URL ...]`: resolves with 0 when every endpoint of every URL answered. */
export async function verifyCommand(urls: readonly string[]): Promise<number> {
  let failures = 0;
  for (const url of urls) {
    const base = url.replace(/\/+$/, '');
    const doc = await fetch(`${base}/openapi.json`, { signal: AbortSignal.timeout(10_000) })
      .then((r) => r.json() as Promise<{ paths?: Record<string, Record<string, Operation>> }>)
      .catch((err: Error) => {
        console.log(
          `FAIL ${base}: no OpenAPI document (${err.message}); is stockflow running there?`,
        );
        return undefined;
      });
    if (!doc) {
      failures++;
      continue;
    }
    const { checks, notCalled } = checksFor(doc);
    for (const r of await runChecks(base, checks)) {
      if (!r.ok) failures++;
      const what = `${r.check.method} ${r.check.path}`;
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${String(r.status ?? r.error).padEnd(4)} ${Math.round(r.ms).toString().padStart(5)} ms  ${what}`); // prettier-ignore
    }
    for (const n of notCalled) console.log(`skip           ${n}`);
  }
  console.log(failures === 0 ? 'every endpoint answered' : `${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}
