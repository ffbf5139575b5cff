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

  function counted(busy: () => boolean) {
    let runs = 0;
    const service = refresherService(
      'test-refresher',
      logger,
      1_000,
      {
        step: () => {
          runs++;
          return Promise.resolve({ rowsWritten: 0 });
        },
      },
      { busy, atMostMs: 30_000 },
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
});
