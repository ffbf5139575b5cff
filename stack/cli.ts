import { loadConfig } from '../lib/config.js';
import { StockflowError } from '../lib/errors.js';
import { stackCommand } from './commands.js';

// `npm run stack:*`: the stack's commands without the rest of the CLI.
stackCommand(process.argv[2], process.argv.slice(3), loadConfig()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Known failures get one line saying what to fix; anything else keeps its stack.
    if (err instanceof StockflowError) console.error(`[stack] error: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
