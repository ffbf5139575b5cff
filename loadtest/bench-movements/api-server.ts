// The benchmark's API process: the movements API on a free port, its server-side time on request.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../lib/http/app.js';
import { movementsFeature } from '../../api/movements/routes.js';
import { loadConfig } from '../../lib/config.js';
import { createRegistry, type Registry } from '../../lib/metrics.js';
import { createRuntime } from '../../lib/runtime.js';

/** The API in a process of its own, as in production: its requests don't queue behind the roles' work. */
export async function apiServer(): Promise<void> {
  const rt = createRuntime(loadConfig(), pino({ level: 'error' }), createRegistry());
  const app = createApp({
    logger: rt.logger,
    metrics: rt.metrics,
    checks: rt.checks,
    features: [movementsFeature({ pool: rt.pool })],
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send?.({ port: (server.address() as AddressInfo).port });
  // Asked to stop: report the mean server-side time per request, then exit.
  process.once('message', () => {
    void meanSeconds(rt.metrics, 'http_request_duration_seconds').then((s) =>
      process.send?.({ meanMs: s * 1000 }, () => process.exit(0)),
    );
  });
  process.once('disconnect', () => process.exit(0));
}

export async function meanSeconds(metrics: Registry, name: string): Promise<number> {
  const values = (await metrics.getSingleMetric(name)?.get())?.values ?? [];
  const total = (suffix: string) =>
    values
      .filter((v) => (v as { metricName?: string }).metricName === `${name}${suffix}`)
      .reduce((a, v) => a + v.value, 0);
  return total('_sum') / Math.max(1, total('_count'));
}
