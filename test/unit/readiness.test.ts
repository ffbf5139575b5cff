import { describe, expect, it } from 'vitest';
import { checkReadiness } from '../../lib/readiness.js';
import { retry } from '../../lib/retry.js';

describe('checkReadiness', () => {
  it('reports each dependency and is not ready when one is down or silent', async () => {
    const r = await checkReadiness(
      [
        { name: 'up', check: () => Promise.resolve() },
        { name: 'broken', check: () => Promise.reject(new Error('refused')) },
        { name: 'silent', check: () => new Promise(() => {}) },
      ],
      100,
    );
    expect(r.status).toBe('not_ready');
    expect(r.checks.up?.status).toBe('up');
    expect(r.checks.broken).toMatchObject({ status: 'down', error: 'refused' });
    expect(r.checks.silent).toMatchObject({ status: 'down', error: 'no answer within 100 ms' });
  });
});

describe('retry', () => {
  it('retries transient errors until success', async () => {
    let calls = 0;
    const result = await retry(
      () => {
        calls++;
        if (calls < 3)
          return Promise.reject(Object.assign(new Error('deadlock'), { code: '40P01' }));
        return Promise.resolve('done');
      },
      { isTransient: () => true, baseDelayMs: 1 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('rethrows other errors at once and gives up after maxAttempts', async () => {
    let calls = 0;
    await expect(
      retry(
        () => {
          calls++;
          return Promise.reject(new Error('syntax'));
        },
        { isTransient: () => false },
      ),
    ).rejects.toThrow('syntax');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retry(
        () => {
          calls++;
          return Promise.reject(new Error('again'));
        },
        { isTransient: () => true, maxAttempts: 4, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('again');
    expect(calls).toBe(4);
  });
});
