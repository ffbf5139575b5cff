import { DependencyUnavailableError, StockflowError } from './errors.js';

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there',
  ENOTFOUND: 'unknown host',
  ETIMEDOUT: 'no answer (timed out)',
  '28P01': 'password authentication failed',
  '28000': 'this role may not log in',
  '3D000': 'the database does not exist',
};

/**
 * Turns a low-level connection failure into one line saying which setting to
 * fix, e.g. "cannot reach Postgres at 127.0.0.1:5999 (DATABASE_URL): nothing listens there".
 */
export function explainConnectionError(
  err: unknown,
  what: string,
  address: string,
  setting: string,
): StockflowError {
  if (err instanceof StockflowError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const hint =
    (typeof code === 'string' && HINTS[code]) || message.split('\n')[0] || 'unknown error';
  return new DependencyUnavailableError(
    what,
    `cannot reach ${what} at ${address} (${setting}): ${hint}`,
    { cause: err },
  );
}

/** Host, port and database of a URL, never its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
