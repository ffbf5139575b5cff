// The start every benchmark shares: the local stack up, the test harness quiet.
import { loadConfig, type Config } from '../../lib/config.js';
import { stackContext, stackUp } from '../../stack/manager.js';

/**
 * Brings up the local stack (the components without an external URL) and quiets the harness:
 * call it before importing testkit/, whose logger reads TEST_LOG_LEVEL when it is imported
 * (TEST_LOG_LEVEL=warn shows retries). Resolves with the configuration it brought up.
 */
export async function benchStack(): Promise<Config> {
  const config = loadConfig();
  await stackUp(stackContext(config, (m) => console.log(`[stack] ${m}`)));
  process.env.TEST_LOG_LEVEL ??= 'error';
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  return config;
}
