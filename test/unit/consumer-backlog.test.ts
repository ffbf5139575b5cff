import { describe, expect, it } from 'vitest';
import { backlogKey, ConsumerBacklog } from '../../lib/kafka/consumer-backlog.js';

describe('ConsumerBacklog', () => {
  it('counts what waits after each partition’s last fetch and what is being handled', () => {
    const b = new ConsumerBacklog();
    expect(b.rows()).toBe(0);
    b.fetched('sales', 0, 200_000, 133_000);
    b.fetched('sales', 1, 150_000, 0);
    expect(b.rows()).toBe(483_000);
    // The next batch of partition 0 replaces what waited, and adds to what is handled.
    b.fetched('sales', 0, 133_000, 0);
    expect(b.rows()).toBe(483_000);
    b.settled('sales', 0, 200_000);
    b.settled('sales', 1, 150_000);
    expect(b.rows()).toBe(133_000);
    b.settled('sales', 0, 133_000);
    expect(b.rows()).toBe(0);
  });

  it('takes a failed batch off what is handled (it is fetched again, and counted then)', () => {
    const b = new ConsumerBacklog();
    b.fetched('sales', 0, 1_000, 5_000);
    b.settled('sales', 0, 1_000);
    expect(b.rows()).toBe(5_000);
    b.fetched('sales', 0, 1_000, 5_000);
    expect(b.rows()).toBe(6_000);
  });

  it('forgets what waits in partitions lost in a rebalance, not batches still being handled', () => {
    const b = new ConsumerBacklog();
    b.fetched('sales', 0, 100, 10_000);
    b.fetched('sales', 1, 200, 20_000);
    b.fetched('sales', 2, 0, 30_000);
    b.retain(new Set([backlogKey('sales', 0)]));
    expect(b.rows()).toBe(100 + 10_000 + 200);
    b.settled('sales', 1, 200);
    expect(b.rows()).toBe(10_100);
    // A partition that comes back starts from its next fetch.
    b.fetched('sales', 2, 50, 0);
    expect(b.rows()).toBe(10_150);
  });

  it('never counts below zero', () => {
    const b = new ConsumerBacklog();
    b.settled('sales', 0, 10);
    b.fetched('sales', 1, 0, -1);
    expect(b.rows()).toBe(0);
  });
});
