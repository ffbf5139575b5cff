import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadConfig } from '../lib/config.js';
import { StockflowError } from '../lib/errors.js';
import { logFiles, stackContext, stackDown, stackReset, stackStatus, stackUp } from './manager.js';

const USAGE = `usage: tsx stack/cli.ts <up|down|status|logs [component] [-f]|reset>`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
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
        console.log('no logs yet: run `npm run stack:up` first');
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
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Known failures get one line saying what to fix; anything else keeps its stack.
    if (err instanceof StockflowError) console.error(`[stack] error: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
