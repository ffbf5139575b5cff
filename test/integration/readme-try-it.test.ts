// README's "Try it" blocks, run exactly as a user pastes them (bash, from the
// repository root) against a stockflow started here, and the answers README
// promises checked. The stockflow here has its own topics, group, port and
// databases; the blocks reach it because they follow PORT, KAFKA_TOPIC,
// KAFKA_SALES_TOPIC and DATABASE_URL, which is all this test sets for them.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { sections, shellCommands, type Section } from '../markdown.js';
import {
  config,
  createTestClickHouse,
  createTestDatabase,
  randomName,
  testKafka,
} from '../../testkit/resources.js';
import { spawnStockflow, stopChild } from '../../testkit/stockflow-process.js';

const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const TRY_IT = sections(README).filter((s) => s.path.includes('Try it') && s.fences.length > 0);
const WAIT_MS = 90_000;

const MOVEMENT = 'c6290746-790e-43fa-8270-014dc90e02e0';
const PRODUCT = '4705204f-498f-4f96-b4ba-df17fb56bf55';
const SENDER = '25718666-6af6-4281-b5a6-3016e36fa557';
const RECEIVER = 'c1d70455-7e14-11e9-812a-70106f431230';

/** What README promises a command answers; each of `promises` must be in Try it's prose. */
interface Check {
  readonly what: string;
  readonly command: RegExp;
  readonly promises: readonly string[];
  readonly holds: (output: string) => boolean;
}

const json = (output: string): Record<string, unknown> => {
  try {
    return JSON.parse(output) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const READS: readonly Check[] = [
  {
    what: 'readiness',
    command: /http:\/\/127\.0\.0\.1:\$\{PORT:-8000\}\/ready(\s|$)/,
    promises: ['"status":"ready"'],
    holds: (out) => json(out).status === 'ready',
  },
  {
    what: 'metrics',
    command: /http:\/\/127\.0\.0\.1:\$\{PORT:-8000\}\/metrics(\s|$)/,
    promises: [],
    holds: (out) => out.includes('# TYPE http_requests_total counter'),
  },
  {
    what: 'the movement',
    command: new RegExp(`/api/movements/${MOVEMENT}(\\s|$)`),
    promises: ['`completed`', '`PT2H22M`'],
    holds: (out) => json(out).status === 'completed' && json(out).transit_duration === 'PT2H22M',
  },
  {
    what: "the sender's stock",
    command: new RegExp(`/api/warehouses/${SENDER}/products/${PRODUCT}(\\s|$)`),
    promises: ['150 and 100'],
    holds: (out) => json(out).quantity === 150,
  },
  {
    what: "the receiver's stock",
    command: new RegExp(`/api/warehouses/${RECEIVER}/products/${PRODUCT}(\\s|$)`),
    promises: ['150 and 100'],
    holds: (out) => json(out).quantity === 100,
  },
  {
    what: 'the desk lamps in stock',
    command: new RegExp(`/api/warehouses/${SENDER}/products/item1(\\s|$)`),
    promises: ['`"quantity":50`'],
    holds: (out) => json(out).quantity === 50,
  },
  {
    what: "today's order analytics",
    command:
      /\/analytics\/orders\?start_date=\$\(date -u \+%F\)&end_date=\$\(date -u \+%F\)"(\s|$)/,
    promises: ['`"completed":1`', '`"revenue":99.99`'],
    holds: (out) => {
      const totals = json(out).totals as { completed?: number; revenue?: number } | undefined;
      return totals?.completed === 1 && totals.revenue === 99.99;
    },
  },
  {
    what: 'the revenue of the sale day',
    command: /\/total_spent\?start_date=2021-01-07&end_date=2021-01-07"(\s|$)/,
    promises: ['{"total_spent":114.54}'],
    holds: (out) => json(out).total_spent === 114.54,
  },
];

/** Commands that change something: run once, as part of their block, their output checked there. */
const WRITES: readonly Check[] = [
  {
    what: 'the catalog import',
    command: /^npm run import -- products examples\/products\.csv$/,
    promises: ['`6 rows read, 6 imported, 0 failed, 0 duplicate`'],
    holds: (out) => out.includes('6 rows read, 6 imported, 0 failed, 0 duplicate'),
  },
  {
    what: "the seed's order",
    command: /-X POST http:\/\/127\.0\.0\.1:\$\{PORT:-8000\}\/orders\/\s/,
    promises: ['`"status":"pending"`'],
    holds: (out) =>
      out
        .split('\n')
        .map(json)
        .some((o) => o.status === 'pending' && /^ORD-/.test(String(o.order_id))),
  },
  {
    what: 'the sale over HTTP',
    command: /-X POST http:\/\/127\.0\.0\.1:\$\{PORT:-8000\}\/ingest\s/,
    promises: ['{"accepted":1}'],
    holds: (out) => out.includes('{"accepted":1}'),
  },
];

const isRead = (command: string) => /^curl\s/.test(command) && !/\s(-X|-d|--data)\b/.test(command);

function checkOf(command: string, checks: readonly Check[]): Check | undefined {
  const found = checks.filter((c) => c.command.test(command));
  if (found.length > 1) throw new Error(`more than one check matches: ${command}`);
  return found[0];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Runs shell text as bash does when a user pastes it at the repository root, stopping at the first
 * failure. Asynchronous, so this process keeps reading the stockflow's output meanwhile.
 */
function bash(
  script: string,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe("README's Try it, as written", () => {
  const env = {
    PORT: '',
    KAFKA_TOPIC: randomName('tryit_movements'),
    KAFKA_SALES_TOPIC: randomName('tryit_sales'),
    KAFKA_ORDERS_TOPIC: randomName('tryit_orders'),
    DATABASE_URL: '',
  };
  const group = randomName('tryit');
  const dlqs = [`${env.KAFKA_TOPIC}.dlq`, `${env.KAFKA_SALES_TOPIC}.dlq`];
  const kafka = testKafka();
  const admin = kafka.admin();
  let app: ChildProcess | undefined;
  let log: string[] = [];
  let drop: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    await admin.connect();
    const db = await createTestDatabase();
    const ch = createTestClickHouse();
    drop = [db.drop, ch.drop];
    env.DATABASE_URL = db.url;
    env.PORT = String(await freePort());
    app = spawnStockflow(['all'], {
      ...env,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_DATABASE: ch.name,
      DEMO_DATA: 'off',
      STOCKFLOW_LOCAL_STACK: 'off',
    });
    const child = app;
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        log = [...log, ...lines].slice(-200);
        if (lines.some((l) => l.includes('"msg":"HTTP listening"'))) resolve();
      });
      child.stderr?.on('data', (chunk: Buffer) => (log = [...log, chunk.toString()].slice(-200)));
      child.once('exit', (code) => reject(new Error(`stockflow exited with ${code}:\n${log.join('\n')}`))); // prettier-ignore
    });
  });

  afterAll(async () => {
    if (app) {
      const exited = stopChild(app, 'SIGTERM');
      if ((await Promise.race([exited, sleep(20_000, 'late')])) === 'late')
        await stopChild(app, 'SIGKILL');
    }
    const ours = (name: string) =>
      name.startsWith(env.KAFKA_TOPIC) ||
      name.startsWith(env.KAFKA_SALES_TOPIC) ||
      name.startsWith(env.KAFKA_ORDERS_TOPIC);
    const topics = (await admin.listTopics()).filter(ours);
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(group));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
    const subjects = (await (await fetch(`${config.schemaRegistryUrl}/subjects`)).json()) as string[]; // prettier-ignore
    for (const subject of subjects.filter(ours)) {
      const url = `${config.schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
      await fetch(url, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${url}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
    }
    for (const d of drop) await d();
  });

  /** Where each partition of our DLQs ends now: what a section finds beyond it, it sent. */
  async function dlqEnds(): Promise<Map<string, bigint>> {
    const ends = new Map<string, bigint>();
    for (const topic of dlqs)
      for (const o of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}/${o.partition}`, BigInt(o.high));
    return ends;
  }

  /** Messages on our DLQs past `since`, each as its topic, its start and the reasons stockflow gave. */
  async function deadLetters(since: Map<string, bigint>): Promise<string[]> {
    let count = 0n;
    for (const [at, end] of await dlqEnds()) count += end - (since.get(at) ?? 0n);
    if (count === 0n) return [];
    const reasons: string[] = [];
    const consumer = kafka.consumer({ groupId: randomName(`${group}_dlq_reader`) });
    await consumer.connect();
    for (const topic of dlqs) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const wanted = Math.min(5, Number(count));
      void consumer.run({
        eachMessage: ({ topic, partition, message }) => {
          if (BigInt(message.offset) < (since.get(`${topic}/${partition}`) ?? 0n))
            return Promise.resolve();
          const errors = message.headers?.['stockflow.dlq.errors']?.toString() ?? '';
          reasons.push(`${topic}: ${message.value?.toString().slice(0, 80)} → ${errors}`);
          if (reasons.length >= wanted) resolve();
          return Promise.resolve();
        },
      });
      setTimeout(resolve, 15_000).unref();
    });
    await consumer.disconnect();
    return reasons.length > 0 ? reasons : [`${count} message(s)`];
  }

  /** Runs a read command as written until README's answer holds (or fails naming what it last saw). */
  async function untilHolds(
    command: string,
    check: Check,
    since: Map<string, bigint>,
  ): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    let last = '';
    for (;;) {
      const r = await bash(command, env);
      expect(r.status, `${command}\n${r.stderr}`).toBe(0);
      last = r.stdout;
      if (check.holds(last)) return;
      const refused = await deadLetters(since);
      if (refused.length > 0)
        throw new Error(`refused, in the DLQ instead of ${check.what}:\n${refused.join('\n')}`);
      if (Date.now() > deadline)
        throw new Error(
          `${check.what}: \`${command}\` still answers ${last}\nstockflow's last lines:\n${log.slice(-20).join('\n')}`,
        );
      await sleep(250);
    }
  }

  it('has Try-it blocks, each read and write command checked, each promise still in README', () => {
    expect(TRY_IT.length).toBeGreaterThanOrEqual(3);
    const commands = TRY_IT.flatMap((s) => s.fences.flatMap((f) => shellCommands(f.code)));
    for (const command of commands.filter((c) => c.startsWith('curl'))) {
      const check = checkOf(command, isRead(command) ? READS : WRITES);
      expect(check, `no check for the Try-it command ${command}`).toBeDefined();
    }
    const prose = TRY_IT.map((s) => s.prose).join('\n');
    for (const check of [...READS, ...WRITES]) {
      expect(
        commands.filter((c) => check.command.test(c)),
        check.what,
      ).toHaveLength(1);
      for (const promise of check.promises) expect(prose, check.what).toContain(promise);
    }
  });

  it.each(TRY_IT.map((s): [string, Section] => [s.path.join(' › '), s]))(
    '%s',
    async (_name, section) => {
      const since = await dlqEnds();
      for (const fence of section.fences) {
        expect(['bash', 'sh'], `block at README line ${fence.line}`).toContain(fence.lang);
        const r = await bash(fence.code, env);
        expect(r.status, `README line ${fence.line}:\n${r.stdout}\n${r.stderr}`).toBe(0);
        for (const command of shellCommands(fence.code)) {
          const write = isRead(command) ? undefined : checkOf(command, WRITES);
          if (write) expect(write.holds(r.stdout), `${write.what}: ${r.stdout}`).toBe(true);
          const read = isRead(command) ? checkOf(command, READS) : undefined;
          if (read) await untilHolds(command, read, since);
        }
      }
      expect(await deadLetters(since)).toEqual([]);
    },
    WAIT_MS + 90_000,
  );
});
