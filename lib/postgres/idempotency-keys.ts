// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header, as Stripe does
// it): a retried request with the same key and body gets the first response
// again; the same key with another body, or while the first is still in
// flight, is refused. Everything here runs in the request's own transaction,
// so a key is recorded exactly when the work it answers for commits.
import type { Pool, PoolClient } from './pool.js';

export type KeyState =
  | { readonly state: 'new' }
  | { readonly state: 'in_flight' }
  | { readonly state: 'replay'; readonly statusCode: number; readonly response: unknown }
  | { readonly state: 'mismatch' };

/**
 * Claims the key for this transaction. A request holding it (not committed
 * yet) makes this one `in_flight` at once rather than waiting behind it.
 */
export async function claimKey(
  client: PoolClient,
  key: string,
  requestHash: string,
  keepHours: number,
): Promise<KeyState> {
  const lock = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7)) AS locked',
    [key],
  );
  if (!lock.rows[0]?.locked) return { state: 'in_flight' };
  const r = await client.query<{ request_hash: string; status_code: number; response: unknown }>(
    `SELECT request_hash, status_code, response FROM idempotency_keys
      WHERE key = $1 AND created_at > now() - make_interval(hours => $2)`,
    [key, keepHours],
  );
  const row = r.rows[0];
  if (!row) return { state: 'new' };
  return row.request_hash === requestHash
    ? { state: 'replay', statusCode: row.status_code, response: row.response }
    : { state: 'mismatch' };
}

/** Records the response of the key's first request (an expired record of it is replaced). */
export async function recordKey(
  client: PoolClient,
  key: string,
  requestHash: string,
  statusCode: number,
  response: unknown,
): Promise<void> {
  await client.query(
    `INSERT INTO idempotency_keys (key, request_hash, status_code, response) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
       status_code = EXCLUDED.status_code, response = EXCLUDED.response, created_at = now()`,
    [key, requestHash, statusCode, JSON.stringify(response)],
  );
}

/** Forgets keys older than `keepHours`; returns how many. */
export async function pruneKeys(db: Pool | PoolClient, keepHours: number): Promise<number> {
  const r = await db.query(
    'DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(hours => $1)',
    [keepHours],
  );
  return r.rowCount ?? 0;
}
