// Every error stockflow raises on purpose carries a stable code. The HTTP layer
// maps codes to statuses in one place (api/problem.ts); nothing else does.
import type { FieldIssue } from '../domain/field-issue.js';

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'OVERLOADED'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'MIGRATION_FAILED'
  | 'STACK_FAILED'
  | 'INTERNAL';

export class StockflowError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class ConfigError extends StockflowError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super('CONFIG_INVALID', message);
  }
}

export class ValidationError extends StockflowError {
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[],
    options?: { cause?: unknown },
  ) {
    super('VALIDATION_FAILED', message, options);
  }
}

export class NotFoundError extends StockflowError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** The request clashes with one still in progress (e.g. the same Idempotency-Key). */
export class ConflictError extends StockflowError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** An Idempotency-Key already used for a different request. */
export class IdempotencyKeyReusedError extends StockflowError {
  constructor(message: string) {
    super('IDEMPOTENCY_KEY_REUSED', message);
  }
}

/** Too much work in progress: the client should come back after `retryAfterSeconds`. */
export class OverloadedError extends StockflowError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('OVERLOADED', message);
  }
}

export class DependencyUnavailableError extends StockflowError {
  constructor(
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('DEPENDENCY_UNAVAILABLE', message, options);
  }
}

export class MigrationError extends StockflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MIGRATION_FAILED', message, options);
  }
}

export class StackError extends StockflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STACK_FAILED', message, options);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
