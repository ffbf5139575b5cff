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

  /** Runs take 10 s: the second one starts `pauseMs` after the first ended. */
  async function expectPause(busy: (() => boolean) | undefined, pauseMs: number) {
    const r = counted(busy, 10_000);
    await r.service.start();
    await vi.advanceTimersByTimeAsync(10_000 + pauseMs - 500);
    expect(r.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.runs()).toBe(2);
    // The second run is under way: it ends with the clock moving on.
    const stopped = r.service.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    await stopped;
  }

  it('pauses four times as long as a run took, and without a backlog at most atMostMs', () =>
    // A fifth of the time is 40 s of pause, which an idle sink cuts to 30.
    expectPause(() => false, 30_000));

  it('keeps to a fifth of the time while busy when runs take longer than atMostMs / 4', () =>
    expectPause(() => true, 40_000));

  it('without a deferral, pauses four times the last run however long', () =>
    expectPause(undefined, 40_000));
});
