import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { refresherService } from '../../processors/sink/refresher.js';

const logger = pino({ level: 'silent' });

describe('refresherService', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A refresher whose one step counts its runs and takes `takesMs` (fake time). */
  function counted(busy: (() => boolean) | undefined, takesMs = 0) {
    let runs = 0;
    const service = refresherService(
      'test-refresher',
      logger,
      1_000,
      {
        step: async () => {
          runs++;
          if (takesMs > 0) await new Promise((r) => setTimeout(r, takesMs));
          return { rowsWritten: 0 };
        },
      },
      busy && { busy, atMostMs: 30_000 },
    );
    return { service, runs: () => runs };
  }

  it('runs every interval while the consumer has no backlog', async () => {
    const r = counted(() => false);
    await r.service.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(r.runs()).toBe(5);
    await r.service.stop();
  });

  it('waits while busy, but never longer than atMostMs since its last run', async () => {
    const r = counted(() => true);
    await r.service.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(r.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(r.runs()).toBe(3);
    await r.service.stop();
  });

  it('runs within an interval of the backlog draining', async () => {
    let busy = true;
    const r = counted(() => busy);
    await r.service.start();
    await vi.advanceTimersByTimeAsync(5_500);
    expect(r.runs()).toBe(1);
    busy = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(r.runs()).toBe(2);
    await r.service.stop();
  });

  it('stops at once while waiting', async () => {
    const r = counted(() => true);
    await r.service.start();
    await vi.advanceTimersByTimeAsync(2_000);
    // With the clock frozen, only an early wake-up lets stop() finish.
    await r.service.stop();
    expect(r.runs()).toBe(1);
  });

  it('pauses four times as long as a run took, and without a backlog at most atMostMs', async () => {
    // Runs take 10 s: a fifth of the time is 40 s of pause, which an idle sink cuts to 30.
    const idle = counted(() => false, 10_000);
    await idle.service.start();
    await vi.advanceTimersByTimeAsync(10_000 + 29_500);
    expect(idle.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(idle.runs()).toBe(2);
    // The second run is under way: it ends with the clock moving on.
    const stopped = idle.service.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopped;
  });

  it('keeps to a fifth of the time while busy when runs take longer than atMostMs / 4', async () => {
    const busy = counted(() => true, 10_000);
    await busy.service.start();
    await vi.advanceTimersByTimeAsync(10_000 + 39_500);
    expect(busy.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(busy.runs()).toBe(2);
    // The second run is under way: it ends with the clock moving on.
    const stopped = busy.service.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopped;
  });

  it('without a deferral, pauses four times the last run however long', async () => {
    const plain = counted(undefined, 10_000);
    await plain.service.start();
    await vi.advanceTimersByTimeAsync(10_000 + 39_500);
    expect(plain.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(plain.runs()).toBe(2);
    // The second run is under way: it ends with the clock moving on.
    const stopped = plain.service.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopped;
  });
});
