// The scenarios `npm run loadtest -- <name>` knows: a line each, loaded only when run.
import type { Scenario } from './scenario.js';

export const SCENARIOS: Readonly<Record<string, () => Promise<Scenario>>> = {
  orders: async () => (await import('./orders.js')).scenario,
  movements: async () => (await import('./movements.js')).scenario,
  analytics: async () => (await import('./analytics.js')).scenario,
  events: async () => (await import('./events.js')).scenario,
  ingest: async () => (await import('./ingest.js')).scenario,
  'import-upload': async () => (await import('./import-upload.js')).scenario,
};

/**
 * The k6 script in loadtest/k6/ that loads the same surface as a scenario, for those who bring
 * their own k6 (not installed here: AGPL); scenarios without one are not listed.
 */
export const K6_SCRIPTS: Readonly<Record<string, string>> = {
  movements: 'movements-api.js',
};
