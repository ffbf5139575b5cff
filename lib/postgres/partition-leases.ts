import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../logger.js';

// A pipelined consumer (lib/kafka/batch-consumer.ts) lets KafkaJS fetch past a batch whose work is
// still running. KafkaJS waits for running handlers before it rejoins its group, but not for that
// work, so after a rebalance a partition's new owner could start on offsets whose old owner is
// still writing them, and both would write them. A lease per partition closes that window: the
// owner holds it from its first batch until that partition's last work has finished after it
// lost the partition, and a new owner takes the partition's first batch only once it holds it.
//
// Postgres session advisory locks are the leases: a crashed or killed owner's session ends, and
// its leases with it.

export interface PartitionLeases {
  /**
   * Holds the partition's lease, waiting while another process holds it. False if `cancelled`
   * became true first.
   */
  acquire(topic: string, partition: number, cancelled: () => boolean): Promise<boolean>;
  /**
   * Gives the partition's lease up once `after` settles (no-op if not held). It counts as given
   * up at once: an `acquire` meanwhile takes it again, and keeps it.
   */
  release(topic: string, partition: number, after?: Promise<unknown>): Promise<void>;
  /** Gives every lease up and closes the session. */
  close(): Promise<void>;
}

/** The advisory lock key of a partition's lease: 64 bits of a hash, as a signed bigint string. */
export function leaseKey(scope: string, topic: string, partition: number): string {
  const digest = createHash('sha256')
    .update(`stockflow.partition-lease\0${scope}\0${topic}\0${partition}`)
    .digest();
  return digest.readBigInt64BE(0).toString();
}

const POLL_MS = 200;
const WARN_EVERY_MS = 10_000;

/**
 * Leases in one Postgres session taken from `pool` for as long as any is held. `scope` names what
 * the leases protect (the sink's ClickHouse database), so deployments sharing a Postgres do not
 * wait on each other. If the session breaks, its leases are gone: `onLost` is told, and the
 * process must stop writing.
 */
export function postgresLeases(
  pool: Pool,
  scope: string,
  logger: Logger,
  onLost: (err: Error) => void,
): PartitionLeases {
  const held = new Set<string>();
  let session: Promise<{ client: PoolClient; end: (err?: Error) => void }> | undefined;
  const client = async () => {
    session ??= pool.connect().then((c) => {
      let ended = false;
      const end = (err?: Error) => {
        if (ended) return;
        ended = true;
        c.off('error', onError);
        // An error destroys the connection (and the session's locks) instead of pooling it.
        c.release(err);
      };
      const onError = (err: Error) => {
        session = undefined;
        held.clear();
        end(err);
        onLost(new Error('partition lease session lost', { cause: err }));
      };
      c.on('error', onError);
      return { client: c, end };
    });
    // A failed connect is not kept: the next acquire tries again.
    session.catch(() => {
      session = undefined;
    });
    return (await session).client;
  };
  const name = (topic: string, partition: number) => `${topic}/${partition}`;

  return {
    async acquire(topic, partition, cancelled) {
      const key = leaseKey(scope, topic, partition);
      if (held.has(key)) return true;
      const c = await client();
      const since = Date.now();
      let warned = since;
      for (;;) {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
          key,
        ]);
        if (r.rows[0]?.ok) {
          held.add(key);
          if (Date.now() - since >= POLL_MS) {
            logger.info(
              { partition: name(topic, partition), waited_ms: Date.now() - since },
              'partition lease taken over from another process',
            );
          }
          return true;
        }
        if (cancelled()) return false;
        if (Date.now() - warned >= WARN_EVERY_MS) {
          warned = Date.now();
          logger.warn(
            { partition: name(topic, partition), waited_ms: warned - since },
            'waiting for another process to finish its work on a partition (its lease)',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async release(topic, partition, after) {
      const key = leaseKey(scope, topic, partition);
      if (!held.delete(key)) return;
      const s = session;
      await after?.catch(() => undefined);
      // Session locks count: an acquire in between locked it once more, so it stays held.
      if (s) await (await s).client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    },
    async close() {
      held.clear();
      const s = session;
      session = undefined;
      if (!s) return;
      const { client: c, end } = await s;
      try {
        await c.query('SELECT pg_advisory_unlock_all()');
        end();
      } catch (err) {
        end(err as Error);
      }
    },
  };
}
