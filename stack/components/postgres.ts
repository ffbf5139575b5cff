import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { StackError } from '../../lib/errors.js';
import { aptInstall, disableDebianMainCluster } from '../apt.js';
import type { Component, Health, StackContext } from '../component.js';
import { runVisible } from '../processes.js';

export const LOCAL_PG = {
  host: '127.0.0.1',
  port: 5432,
  superuser: 'postgres',
  superPassword: 'postgres',
  user: 'stockflow',
  password: 'stockflow',
  databases: ['stockflow', 'apicurio'],
} as const;

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

/** Postgres refuses to run as root; as root we run it as Debian's `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => {
    const out = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (out.status !== 0) throw new StackError('running as root but there is no `postgres` user');
    return Number(out.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** The server user must be able to walk down to its data folder (e.g. a clone under /root). */
function letUserTraverse(dir: string, uid: number, say: (m: string) => void): void {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const st = statSync(d);
    const canTraverse = st.uid === uid || (st.mode & 0o001) !== 0;
    if (!canTraverse) {
      chmodSync(d, st.mode | 0o001);
      say(`granted search (o+x) on ${d} so the postgres user can reach its data folder`);
    }
  }
}

function dataDir(ctx: StackContext): string {
  return path.join(ctx.paths.data, 'postgres');
}

async function withClient<T>(
  connectionString: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const superUrl = `postgres://${LOCAL_PG.superuser}:${LOCAL_PG.superPassword}@${LOCAL_PG.host}:${LOCAL_PG.port}/postgres`;

export const postgres: Component = {
  name: 'postgres',
  externalVar: 'DATABASE_URL',
  ports: [LOCAL_PG.port],
  stopSignal: 'SIGINT', // "fast" shutdown: don't wait for idle clients to leave
  startTimeoutMs: 60_000,
  isLocal: (config) => config.local.postgres,
  address: (config) => {
    const u = new URL(config.databaseUrl);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  },

  prepare(ctx) {
    if (!binDir()) {
      disableDebianMainCluster();
      aptInstall(['postgresql'], ctx.say);
    }
    const bin = binDir();
    if (!bin)
      throw new StackError('postgresql installed but no server binary under /usr/lib/postgresql');
    const dir = dataDir(ctx);
    if (existsSync(path.join(dir, 'PG_VERSION'))) return Promise.resolve();
    ctx.say(`initialising a Postgres cluster in ${dir}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const user = serverUser();
    const pwFile = path.join(ctx.paths.run, 'pg-superuser-password');
    writeFileSync(pwFile, `${LOCAL_PG.superPassword}\n`, { mode: 0o600 });
    if (user) {
      letUserTraverse(dir, user.uid, ctx.say);
      chownSync(dir, user.uid, user.gid);
      chownSync(pwFile, user.uid, user.gid);
    }
    accessSync(bin, constants.X_OK);
    runVisible(
      path.join(bin, 'initdb'),
      [
        '-D',
        dir,
        '-U',
        LOCAL_PG.superuser,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ],
      { ...(user ?? {}), stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return Promise.resolve();
  },

  launch(ctx) {
    const bin = binDir();
    if (!bin) throw new StackError('Postgres is not installed');
    return {
      command: path.join(bin, 'postgres'),
      args: [
        '-D',
        dataDir(ctx),
        '-c',
        `listen_addresses=${LOCAL_PG.host}`,
        '-c',
        `port=${LOCAL_PG.port}`,
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=256MB',
        '-c',
        'logging_collector=off',
      ],
      ...(serverUser() ?? {}),
    };
  },

  async probe(ctx): Promise<Health> {
    const url = ctx.config.local.postgres ? superUrl : ctx.config.databaseUrl;
    try {
      const version = await withClient(url, async (c) => {
        const r = await c.query<{ server_version: string }>('SHOW server_version');
        return r.rows[0]?.server_version ?? 'unknown';
      });
      return { ok: true, version };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  },

  async provision() {
    await withClient(superUrl, async (c) => {
      const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [LOCAL_PG.user]);
      if (role.rowCount === 0) {
        // Identifiers can't be parameters; these are constants of this file.
        await c.query(
          `CREATE ROLE ${LOCAL_PG.user} LOGIN CREATEDB PASSWORD '${LOCAL_PG.password}'`,
        );
      }
      for (const db of LOCAL_PG.databases) {
        const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
        if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${db} OWNER ${LOCAL_PG.user}`);
      }
    });
  },
};
