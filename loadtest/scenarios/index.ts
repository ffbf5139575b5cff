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
