import { Gauge } from 'prom-client';
import { once, type Registry } from './metrics.js';

export interface DependencyCheck {
  readonly name: string;
  readonly check: (signal: AbortSignal) => Promise<void>;
}

export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly latency_ms: number;
  readonly error?: string;
}

export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  readonly checks: Record<string, CheckResult>;
}

/** Runs every check at once, each bounded by the timeout; never throws. */
export async function checkReadiness(
  checks: readonly DependencyCheck[],
  timeoutMs = 2_000,
): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          c.check(signal),
          new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () =>
              reject(new Error(`no answer within ${timeoutMs} ms`)),
            ),
          ),
        ]);
        return [c.name, { status: 'up', latency_ms: Math.round(performance.now() - started) }];
      } catch (err) {
        return [
          c.name,
          {
            status: 'down',
            latency_ms: Math.round(performance.now() - started),
            error: err instanceof Error ? err.message : String(err),
          },
        ];
      }
    }),
  );
  const checksByName = Object.fromEntries(results);
  return {
    status: results.every(([, r]) => r.status === 'up') ? 'ready' : 'not_ready',
    checks: checksByName,
  };
}

/**
 * `stockflow_dependency_up{dependency}`: 1 when the dependency answers the same check /ready
 * makes, 0 when it does not, one series per dependency of the process's roles. The checks run
 * at scrape time, all at once, each bounded by the timeout: a dead dependency costs a scrape
 * `timeoutMs` at most.
 */
export function dependencyUpGauge(
  registry: Registry,
  checks: readonly DependencyCheck[],
  timeoutMs = 2_000,
): Gauge<'dependency'> {
  return once(
    registry,
    'stockflow_dependency_up',
    () =>
      new Gauge({
        name: 'stockflow_dependency_up',
        help: "1 if the dependency answers /ready's check, 0 if not; one series per dependency of this process's roles.",
        labelNames: ['dependency'],
        registers: [registry],
        async collect() {
          const readiness = await checkReadiness(checks, timeoutMs);
          this.reset();
          for (const [dependency, result] of Object.entries(readiness.checks)) {
            this.set({ dependency }, result.status === 'up' ? 1 : 0);
          }
        },
      }),
  );
}
