import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../lib/config.js';
import { StackError } from '../lib/errors.js';
import type { Component, Health, StackContext } from './component.js';
import { clickhouse } from './components/clickhouse.js';
import { kafka } from './components/kafka.js';
import { postgres } from './components/postgres.js';
import { postgresExporter } from './components/postgres-exporter.js';
import { prometheus } from './components/prometheus.js';
import { registry } from './components/registry.js';
import { ensureDirs, stackPaths } from './paths.js';
import {
  isAlive,
  portHolder,
  portOpen,
  removeFile,
  runningPid,
  spawnDetached,
  stopProcess,
  waitUntil,
} from './processes.js';

/**
 * Start order: the registry keeps its schemas in Postgres; Prometheus comes last, once what it
 * scrapes (the Postgres exporter, Kafka's JMX agent) is up.
 */
export const COMPONENTS: readonly Component[] = [
  postgres,
  clickhouse,
  kafka,
  registry,
  postgresExporter,
  prometheus,
];

export function stackContext(
  config: Config,
  say: (m: string) => void = (m) => console.error(m),
): StackContext {
  return { config, paths: stackPaths(config.stackDir), say };
}

const pidFile = (ctx: StackContext, c: Component): string =>
  path.join(ctx.paths.run, `${c.name}.pid`);
const logFile = (ctx: StackContext, c: Component): string =>
  path.join(ctx.paths.logs, c.name === 'clickhouse' ? 'clickhouse.out.log' : `${c.name}.log`);
const pidOf = (ctx: StackContext, c: Component): number | undefined =>
  runningPid(pidFile(ctx, c), ctx.paths.root);

/** Serialises concurrent `up`/`down` (say, `npm start` and `npm test` at once). */
async function withLock<T>(ctx: StackContext, fn: () => Promise<T>): Promise<T> {
  ensureDirs(ctx.paths);
  const lock = path.join(ctx.paths.run, 'stack.lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      writeFileSync(lock, String(process.pid));
      break;
    } catch {
      const owner = Number(readFileSync(lock, 'utf8').trim() || '0');
      if (!owner || !isAlive(owner)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StackError(`stack is locked by pid ${owner} (${lock})`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Starts one component (installing it first) unless it already runs, and waits until it answers.
 * The stack's own `up` uses it for each component; a test may start a component of its own, with
 * other ports, in a stack folder of its own.
 */
export async function startComponent(ctx: StackContext, c: Component): Promise<void> {
  ensureDirs(ctx.paths);
  await startOne(ctx, c);
}

/** Stops one component this stack folder started, if it runs. */
export async function stopComponent(ctx: StackContext, c: Component): Promise<void> {
  const pid = pidOf(ctx, c);
  if (pid !== undefined) {
    ctx.say(`${c.name}: stopping (pid ${pid})`);
    ctx.say(`${c.name}: ${await stopProcess(pid, c.stopSignal, 60_000)}`);
  }
  removeFile(pidFile(ctx, c));
}

async function startOne(ctx: StackContext, c: Component): Promise<void> {
  const existing = pidOf(ctx, c);
  if (existing !== undefined) {
    await waitUntil(c.name, async () => (await c.probe(ctx)).ok, {
      timeoutMs: c.startTimeoutMs,
      pid: existing,
      logFile: logFile(ctx, c),
    });
    await c.provision?.(ctx);
    ctx.say(`${c.name}: already running (pid ${existing})`);
    return;
  }
  for (const port of c.ports) {
    if (await portOpen('127.0.0.1', port)) {
      throw new StackError(
        `${c.name}: port ${port} is already in use by ${portHolder(port)}. Stop that process, or set ${c.externalVar} to use it as an external ${c.name}.`,
      );
    }
  }
  await c.prepare(ctx);
  const spec = c.launch(ctx);
  ctx.say(`${c.name}: starting`);
  const started = Date.now();
  const pid = spawnDetached({ ...spec, logFile: logFile(ctx, c), pidFile: pidFile(ctx, c) });
  await waitUntil(c.name, async () => (await c.probe(ctx)).ok, {
    timeoutMs: c.startTimeoutMs,
    pid,
    logFile: logFile(ctx, c),
  });
  await c.provision?.(ctx);
  ctx.say(
    `${c.name}: ready at ${c.address(ctx.config)} (pid ${pid}, ${((Date.now() - started) / 1000).toFixed(1)}s)`,
  );
}

/** Installs (first time) and starts every local component, waiting until each answers. */
export async function stackUp(ctx: StackContext): Promise<void> {
  await withLock(ctx, async () => {
    for (const c of COMPONENTS) {
      if (!c.isLocal(ctx.config)) {
        ctx.say(`${c.name}: external (${c.externalVar} is set), left alone`);
        continue;
      }
      await startOne(ctx, c);
    }
  });
}

export async function stackDown(ctx: StackContext): Promise<void> {
  await withLock(ctx, async () => {
    for (const c of [...COMPONENTS].reverse()) await stopComponent(ctx, c);
  });
}

export interface ComponentStatus {
  readonly name: string;
  readonly mode: 'local' | 'external';
  readonly state: 'running' | 'stopped' | 'external';
  readonly pid?: number;
  readonly address: string;
  readonly health: Health;
}

export async function stackStatus(ctx: StackContext): Promise<ComponentStatus[]> {
  return Promise.all(
    COMPONENTS.map(async (c): Promise<ComponentStatus> => {
      const local = c.isLocal(ctx.config);
      const pid = local ? pidOf(ctx, c) : undefined;
      const health = await c.probe(ctx);
      return {
        name: c.name,
        mode: local ? 'local' : 'external',
        state: !local ? 'external' : pid !== undefined ? 'running' : 'stopped',
        ...(pid !== undefined ? { pid } : {}),
        address: c.address(ctx.config),
        health,
      };
    }),
  );
}

/** Stops everything and deletes all data; downloaded binaries are kept. */
export async function stackReset(ctx: StackContext): Promise<void> {
  await stackDown(ctx);
  for (const dir of [ctx.paths.data, ctx.paths.conf, ctx.paths.logs]) {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
  ctx.say(`wiped ${ctx.paths.data}, ${ctx.paths.conf} and ${ctx.paths.logs}`);
}

export function logFiles(ctx: StackContext, name?: string): string[] {
  const chosen = name ? COMPONENTS.filter((c) => c.name === name) : COMPONENTS;
  if (name && chosen.length === 0) {
    throw new StackError(
      `unknown component "${name}"; one of ${COMPONENTS.map((c) => c.name).join(', ')}`,
    );
  }
  return chosen.flatMap((c) =>
    c.name === 'clickhouse'
      ? [path.join(ctx.paths.logs, 'clickhouse.log'), logFile(ctx, c)]
      : [logFile(ctx, c)],
  );
}
