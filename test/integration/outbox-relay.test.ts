import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { producerService } from '../../lib/kafka/services.js';
import { createRegistry } from '../../lib/metrics.js';
import { processorMetrics } from '../../processors/metrics.js';
import { ensureMovementTopics } from '../../lib/kafka/topics.js';
import type { Service } from '../../lib/lifecycle.js';
import { outboxRelay } from '../../processors/relay/outbox-relay.js';
import {
  createPipeline,
  eventually,
  readTopic,
  type Pipeline,
} from '../../testkit/pipeline-harness.js';
import { testKafka, testLogger } from '../../testkit/resources.js';

// The relay is woken only by the outbox trigger's NOTIFY here: its poll is
// set far beyond the test's timeouts, so a message that arrives proves the
// notification path (and, after the kill, the reconnect). Each test has a
// pipeline of its own (random topics and databases) and starts its own relay.
const NEVER = 3_600_000;
const LISTENING = `SELECT pid FROM pg_stat_activity
  WHERE datname = current_database() AND query = 'LISTEN stockflow_outbox'`;

describe('outbox relay as its own role', () => {
  let p: Pipeline;
  let services: Service[] = [];
  beforeEach(async () => {
    p = await createPipeline();
    const admin = testKafka().admin();
    await admin.connect();
    await ensureMovementTopics(admin, p.topics, 3);
    await admin.disconnect();
  });
  afterEach(async () => {
    for (const s of services.reverse()) await s.stop();
    services = [];
    await p?.close();
  });

  async function startRelay(): Promise<void> {
    const producer = producerService(p.runtime.kafka, 'test-relay-producer');
    const relay = outboxRelay({
      pool: p.runtime.pool,
      producer: producer.producer,
      logger: testLogger,
      metrics: processorMetrics(createRegistry()),
      idleMs: NEVER,
      listenUrl: p.env.DATABASE_URL,
    });
    await producer.start();
    services.push(producer);
    await relay.start();
    services.push(relay);
  }

  const insert = (keys: string[]) =>
    p.runtime.pool.query(
      `INSERT INTO outbox (topic, key, payload)
       SELECT $1, k, jsonb_build_object('n', n) FROM unnest($2::text[]) WITH ORDINALITY AS u(k, n)`,
      [p.topics.stockChanges, keys],
    );
  const outboxRows = async () =>
    Number(
      (await p.runtime.pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox')).rows[0]?.n,
    );
  /** Waits for the relay's LISTEN session (other than `not`, one killed); its pid. */
  const listening = (what: string, not?: number) =>
    eventually(
      async () => {
        const r = await p.runtime.pool.query<{ pid: number }>(LISTENING);
        const pid = r.rows[0]?.pid;
        return r.rowCount === 1 && pid !== not ? pid : undefined;
      },
      15_000,
      what,
    );

  it('publishes what was committed before it started, per key in outbox order, and empties the outbox', async () => {
    await insert(['a', 'b', 'a', 'c', 'a']);
    await startRelay();
    const got = await readTopic(p.topics.stockChanges, 5);
    const a = got.filter((m) => m.key?.toString() === 'a').map((m) => m.value?.toString());
    expect(a).toEqual(['{"n": 1}', '{"n": 3}', '{"n": 5}']);
    expect(got).toHaveLength(5);
    await eventually(async () => ((await outboxRows()) === 0 ? true : undefined), 10_000, 'empty');
  });

  it('wakes on the trigger notification, also after its LISTEN connection is killed', async () => {
    await startRelay();
    // Inserted only once the relay listens: the notification is all that can wake it.
    const first = await listening('the relay to listen');
    await insert(['d']);
    await eventually(async () => ((await outboxRows()) === 0 ? true : undefined), 10_000, 'notify');
    const killed = await p.runtime.pool.query<{ ok: boolean }>(
      'SELECT pg_terminate_backend($1) AS ok',
      [first],
    );
    expect(killed.rows.map((r) => r.ok)).toEqual([true]);
    // Listening again, on a new connection, is what makes the next insert reach Kafka.
    await listening('the relay to listen again', first);
    await insert(['e']);
    await eventually(
      async () => ((await outboxRows()) === 0 ? true : undefined),
      10_000,
      'relisten',
    );
    const keys = (await readTopic(p.topics.stockChanges, 2)).map((m) => m.key?.toString());
    expect(keys.sort()).toEqual(['d', 'e']);
  });
});
