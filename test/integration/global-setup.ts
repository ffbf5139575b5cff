import { loadConfig } from '../../lib/config.js';
import { aptInstall } from '../../stack/apt.js';
import { installPrometheus } from '../../stack/components/prometheus.js';
import { stackContext, stackUp } from '../../stack/manager.js';
import { commandExists } from '../../stack/processes.js';

// Integration tests run against the real servers. Local ones are installed on
// first use and started here; external ones (URL env vars set) are used as they are.
export default async function setup(): Promise<void> {
  const config = loadConfig();
  const started = Date.now();
  // Only the tests need it: it validates docker-compose.yml without a Docker engine.
  if (!commandExists('docker-compose'))
    aptInstall(['docker-compose'], (m) => console.log(`[setup] ${m}`));
  // promtool checks the alert rules and Prometheus configs; the stack installs it with its
  // Prometheus, but an external Prometheus (PROMETHEUS_URL) leaves that step out.
  installPrometheus((m) => console.log(`[setup] ${m}`));
  await stackUp(stackContext(config, (m) => console.log(`[stack] ${m}`)));
  console.log(`[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
