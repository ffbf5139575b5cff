// Runs before `npm start` and `npm test` (npm's pre-scripts), using nothing but
// Node itself: it makes a fresh clone runnable by installing the npm
// dependencies when they are missing or older than package-lock.json.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`stockflow needs Node.js 20.19 or newer; this is ${process.version}`);
  process.exit(1);
}

const marker = 'node_modules/.package-lock.json';
const stale =
  !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  // `npm ci`: exactly the locked versions, and it never writes package-lock.json,
  // so installing leaves a fresh clone clean. test/integration/install.test.ts
  // keeps the lock file acceptable to it.
  console.log('[bootstrap] installing npm dependencies (npm ci, locked versions)');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
