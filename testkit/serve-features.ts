import type { AddressInfo } from 'node:net';
import { createApp } from '../lib/http/app.js';
import { createRegistry } from '../lib/metrics.js';
import type { ApiFeature } from '../lib/role.js';
import { testLogger } from './resources.js';

/** An HTTP app a test serves: its base URL, and how to stop it. */
export interface ServedApp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The app a stockflow process builds (lib/http/app.ts) with only these features, no readiness
 * checks and a metrics registry of its own, listening on a free port of 127.0.0.1.
 */
export async function serveFeatures(features: readonly ApiFeature[]): Promise<ServedApp> {
  const app = createApp({ logger: testLogger, metrics: createRegistry(), checks: [], features });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
