import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../lib/logger.js';
import { backoffDelay } from '../../lib/retry.js';

export interface ListenOptions {
  readonly connectionString: string;
  /** A plain lower-case identifier: it is part of the LISTEN statement. */
  readonly channel: string;
  /** Called for each notification, and after every (re)connect for what was sent while away. */
  readonly onNotify: () => void;
  readonly logger: Logger;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * LISTENs on a channel over a connection of its own (a pooled one would be
 * handed back and stop hearing), reconnecting with capped backoff when it
 * drops. Notifications are hints: callers still poll, since any sent while
 * the connection was down are gone.
 */
export function listen(options: ListenOptions): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel))
    throw new Error(`not a channel name: ${options.channel}`);
  let closed = false;
  let current: pg.Client | undefined;
  const stop = new AbortController();
  const loop = (async () => {
    for (let attempt = 1; !closed; attempt++) {
      const client = new pg.Client({
        connectionString: options.connectionString,
        connectionTimeoutMillis: 5_000,
      });
      const ended = new Promise<unknown>((resolve) => {
        client.once('error', resolve);
        client.once('end', () => resolve(undefined));
      });
      client.on('notification', (n) => {
        if (n.channel === options.channel) options.onNotify();
      });
      current = client;
      try {
        await client.connect();
        await client.query(`LISTEN ${options.channel}`);
        attempt = 0;
        options.onNotify();
        const err = await ended;
        if (!closed) options.logger.warn({ err }, `lost LISTEN ${options.channel}; reconnecting`);
      } catch (err) {
        if (!closed) options.logger.warn({ err, attempt }, `could not LISTEN ${options.channel}`);
      } finally {
        current = undefined;
        await client.end().catch(() => undefined);
      }
      await sleep(backoffDelay(attempt, 200, 5_000), undefined, { signal: stop.signal }).catch(
        () => undefined,
      );
    }
  })();
  return {
    async close() {
      closed = true;
      stop.abort();
      await current?.end().catch(() => undefined);
      await loop;
    },
  };
}
