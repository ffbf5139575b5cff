// An in-process LRU of computed answers. Callers put the data watermark in the key (see
// queries/watermark.ts), so a new row in ClickHouse makes every older entry unreachable at once;
// the TTL bounds how long an entry lives even when the watermark cannot see a change (a table
// rewritten by hand, an ALTER … DELETE). Entries past their TTL are dropped when met; the LRU bound
// drops the rest.

export interface CacheOptions {
  /** Most entries kept; the least recently used goes first. */
  readonly maxEntries: number;
  /** Age after which an entry is not served any more, in ms; 0 turns caching off. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

export class AnswerCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #inFlight = new Map<string, Promise<V>>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: CacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = Math.max(0, options.ttlMs);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry); // most recently used goes last
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.#ttlMs === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /**
   * The cached value, or `compute()`'s, stored on success. Concurrent callers of one key share one
   * computation; a failure is not cached.
   */
  getOrCompute(key: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const promise = compute()
      .then((value) => {
        this.set(key, value);
        return value;
      })
      .finally(() => {
        this.#inFlight.delete(key);
      });
    this.#inFlight.set(key, promise);
    return promise;
  }
}
