// Runs one endpoint case: sequential requests for the latency, then the view SQL (the route's own
// query function, without HTTP) and the raw-table question on the first parameter sets, and a
// comparison of the endpoint's answers with the raw ones.
import type { Analytics } from '../../api/analytics/queries/run.js';
import type { ClickHouseClient } from '../../lib/clickhouse/client.js';
import { seededRandom } from '../../testkit/random.js';
import { hash } from './data.js';
import type { EndpointCase, Probe } from './endpoints.js';
import { now } from './util.js';

export interface Mismatch {
  readonly path: string;
  readonly endpoint: string;
  readonly raw: string;
}

export interface EndpointResult {
  readonly name: string;
  readonly rawNote: string;
  /** Client-side request times, ms, in request order. */
  readonly latencies: number[];
  /** Each request's kind of range, in request order. */
  readonly kinds: string[];
  readonly errors: number;
  readonly firstError?: string;
  readonly viewMs: number[];
  readonly rawMs: number[];
  readonly checked: number;
  readonly mismatches: Mismatch[];
  readonly load: string;
}

export interface MeasureOptions {
  readonly base: string;
  readonly requests: number;
  readonly rawSamples: number;
  readonly checks: number;
  readonly analytics: Analytics;
  readonly clickhouse: ClickHouseClient;
  readonly loadavg: () => string;
}

const seedOf = (name: string): number =>
  [...name].reduce((h, c) => hash(h + c.charCodeAt(0), 11), 2025);

async function request(base: string, probe: Probe) {
  const t = now();
  const res = await fetch(`${base}${probe.path}`, { headers: { accept: 'application/json' } });
  const text = await res.text();
  return { ms: now() - t, status: res.status, text };
}

/** The raw question's rows, and how long ClickHouse took to answer it (client-side). */
async function rawRows(ch: ClickHouseClient, probe: Probe) {
  const t = now();
  const result = await ch.query({ query: probe.raw.text, format: 'JSONEachRow' });
  const rows = await result.json<Record<string, unknown>>();
  return { ms: now() - t, rows };
}

export async function measureEndpoint(c: EndpointCase, o: MeasureOptions): Promise<EndpointResult> {
  const rand = seededRandom(seedOf(c.name));
  const probes = Array.from({ length: o.requests }, (_, i) => c.probe(rand, i));
  // Warm-up (the OpenAPI validator compiles its schemas on first use): not measured.
  for (const probe of probes.slice(0, 3)) await request(o.base, probe);

  const latencies: number[] = [];
  const bodies: string[] = [];
  let errors = 0;
  let firstError: string | undefined;
  for (const [i, probe] of probes.entries()) {
    const r = await request(o.base, probe);
    latencies.push(r.ms);
    if (r.status !== 200) {
      errors++;
      firstError ??= `${r.status} ${probe.path}: ${r.text.slice(0, 300)}`;
    }
    if (i < o.checks) bodies.push(r.status === 200 ? r.text : '');
  }
  const load = o.loadavg();

  const viewMs: number[] = [];
  const rawMs: number[] = [];
  const mismatches: Mismatch[] = [];
  let checked = 0;
  for (const [i, probe] of probes.slice(0, o.rawSamples).entries()) {
    const t = now();
    await probe.view(o.analytics);
    viewMs.push(now() - t);
    const raw = await rawRows(o.clickhouse, probe);
    rawMs.push(raw.ms);
    if (i < o.checks && bodies[i]) {
      checked++;
      const endpoint = JSON.stringify(
        probe.fromJson(JSON.parse(bodies[i]) as Record<string, unknown>),
      );
      const fromRaw = JSON.stringify(probe.fromRaw(raw.rows));
      if (endpoint !== fromRaw) mismatches.push({ path: probe.path, endpoint, raw: fromRaw });
    }
  }
  return {
    name: c.name,
    rawNote: c.rawNote,
    latencies,
    kinds: probes.map((p) => p.kind),
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    viewMs,
    rawMs,
    checked,
    mismatches,
    load,
  };
}
