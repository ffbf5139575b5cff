import type { RoleParts } from '../lib/role.js';
import type { Runtime } from '../lib/runtime.js';

/** The HTTP API: feature routers join here as their issues land. */
export function createRole(_runtime: Runtime): Promise<RoleParts> {
  return Promise.resolve({ services: [], features: [] });
}
