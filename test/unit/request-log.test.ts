// The access log: a line per request at debug, slow requests at warn, 5xx at error.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../lib/http/app.js';
import { createRegistry } from '../../lib/metrics.js';
import type { DependencyCheck } from '../../lib/readiness.js';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly url?: string;
  readonly status?: number;
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
});

async function serve(level: string, checks: DependencyCheck[], slowRequestMs: number) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const app = createApp({
    logger: pino({ level }, sink),
    metrics: createRegistry(),
    checks,
    slowRequestMs,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, logged = true) => {
    const r = await fetch(`${base}${path}`);
    await r.arrayBuffer();
    // The line is written on 'finish', just after the answer: wait for it.
    const at = Date.now();
    while (
      logged &&
      !lines.some((l) => l.msg === 'request' && l.url === path) &&
      Date.now() - at < 2000
    ) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return lines.filter((l) => l.msg === 'request' && l.url === path);
  };
  return { get };
}

describe('the access log', () => {
  it('logs a quick request at debug, a slow one at warn and a 5xx at error', async () => {
    let slow = false;
    let down = false;
    const { get } = await serve(
      'debug',
      [
        {
          name: 'dep',
          check: async () => {
            if (slow) await new Promise((resolve) => setTimeout(resolve, 60));
            if (down) throw new Error('down');
          },
        },
      ],
      30,
    );
    expect((await get('/health')).map((l) => l.level)).toEqual([LEVEL.debug]);
    slow = true;
    expect((await get('/ready')).map((l) => [l.level, l.status])).toEqual([[LEVEL.warn, 200]]);
    slow = false;
    down = true;
    expect((await get('/ready?x')).map((l) => [l.level, l.status])).toEqual([[LEVEL.error, 503]]);
  });

  it('writes nothing for quick requests at the default info level', async () => {
    const { get } = await serve(
      'info',
      [{ name: 'dep', check: () => Promise.reject(new Error('down')) }],
      1000,
    );
    await get('/health?quick', false);
    // Lines come out in the order answers finish: once the 503's is there, a /health one would be.
    expect((await get('/ready')).map((l) => l.status)).toEqual([503]);
    expect(await get('/health?quick', false)).toEqual([]);
  });
});
