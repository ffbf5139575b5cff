import type { ErrorRequestHandler, Response } from 'express';
import type { FieldIssue } from '../../domain/field-issue.js';
import { OverloadedError, StockflowError, ValidationError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

// The one place where errors become HTTP statuses (RFC 9457 problem details).

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  OVERLOADED: 503,
  DEPENDENCY_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  MIGRATION_FAILED: 500,
  STACK_FAILED: 500,
  INTERNAL: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly errors?: readonly FieldIssue[];
}

interface OpenApiValidatorError {
  status: number;
  message: string;
  errors?: { path?: string; message?: string }[];
}

function isOpenApiValidatorError(err: unknown): err is OpenApiValidatorError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { status?: unknown }).status === 'number' &&
    Array.isArray((err as { errors?: unknown }).errors)
  );
}

/** Express's body parser reports malformed JSON as a SyntaxError with status 400. */
function isBodyParseError(err: unknown): err is { status: number; type: string; message: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { type?: unknown }).type === 'string' &&
    typeof (err as { status?: unknown }).status === 'number'
  );
}

export function toProblem(err: unknown, instance?: string): Problem {
  const base = (
    status: number,
    code: string,
    detail: string,
    errors?: readonly FieldIssue[],
  ): Problem => ({
    type: `https://stockflow.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  });
  if (err instanceof ValidationError) return base(400, err.code, err.message, err.issues);
  if (err instanceof StockflowError) {
    const status = STATUS_BY_CODE[err.code];
    return base(status, err.code, status === 500 ? 'internal error' : err.message);
  }
  if (isOpenApiValidatorError(err) && err.status < 500) {
    const status = err.status;
    const code =
      status === 400 ? 'VALIDATION_FAILED' : status === 404 ? 'NOT_FOUND' : `HTTP_${status}`;
    // Body paths read like the domain validator's (`/1/CATEGORY`, not `/body/1/CATEGORY`);
    // whole-body complaints (a one-or-array body's other branch) are noise next to field errors.
    const issues = (err.errors ?? []).map((e) => ({
      path: (e.path ?? '').replace(/^\/body(?=\/|$)/, ''),
      message: e.message ?? 'invalid',
    }));
    const specific = issues.filter((i) => i.path !== '');
    return base(status, code, err.message, specific.length > 0 ? specific : issues);
  }
  if (isBodyParseError(err) && err.status < 500) {
    return base(
      err.status,
      err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_BODY',
      err.message,
    );
  }
  return base(500, 'INTERNAL', 'internal error');
}

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').json(problem);
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const problem = toProblem(err, req.originalUrl);
    if (err instanceof OverloadedError) res.set('Retry-After', String(err.retryAfterSeconds));
    else if (problem.status >= 500) (req.log ?? logger).error({ err }, 'request failed');
    sendProblem(res, problem);
  };
}
