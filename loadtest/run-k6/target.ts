// The stockflow the load test runs against: one answering at --api, or one started in this
// process on an isolated pipeline; and the server-side time its API reports.
import type { Server } from 'node:http';
import { createApp } from '../../lib/http/app.js';
import { createRole as apiRole } from '../../api/role.js';
import { loadConfig, settings } from '../../lib/config.js';
import { createKafka } from '../../lib/kafka/client.js';
import { ensureMovementTopics } from '../../lib/kafka/topics.js';
import type { Logger } from '../../lib/logger.js';
import { createRegistry } from '../../lib/metrics.js';
import { createRuntime } from '../../lib/runtime.js';
import { stackContext, stackUp } from '../../stack/manager.js';
import type { Pipeline } from '../../testkit/pipeline-harness.js';
import { say } from './log.js';

export interface Target {
  readonly url: string;
  readonly brokers: readonly string[];
  readonly rawTopic: string;
  readonly inProcess: boolean;
  close(): Promise<void>;
}

export async function isStockflow(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(2_000) });
    const doc = (await res.json()) as { paths?: Record<string, unknown> };
    return res.ok && doc.paths?.['/api/movements/{movement_id}'] !== undefined;
  } catch {
    return false;
  }
}

/** ingest + process + api in this process, on their own topics and databases (the test harness). */
export async function startInProcess(port: number): Promise<Target> {
  await stackUp(stackContext(loadConfig(), (m) => say(`[stack] ${m}`)));
  process.env.TEST_LOG_LEVEL ??= 'error';
  const { createPipeline } = await import('../../testkit/pipeline-harness.js');
  const { testLogger } = await import('../../testkit/resources.js');
  const p = await createPipeline({ DATABASE_POOL_SIZE: settings.databasePoolSize.default });
  const admin = createKafka({
    brokers: p.config.kafkaBrokers,
    clientId: 'lt',
    logger: testLogger,
  }).admin();
  await admin.connect();
  await ensureMovementTopics(admin, p.topics, p.config.kafkaPartitions);
  await admin.disconnect();
  try {
    return await serveInProcess(p, port, testLogger);
  } catch (err) {
    await p.close(); // nothing of a half-started pipeline stays behind
    throw err;
  }
}

async function serveInProcess(p: Pipeline, port: number, logger: Logger): Promise<Target> {
  await p.startRole('ingest');
  await p.startRole('process');
  const rt = createRuntime(p.config, logger, createRegistry());
  const api = await apiRole(rt);
  for (const s of api.services) await s.start();
  const app = createApp({
    logger,
    metrics: rt.metrics,
    checks: rt.checks,
    features: api.features,
  });
  const listen = (at: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = app.listen(at, '127.0.0.1');
      server.once('listening', () => resolve(server));
      server.once('error', reject);
    });
  const server = await listen(port).catch(() => listen(0)); // port taken by something else
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  say(`started stockflow in-process at ${url} (raw topic ${p.topics.raw})`);
  return {
    url,
    brokers: p.config.kafkaBrokers,
    rawTopic: p.topics.raw,
    inProcess: true,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      for (const s of [...api.services].reverse()) await s.stop();
      await rt.close();
      await p.close();
      for (const q of ['', '?permanent=true'])
        await fetch(`${p.config.schemaRegistryUrl}/subjects/${p.topics.validated}-value${q}`, {
          method: 'DELETE',
        }).catch(() => undefined);
    },
  };
}

/**
 * The API's own view (its Prometheus histogram): time inside the server, to
 * tell server-side slowness from queueing in k6, the network or the CPU.
 */
export async function serverTime(url: string): Promise<{ sum: number; count: number }> {
  const text = await fetch(`${url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const total = (suffix: string) =>
    text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith(`http_request_duration_seconds_${suffix}{`) && l.includes('route="/api/'),
      )
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { sum: total('sum'), count: total('count') };
}
