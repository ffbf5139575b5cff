import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { aptInstall } from '../apt.js';
import type { Component, Health } from '../component.js';
import { commandExists } from '../processes.js';
import { renderTemplate } from '../templates.js';

const HTTP_PORT = 8123;
const TCP_PORT = 9000;

/** `http://user:pass@host:8123` → fetch URL and auth header, as ClickHouse's HTTP interface wants. */
export function clickhouseRequest(url: string): { base: string; headers: Record<string, string> } {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (u.username) headers['X-ClickHouse-User'] = decodeURIComponent(u.username);
  if (u.password) headers['X-ClickHouse-Key'] = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { base: u.toString().replace(/\/+$/, ''), headers };
}

export const clickhouse: Component = {
  name: 'clickhouse',
  externalVar: 'CLICKHOUSE_URL',
  ports: [HTTP_PORT, TCP_PORT],
  stopSignal: 'SIGTERM',
  startTimeoutMs: 60_000,
  isLocal: (config) => config.local.clickhouse,
  address: (config) => clickhouseRequest(config.clickhouseUrl).base,

  prepare(ctx) {
    if (!commandExists('clickhouse-server')) {
      aptInstall(['clickhouse-server', 'clickhouse-client'], ctx.say);
    }
    const dataDir = path.join(ctx.paths.data, 'clickhouse');
    const confDir = path.join(ctx.paths.conf, 'clickhouse');
    for (const d of [
      dataDir,
      path.join(dataDir, 'tmp'),
      path.join(dataDir, 'user_files'),
      confDir,
    ]) {
      mkdirSync(d, { recursive: true });
    }
    const values = {
      dataDir,
      confDir,
      logDir: ctx.paths.logs,
      httpPort: HTTP_PORT,
      tcpPort: TCP_PORT,
    };
    writeFileSync(
      path.join(confDir, 'config.xml'),
      renderTemplate('clickhouse-config.xml', values),
    );
    writeFileSync(path.join(confDir, 'users.xml'), renderTemplate('clickhouse-users.xml', values));
    return Promise.resolve();
  },

  launch(ctx) {
    return {
      command: 'clickhouse-server',
      args: [`--config-file=${path.join(ctx.paths.conf, 'clickhouse', 'config.xml')}`],
      cwd: path.join(ctx.paths.data, 'clickhouse'),
    };
  },

  async probe(ctx): Promise<Health> {
    const { base, headers } = clickhouseRequest(ctx.config.clickhouseUrl);
    try {
      const res = await fetch(`${base}/?query=${encodeURIComponent('SELECT version()')}`, {
        headers,
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.text()).trim();
      return res.ok
        ? { ok: true, version: body }
        : { ok: false, detail: `HTTP ${res.status}: ${body.slice(0, 200)}` };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  },
};
