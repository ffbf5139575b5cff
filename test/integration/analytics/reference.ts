import { DAY, sec, type Sale } from './dataset.js';

// The same questions the analytics API answers, asked of the generated rows in TypeScript.

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const sum = (xs: readonly number[]): bigint => xs.reduce((s, x) => s + BigInt(x), 0n);
export const dec = (cents: bigint): string => {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
};
/** A JSON money number back to cents (exact below 10^13). */
export const cents = (n: unknown): bigint => BigInt(Math.round((n as number) * 100));
export const share = (part: bigint, whole: bigint): number | null =>
  whole === 0n ? null : Number((2n * part * 10_000n + whole) / (2n * whole)) / 100;
export const dayOf = (s: number): string => new Date(s * 1000).toISOString().slice(0, 10);
export const group = <T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> => {
  const m = new Map<K, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
};

/** Sale lines paid in [start, end) seconds. */
export const paidIn = (sales: readonly Sale[], start: number, end: number) =>
  sales.filter((s) => s.paid_at >= start && s.paid_at < end);
/** Whole UTC days first..last inclusive, as seconds [start, end). */
export const days = (first: string, last: string): [number, number] => [
  sec(`${first}T00:00:00Z`),
  sec(`${last}T00:00:00Z`) + DAY,
];
