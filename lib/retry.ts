import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Only errors this returns true for are retried; everything else is rethrown at once. */
  readonly isTransient: (err: unknown) => boolean;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Full-jitter delay before try `attempt + 1`: random up to min(cap, base · 2^(attempt−1)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  return Math.round(Math.random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

/** Capped exponential backoff with full jitter, for known transient failures only. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= maxAttempts || !options.isTransient(err) || options.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, base, cap);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
