// Random bytes on every raw topic: each lands in its stream's DLQ byte for
// byte with its reasons, and the partition keeps moving (a valid message sent
// after them comes out validated).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../lib/kafka/dead-letter.js';
import { movementEvent } from '../../testkit/movement-events.js';
import { createPipeline, readTopic, type Pipeline } from '../../testkit/pipeline-harness.js';
import { SEED_003_REQUEST } from '../fixtures/sales.js';

const RANDOM_MESSAGES = 40;

describe('random bytes on every raw topic', () => {
  let p: Pipeline;

  beforeAll(async () => {
    p = await createPipeline({ KAFKA_PARTITIONS: '1' });
    await p.startRole('ingest');
  }, 120_000);
  afterAll(async () => {
    await p?.close();
  });

  it('go to the DLQ as they were, with reasons, and the partition keeps moving', async () => {
    const streams = [
      { name: 'movements', topics: p.topics, valid: movementEvent('inventory') },
      { name: 'sales', topics: p.sales, valid: SEED_003_REQUEST },
      {
        name: 'orders',
        topics: p.orders,
        valid: { user_id: 'user123', item_ids: ['item1', 'item2'], total_amount: 99.99 },
      },
    ];
    for (const s of streams) {
      // Random bytes, random text and random JSON: none of them a valid message.
      const junk = fc.sample(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.string({ unit: 'binary', maxLength: 100 }).map((t) => Buffer.from(t)),
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        ),
        RANDOM_MESSAGES,
      );
      await p.produce(s.topics.raw, [...junk, JSON.stringify(s.valid)]);
      const dead = await readTopic(s.topics.dlq, junk.length, 60_000);
      expect(
        dead.map((m) => Buffer.from(m.value ?? Buffer.alloc(0)).toString('hex')),
        s.name,
      ).toEqual(junk.map((b) => b.toString('hex')));
      for (const m of dead) {
        const errors = JSON.parse(String(m.headers?.[DLQ_HEADERS.errors])) as { message: string }[];
        expect(errors.length, s.name).toBeGreaterThan(0);
        expect(
          errors.every((e) => e.message.length > 0),
          s.name,
        ).toBe(true);
      }
      const validated = await readTopic(s.topics.validated, 1, 60_000);
      expect(validated, s.name).toHaveLength(1);
    }
  }, 300_000);
});
