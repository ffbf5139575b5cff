// k6 itself: the one on PATH or in Go's bin directory, built with `go install` when missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandExists } from '../../stack/processes.js';
import { say } from './log.js';

const K6_VERSION = 'v1.8.1';

/** k6 on PATH or in Go's bin directory; built with `go install` when missing. */
export function ensureK6(): string {
  const gobin = () => {
    const r = spawnSync('go', ['env', 'GOBIN', 'GOPATH'], { encoding: 'utf8' });
    const [bin, gopath] = r.stdout.split('\n');
    return bin || path.join(gopath || path.join(os.homedir(), 'go'), 'bin');
  };
  if (commandExists('k6')) return 'k6';
  if (!commandExists('go'))
    throw new Error('k6 is not installed and Go is missing to build it: install Go 1.24+ first');
  const k6 = path.join(gobin(), 'k6');
  if (existsSync(k6)) return k6;
  say(`installing k6 ${K6_VERSION} with go install (a few minutes the first time) ...`);
  const r = spawnSync('go', ['install', `go.k6.io/k6@${K6_VERSION}`], {
    stdio: 'inherit',
    env: { ...process.env, GOTOOLCHAIN: 'local' },
    timeout: 20 * 60_000,
  });
  if (r.status !== 0 || !existsSync(k6)) throw new Error(`go install go.k6.io/k6 failed`);
  say(`k6 installed at ${k6}`);
  return k6;
}
