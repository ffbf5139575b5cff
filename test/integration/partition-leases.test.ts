import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  leaseKey,
  postgresLeases,
  type PartitionLeases,
} from '../../lib/postgres/partition-leases.js';
import { createPool, type Pool } from '../../lib/postgres/pool.js';
import { config, randomName, testLogger } from '../../testkit/resources.js';

// Partition leases are Postgres session advisory locks: one process's lease keeps another off the
// partition until it is released, or the holder's session ends.

describe('partition leases', () => {
  let pool: Pool;
  const open: PartitionLeases[] = [];
  const scope = randomName('lease_scope');
  const leases = (onLost: (err: Error) => void = () => undefined) => {
    const l = postgresLeases(pool, scope, testLogger, onLost);
    open.push(l);
    return l;
  };
  const never = () => false;

  beforeAll(() => {
    pool = createPool(config.databaseUrl, 6, testLogger);
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
  });
  afterAll(async () => {
    await pool.end();
  });

  it('keeps a second holder waiting until the first releases, and gives up when cancelled', async () => {
    const a = leases();
    const b = leases();
    expect(await a.acquire('t', 0, never)).toBe(true);
    expect(await a.acquire('t', 0, never)).toBe(true); // held already
    expect(await b.acquire('t', 1, never)).toBe(true); // another partition is free
    let cancel = false;
    const waiting = b.acquire('t', 0, () => cancel);
    await new Promise((r) => setTimeout(r, 500));
    cancel = true;
    expect(await waiting).toBe(false);

    let got = false;
    const taking = b.acquire('t', 0, never).then((ok) => (got = ok));
    await new Promise((r) => setTimeout(r, 400));
    expect(got).toBe(false);
    await a.release('t', 0);
    await taking;
    expect(got).toBe(true);
  });

  it('releases only after the work it is given has settled', async () => {
    const a = leases();
    const b = leases();
    expect(await a.acquire('u', 0, never)).toBe(true);
    let finish!: () => void;
    const work = new Promise<void>((resolve) => (finish = resolve));
    const releasing = a.release('u', 0, work);
    let cancel = false;
    const waiting = b.acquire('u', 0, () => cancel);
    await new Promise((r) => setTimeout(r, 500));
    cancel = true;
    expect(await waiting).toBe(false);
    finish();
    await releasing;
    expect(await b.acquire('u', 0, never)).toBe(true);
  });

  it('stays held when taken again while a release waits', async () => {
    const a = leases();
    const b = leases();
    expect(await a.acquire('v', 0, never)).toBe(true);
    let finish!: () => void;
    const work = new Promise<void>((resolve) => (finish = resolve));
    const releasing = a.release('v', 0, work);
    // The partition came back to the same process before its old work finished.
    expect(await a.acquire('v', 0, never)).toBe(true);
    finish();
    await releasing;
    let cancel = false;
    const waiting = b.acquire('v', 0, () => cancel);
    await new Promise((r) => setTimeout(r, 500));
    cancel = true;
    expect(await waiting).toBe(false);
  });

  it('connects again after a failed connect', async () => {
    let failures = 1;
    const flaky = Object.create(pool) as Pool;
    flaky.connect = (() =>
      failures-- > 0
        ? Promise.reject(new Error('connection refused'))
        : pool.connect()) as Pool['connect'];
    const a = postgresLeases(flaky, scope, testLogger, () => undefined);
    open.push(a);
    await expect(a.acquire('y', 0, never)).rejects.toThrow('connection refused');
    expect(await a.acquire('y', 0, never)).toBe(true);
  });

  it('frees every lease on close, and reports a lost session', async () => {
    const lost: Error[] = [];
    const a = leases((err) => lost.push(err));
    const b = leases();
    expect(await a.acquire('w', 0, never)).toBe(true);
    expect(await a.acquire('w', 1, never)).toBe(true);
    await a.close();
    expect(await b.acquire('w', 0, never)).toBe(true);
    expect(await b.acquire('w', 1, never)).toBe(true);

    // A session Postgres ends (a restart, an admin): its locks are gone, and the holder is told.
    const c = leases((err) => lost.push(err));
    expect(await c.acquire('x', 0, never)).toBe(true);
    const admin = await pool.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
        [leaseKey(scope, 'x', 0)],
      );
    } finally {
      admin.release();
    }
    for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.message).toMatch(/lease session lost/);
  });
});
