import { describe, expect, it } from 'vitest';
import { toProblem } from '../../lib/http/problem.js';
import {
  DependencyUnavailableError,
  MigrationError,
  NotFoundError,
  ValidationError,
} from '../../lib/errors.js';

describe('toProblem', () => {
  it('maps validation errors to 400 with every field issue', () => {
    const p = toProblem(
      new ValidationError('bad event', [{ path: '/data/quantity', message: 'must be > 0' }]),
      '/x',
    );
    expect(p).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'bad event',
      instance: '/x',
    });
    expect(p.errors).toEqual([{ path: '/data/quantity', message: 'must be > 0' }]);
  });

  it('maps not found to 404 and unavailable dependencies to 503', () => {
    expect(toProblem(new NotFoundError('no movement')).status).toBe(404);
    expect(toProblem(new DependencyUnavailableError('kafka', 'down')).status).toBe(503);
  });

  it('never leaks internal messages of 5xx errors', () => {
    const p = toProblem(new MigrationError('password=secret in here'));
    expect(p.status).toBe(500);
    expect(JSON.stringify(p)).not.toContain('secret');
    expect(toProblem(new Error('boom at /internal/path')).detail).toBe('internal error');
  });

  it('keeps the status of OpenAPI validator errors', () => {
    const p = toProblem({
      status: 400,
      message: 'request/params/id must match format "uuid"',
      errors: [{ path: '/params/id', message: 'must match format "uuid"' }],
    });
    expect(p).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(p.errors?.[0]?.path).toBe('/params/id');
  });

  it('reports body fields with the same paths as the domain validator, without whole-body noise', () => {
    const p = toProblem({
      status: 400,
      message: 'request/body must be array',
      errors: [
        { path: '/body', message: 'must be array' },
        { path: '/body/1/CATEGORY', message: 'must be equal to one of the allowed values' },
        { path: '/body/0/QUANTITY', message: 'must be integer' },
      ],
    });
    expect(p.errors?.map((e) => e.path)).toEqual(['/1/CATEGORY', '/0/QUANTITY']);
  });
});
