import type { ICustomPartitioner } from 'kafkajs';

// kafkajs' DefaultPartitioner hashes every key with a murmur2 built on a
// 64-bit Long emulation and filters the partition list per message: at the
// outbox relay's rate that was a tenth of the processor's CPU. This is the same
// Java-compatible assignment (a keyed message lands where the Java client and
// kafkajs would put it) in 32-bit integer arithmetic.

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2) of `length` bytes of `data`, as a signed 32-bit int. */
export function murmur2(data: Buffer, length = data.length): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data.readUInt8(whole + 2) << 16;
    if (rest >= 2) h ^= data.readUInt8(whole + 1) << 8;
    h ^= data.readUInt8(whole);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

// Keys are short (ids): encode them into one reused buffer instead of a new one per message.
const scratch = Buffer.allocUnsafe(1024);

function hashKey(key: Buffer | string): number {
  if (typeof key !== 'string') return murmur2(key);
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (key.length * 3 <= scratch.length) return murmur2(scratch, scratch.write(key, 0, 'utf8'));
  return murmur2(Buffer.from(key, 'utf8'));
}

const toPositive = (x: number) => x & 0x7fffffff;

/** Partition for a key among `partitions`, as Kafka's default partitioner assigns it. */
export function partitionForKey(key: Buffer | string, partitions: number): number {
  return toPositive(hashKey(key)) % partitions;
}

/**
 * Drop-in for kafkajs' DefaultPartitioner: an explicit partition wins, a key
 * is hashed with murmur2, and keyless messages go round-robin over partitions
 * that have a leader.
 */
export const javaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined)
      return partitionForKey(message.key, partitionMetadata.length);
    const next = (counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pick = available[toPositive(next) % Math.max(1, available.length)];
    return pick ? pick.partitionId : toPositive(next) % partitionMetadata.length;
  };
};
