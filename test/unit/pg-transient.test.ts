import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../lib/errors.js';
import { fromPostgres, isTransientPgError } from '../../lib/postgres/pool.js';

const POOL_TIMEOUT = 'timeout exceeded when trying to connect';

describe('Postgres errors worth another try', () => {
  it('include a pool with every connection busy past its timeout, which answers 503, not 500', async () => {
    // The message is pg-pool's own (it throws a plain Error with no code): still the one it uses.
    const poolSource = readFileSync(createRequire(import.meta.url).resolve('pg-pool'), 'utf8');
    expect(poolSource).toContain(`'${POOL_TIMEOUT}'`);
    const busy = new Error(POOL_TIMEOUT);
    expect(isTransientPgError(busy)).toBe(true);
    await expect(fromPostgres(Promise.reject(busy))).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(isTransientPgError(new Error('syntax error at or near "x"'))).toBe(false);
    expect(isTransientPgError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isTransientPgError(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(true);
  });
});
