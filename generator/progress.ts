// Progress of a run: a bar redrawn in place on a terminal, one line every few
// seconds otherwise (CI logs, pipes). Self-drawn, no dependency.

export interface Progress {
  start(total: number): void;
  update(done: number): void;
  finish(): void;
}

export const noProgress: Progress = { start() {}, update() {}, finish() {} };

interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Draw a bar (default: whether `out` is a terminal). */
  readonly tty?: boolean;
  /** Between lines when not a terminal. */
  readonly everyMs?: number;
  readonly now?: () => number;
}

export function streamProgress(out: Output, options: ProgressOptions = {}): Progress {
  const tty = options.tty ?? out.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const everyMs = tty ? 100 : (options.everyMs ?? 5_000);
  let total = 0;
  let started = 0;
  let last = -Infinity;
  let done = 0;

  const render = (): string => {
    const elapsed = (now() - started) / 1_000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const share = total > 0 ? done / total : 1;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const numbers = `${(share * 100).toFixed(1).padStart(5)}%  ${fmt(done)}/${fmt(total)}  ${fmt(rate)} ev/s  ETA ${duration(eta)}`;
    if (!tty) return `progress ${numbers}`;
    const width = Math.max(10, Math.min(40, (out.columns || 80) - numbers.length - 4));
    const full = Math.round(share * width);
    return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${numbers}`;
  };

  return {
    start(n) {
      total = n;
      started = now();
    },
    update(n) {
      done = n;
      const t = now();
      if (t - last < everyMs) return;
      last = t;
      out.write(tty ? `\r\x1b[2K${render()}` : `${render()}\n`);
    },
    finish() {
      if (tty) out.write(`\r\x1b[2K${render()}\n`);
    },
  };
}

/** Progress as log lines, every `everyMs`: for a service publishing demo data. */
export function logProgress(
  log: (fields: Record<string, number>, message: string) => void,
  everyMs = 5_000,
): Progress {
  let total = 0;
  let last = 0;
  return {
    start(n) {
      total = n;
      last = performance.now();
    },
    update(done) {
      const t = performance.now();
      if (t - last < everyMs) return;
      last = t;
      log({ done, total }, 'publishing generated data');
    },
    finish() {},
  };
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const pad = (v: number) => String(v).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
