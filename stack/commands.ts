// The local stack's commands (`stockflow up|down|status|logs|reset`, and the
// `npm run stack:*` scripts): start, stop, inspect and wipe the components the
// project runs itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Config } from '../lib/config.js';
import { StockflowError } from '../lib/errors.js';
import { logFiles, stackContext, stackDown, stackReset, stackStatus, stackUp } from './manager.js';

export const STACK_USAGE = `usage: stockflow <up|down|status|logs [component] [-f]|reset>`;

/** Runs one stack command; resolves with the exit code. */
export async function stackCommand(
  command: string | undefined,
  rest: readonly string[],
  config: Config,
): Promise<number> {
  const ctx = stackContext(config, (m) => console.log(`[stack] ${m}`));
  switch (command) {
    case 'up':
      await stackUp(ctx);
      return 0;
    case 'down':
      await stackDown(ctx);
      return 0;
    case 'reset':
      await stackReset(ctx);
      return 0;
    case 'status': {
      const rows = await stackStatus(ctx);
      const table = rows.map((r) => ({
        component: r.name,
        state: r.state,
        health: r.health.ok ? 'healthy' : 'DOWN',
        version: r.health.version ?? '',
        address: r.address,
        pid: r.pid ?? '',
        detail: r.health.ok ? (r.health.detail ?? '') : (r.health.detail ?? '').slice(0, 80),
      }));
      console.table(table);
      return rows.every((r) => r.health.ok) ? 0 : 1;
    }
    case 'logs': {
      const follow = rest.includes('-f') || rest.includes('--follow');
      const name = rest.find((a) => !a.startsWith('-'));
      const files = logFiles(ctx, name).filter((f) => existsSync(f));
      if (files.length === 0) {
        console.log('no logs yet: run `npx stockflow up` first');
        return 0;
      }
      const child = spawn(
        'tail',
        [follow ? '-F' : '-n', ...(follow ? ['-n', '50'] : ['50']), ...files],
        {
          stdio: 'inherit',
        },
      );
      return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
    }
    default:
      throw new StockflowError(
        'CONFIG_INVALID',
        `unknown stack command ${JSON.stringify(command)}\n${STACK_USAGE}`,
      );
  }
}
