import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What a newcomer, a CI system and the Dockerfile do first: install from the lock file.
// `npm ci` refuses a lock that does not match package.json (for instance one written
// without other platforms' optional packages), and installing must leave a clone clean.
const root = new URL('../..', import.meta.url).pathname;
const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('installing', () => {
  it('npm ci accepts package-lock.json as committed', () => {
    const dir = temp('stockflow-lock-');
    for (const file of ['package.json', 'package-lock.json'])
      copyFileSync(join(root, file), join(dir, file));
    const ci = spawnSync(
      'npm',
      ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(ci.status, ci.stderr).toBe(0);
  });

  it('bootstrapping a fresh clone installs the dependencies and changes no tracked file', () => {
    const dir = join(temp('stockflow-clone-'), 'stockflow');
    execFileSync('git', ['clone', '--quiet', root, dir]);
    // The step `npm start` and `npm test` run first (their pre-scripts).
    const boot = spawnSync('node', ['scripts/bootstrap.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(boot.status, boot.stderr).toBe(0);
    expect(boot.stdout).toContain('npm ci');
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' });
    expect(status).toBe('');
  }, 300_000);
});
