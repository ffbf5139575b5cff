// How far behind a consumer is, as its own batches tell it: the messages still waiting in each of
// its partitions when it last fetched there (the fetch's high watermark), plus those fetched but
// not yet handled. Other work that competes for the same machine (the sink's refreshers) asks
// it whether to wait: while a backlog drains, every CPU-second spent elsewhere slows the drain.

export class ConsumerBacklog {
  private readonly partitions = new Map<string, { waiting: number; handling: number }>();

  /** A batch of `rows` messages was fetched, and `waiting` more stood after it. */
  fetched(topic: string, partition: number, rows: number, waiting: number): void {
    const p = this.entry(topic, partition);
    p.waiting = Math.max(0, waiting);
    p.handling += rows;
  }

  /** A fetched batch of `rows` messages was handled, or failed and will be fetched again. */
  settled(topic: string, partition: number, rows: number): void {
    const p = this.entry(topic, partition);
    p.handling = Math.max(0, p.handling - rows);
  }

  /**
   * After a rebalance: what other consumers now wait for is no longer this one's backlog.
   * Partitions with batches still being handled stay until those settle.
   */
  retain(assigned: ReadonlySet<string>): void {
    for (const [k, p] of this.partitions) {
      if (assigned.has(k)) continue;
      p.waiting = 0;
      if (p.handling === 0) this.partitions.delete(k);
    }
  }

  /** Messages waiting for or being handled by this consumer. */
  rows(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.waiting + p.handling;
    return n;
  }

  private entry(topic: string, partition: number) {
    const k = backlogKey(topic, partition);
    let p = this.partitions.get(k);
    if (!p) this.partitions.set(k, (p = { waiting: 0, handling: 0 }));
    return p;
  }
}

/** How `retain` names a partition. */
export const backlogKey = (topic: string, partition: number): string => `${topic}\0${partition}`;
