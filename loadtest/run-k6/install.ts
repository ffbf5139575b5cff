// k6 itself: the user's own. k6 is under the AGPL, which rules out the project installing it;
// the scenarios in loadtest/k6/ run with whatever k6 the user brings.
import { existsSync } from 'node:fs';
import { commandExists } from '../../stack/processes.js';

/** The k6 on PATH (or at K6_BIN); a clear error when there is none. */
export function ensureK6(env: NodeJS.ProcessEnv = process.env): string {
  const bin = env.K6_BIN ?? 'k6';
  if (env.K6_BIN ? existsSync(bin) : commandExists(bin)) return bin;
  throw new Error(
    `k6 is not installed (looked for ${bin}): stockflow does not install k6 (AGPL licence); ` +
      'install it yourself (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set K6_BIN',
  );
}
