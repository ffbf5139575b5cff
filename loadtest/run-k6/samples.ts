// k6's JSON output → request samples, their statistics, and 5-second windows.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export const WINDOW_S = 5;

export interface Sample {
  readonly t: number; // seconds since the first request
  readonly ms: number;
  readonly ok: boolean;
  readonly stage: string;
}

export async function readSamples(file: string): Promise<{ samples: Sample[]; dropped: number[] }> {
  const raw: { at: number; ms: number; ok: boolean; stage: string }[] = [];
  const droppedAt: number[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    // Cheap filter first: the file holds a dozen metric points per request.
    const duration = line.includes('"metric":"http_req_duration"');
    if (!duration && !line.includes('"metric":"dropped_iterations"')) continue;
    const point = JSON.parse(line) as {
      type: string;
      data?: { time: string; value: number; tags?: Record<string, string> };
    };
    if (point.type !== 'Point' || !point.data) continue;
    const at = Date.parse(point.data.time) / 1000;
    if (!duration) droppedAt.push(at);
    else {
      const tags = point.data.tags ?? {};
      const ok = tags.expected_response === 'true';
      raw.push({ at, ms: point.data.value, ok, stage: tags.stage ?? '?' });
    }
  }
  // Not Math.min(...): a long run has more samples than a call may take arguments.
  const t0 = raw.reduce((a, r) => Math.min(a, r.at - r.ms / 1000), Infinity);
  return {
    samples: raw.map((r) => ({ t: r.at - t0, ms: r.ms, ok: r.ok, stage: r.stage })),
    dropped: droppedAt.map((at) => at - t0),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

export interface Stats {
  readonly count: number;
  readonly failed: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export function stats(samples: readonly Sample[]): Stats {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    count: samples.length,
    failed: samples.filter((s) => !s.ok).length,
    p50: quantile(ms, 0.5),
    p95: quantile(ms, 0.95),
    p99: quantile(ms, 0.99),
  };
}

export interface Window extends Stats {
  readonly start: number;
  /** The window's length: the last one stops where the run did. */
  readonly seconds: number;
}

export function windows(samples: readonly Sample[]): Window[] {
  const groups: Sample[][] = [];
  for (const s of samples) (groups[Math.floor(s.t / WINDOW_S)] ??= []).push(s);
  const last = samples.reduce((a, s) => Math.max(a, s.t), 0);
  return Array.from(groups, (g, i) => ({
    start: i * WINDOW_S,
    seconds: Math.max(0.5, Math.min(WINDOW_S, last - i * WINDOW_S)),
    ...stats(g ?? []),
  }));
}
