// The scenarios `npm run loadtest -- <name>` knows: a line each, loaded only when run.
import type { Scenario } from './scenario.js';

export const SCENARIOS: Readonly<Record<string, () => Promise<Scenario>>> = {
  orders: async () => (await import('./orders.js')).scenario,
};
