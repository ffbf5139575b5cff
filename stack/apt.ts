import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { StackError } from '../lib/errors.js';
import { commandExists, runVisible } from './processes.js';

let listsFresh = false;

function asRoot(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return [command, args];
  if (!commandExists('sudo')) throw new StackError(`${command} needs root (or sudo)`);
  return ['sudo', [command, ...args]];
}

/** Installs Debian packages, refreshing the package lists once per run. */
export function aptInstall(packages: readonly string[], say: (m: string) => void): void {
  if (!commandExists('apt-get')) {
    throw new StackError(
      `${packages.join(', ')} missing and this is not a Debian-like system: install them, or point stockflow at external servers`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!listsFresh) {
    say('refreshing Debian package lists (apt-get update)');
    runVisible(...asRoot('apt-get', ['update', '-q']), { env });
    listsFresh = true;
  }
  say(`installing Debian packages: ${packages.join(' ')}`);
  withoutServiceStarts(() =>
    runVisible(
      ...asRoot('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages]),
      { env },
    ),
  );
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * The stack runs its own servers on its own ports: a package's service (Debian's `prometheus`
 * on 9090, `prometheus-postgres-exporter` on 9187) must not start on install and take them.
 * Debian's maintainer scripts ask policy-rc.d first; where none exists, one that denies every
 * start stands there during the install. An existing one (containers have one) is left alone.
 */
function withoutServiceStarts(install: () => void): void {
  if (existsSync(POLICY_RC_D) || process.getuid?.() !== 0) return install();
  writeFileSync(
    POLICY_RC_D,
    '#!/bin/sh\n# stockflow: no service starts while it installs packages\nexit 101\n',
    {
      mode: 0o755,
    },
  );
  try {
    install();
  } finally {
    rmSync(POLICY_RC_D, { force: true });
  }
}

/**
 * Debian's postgresql package creates and starts a `main` cluster on 5432 by
 * default, which would then hold the port our own cluster needs.
 */
export function disableDebianMainCluster(): void {
  const file = '/etc/postgresql-common/createcluster.conf';
  const line = 'create_main_cluster = false';
  if (existsSync(file) && readFileSync(file, 'utf8').includes(line)) return;
  mkdirSync('/etc/postgresql-common', { recursive: true });
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, `${previous}\n# added by stockflow: it runs its own cluster\n${line}\n`);
}
