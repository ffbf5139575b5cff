import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  javaCompatiblePartitioner,
  murmur2,
  partitionForKey,
} from '../../lib/kafka/partitioner.js';

const require = createRequire(import.meta.url);
// kafkajs' own Java-compatible hash, the reference this one must equal.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  key: Buffer | string,
) => number;

const metadata = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));

describe('murmur2', () => {
  it("matches Kafka's own test vectors (Java UtilsTest)", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('equals kafkajs for random keys of every length remainder, as strings and buffers', () => {
    for (let i = 0; i < 2_000; i++) {
      const bytes = randomBytes(i % 67);
      expect(murmur2(bytes)).toBe(kafkajsMurmur2(bytes));
      const text = i % 3 === 0 ? randomUUID() : `${randomUUID()}/${'é✓'.repeat(i % 5)}`;
      expect(partitionForKey(text, 7)).toBe((kafkajsMurmur2(text) & 0x7fffffff) % 7);
    }
  });

  it('hashes keys longer than its scratch buffer', () => {
    const long = 'x'.repeat(5_000) + '✓';
    expect(partitionForKey(long, 12)).toBe((kafkajsMurmur2(long) & 0x7fffffff) % 12);
  });
});

describe('javaCompatiblePartitioner', () => {
  it("assigns every message where kafkajs' DefaultPartitioner does", () => {
    const ours = javaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadata(5);
    for (let i = 0; i < 500; i++) {
      const message = { key: i % 2 ? randomUUID() : randomBytes(16), value: 'v' };
      const args = { topic: 't', partitionMetadata, message };
      expect(ours(args)).toBe(theirs(args));
    }
  });

  it('honours an explicit partition over the key', () => {
    const partition = javaCompatiblePartitioner()({
      topic: 't',
      partitionMetadata: metadata(3),
      message: { key: 'k', value: 'v', partition: 2 },
    });
    expect(partition).toBe(2);
  });

  it('spreads keyless messages round-robin over partitions with a leader', () => {
    const pick = javaCompatiblePartitioner();
    const partitionMetadata = metadata(4, [1]);
    const seen = Array.from({ length: 9 }, () =>
      pick({ topic: 't', partitionMetadata, message: { value: 'v' } }),
    );
    expect(new Set(seen)).toEqual(new Set([0, 2, 3]));
    // consecutive messages cycle through the three in a fixed order
    expect(seen.slice(3, 6)).toEqual(seen.slice(0, 3));
  });
});
