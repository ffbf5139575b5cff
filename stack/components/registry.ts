import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../../lib/errors.js';
import type { Component, Health, StackContext } from '../component.js';
import { commandExists, runVisible } from '../processes.js';
import { APICURIO_VERSION } from '../versions.js';
import { LOCAL_PG } from './postgres.js';

const PORT = 8081;
const home = (ctx: StackContext): string =>
  path.join(ctx.paths.opt, `apicurio-${APICURIO_VERSION}`);

/** Apicurio's own storage: the `apicurio` database of the Postgres stockflow uses. */
function storageUrl(ctx: StackContext): { jdbc: string; user: string; password: string } {
  const u = new URL(
    ctx.config.local.postgres
      ? `postgres://${LOCAL_PG.user}:${LOCAL_PG.password}@${LOCAL_PG.host}:${LOCAL_PG.port}/apicurio`
      : ctx.config.databaseUrl,
  );
  return {
    jdbc: `jdbc:postgresql://${u.hostname}:${u.port || 5432}/apicurio`,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

/** 3.0.x ships a legacy `*-runner.jar`; later releases a `quarkus-app/quarkus-run.jar`. */
function runnerJar(ctx: StackContext): string | undefined {
  const dir = home(ctx);
  const fastJar = path.join(dir, 'quarkus-app', 'quarkus-run.jar');
  if (existsSync(fastJar)) return fastJar;
  if (!existsSync(dir)) return undefined;
  const legacy = readdirSync(dir).find((f) => f.endsWith('-runner.jar'));
  return legacy ? path.join(dir, legacy) : undefined;
}

function install(ctx: StackContext): void {
  if (runnerJar(ctx)) return;
  if (!commandExists('java') || !commandExists('mvn')) {
    throw new StackError(
      'Apicurio Registry needs `java` (17+) and `mvn` on PATH to install from Maven Central',
    );
  }
  ctx.say(`downloading Apicurio Registry ${APICURIO_VERSION} (about 110 MB, first run only)`);
  const artifact = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;
  runVisible(
    'mvn',
    [
      '-B',
      '-Dstyle.color=never',
      '-q',
      'dependency:copy',
      `-Dartifact=${artifact}`,
      `-DoutputDirectory=${ctx.paths.downloads}`,
    ],
    {
      cwd: ctx.paths.downloads,
    },
  );
  const archive = path.join(
    ctx.paths.downloads,
    `apicurio-registry-app-${APICURIO_VERSION}-all.tar.gz`,
  );
  mkdirSync(home(ctx), { recursive: true });
  runVisible('tar', ['-xzf', archive, '-C', home(ctx)]);
  if (!runnerJar(ctx)) throw new StackError(`unpacked ${archive} but found no runnable jar in it`);
  writeFileSync(path.join(home(ctx), '.installed'), `${APICURIO_VERSION}\n`);
}

export const registry: Component = {
  name: 'registry',
  externalVar: 'SCHEMA_REGISTRY_URL',
  ports: [PORT],
  stopSignal: 'SIGTERM',
  startTimeoutMs: 180_000,
  isLocal: (config) => config.local.registry,
  address: (config) => config.schemaRegistryUrl,

  prepare(ctx) {
    install(ctx);
    return Promise.resolve();
  },

  launch(ctx) {
    const jar = runnerJar(ctx);
    if (!jar) throw new StackError('Apicurio Registry is not installed');
    const db = storageUrl(ctx);
    return {
      command: 'java',
      args: [
        '-Xms128m',
        '-Xmx384m',
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${PORT}`,
        '-Dquarkus.log.console.json=false',
        '-Dapicurio.storage.kind=sql',
        '-Dapicurio.storage.sql.kind=postgresql',
        `-Dapicurio.datasource.url=${db.jdbc}`,
        `-Dapicurio.datasource.username=${db.user}`,
        // Quarkus reads secrets from the environment as readily as from -D; keep it off `ps`.
        '-jar',
        jar,
      ],
      env: { ...process.env, APICURIO_DATASOURCE_PASSWORD: db.password },
      cwd: home(ctx),
    };
  },

  async probe(ctx): Promise<Health> {
    const api = ctx.config.schemaRegistryUrl;
    const origin = new URL(api).origin;
    try {
      const subjects = await fetch(`${api}/subjects`, { signal: AbortSignal.timeout(2_000) });
      if (!subjects.ok)
        return { ok: false, detail: `GET ${api}/subjects: HTTP ${subjects.status}` };
      const info = await fetch(`${origin}/apis/registry/v3/system/info`, {
        signal: AbortSignal.timeout(2_000),
      })
        .then(async (r) =>
          r.ok ? ((await r.json()) as { name?: string; version?: string }) : undefined,
        )
        .catch(() => undefined);
      return { ok: true, version: info?.version ? `Apicurio ${info.version}` : undefined };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  },
};
