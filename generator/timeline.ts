import type { GenerateOptions } from './types.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Seeds of the random streams: the seed, the stream, and the period (so another period gets new ids). */
export const STREAM = {
  choices: 1,
  movements: 2,
  sales: 3,
  movementFaults: 4,
  saleFaults: 5,
} as const;

export function streamSeed(options: GenerateOptions, stream: number): number[] {
  const minutes = (d: Date): number => Math.floor(d.getTime() / MINUTE);
  return [options.seed, stream, minutes(options.from), minutes(options.to)];
}

/** `2025-02-18T14:34:56Z`, as in seed 001. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `2025-02-18 14:34:56` (UTC), as sale lines carry it. */
export function paymentDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The default period: the 90 days before today (UTC midnight), so one day's runs agree byte for byte. */
export function defaultPeriod(now = new Date()): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: new Date(to.getTime() - 90 * DAY), to };
}
