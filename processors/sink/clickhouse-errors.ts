// ClickHouse errors arrive as plain Errors (18.16 sends no codes the client
// parses); the network ones are worth another try, a bad query is not.
const TRANSIENT =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|Timeout error|TOO_MANY_SIMULTANEOUS_QUERIES|Too many simultaneous queries|Memory limit/i;

export function isTransientClickHouseError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const text = `${typeof e?.code === 'string' ? e.code : ''} ${typeof e?.message === 'string' ? e.message : ''}`;
  return TRANSIENT.test(text);
}
