// Money is integer cents everywhere (ClickHouse Int64, bigint here); it becomes a decimal only at
// the edge, by string manipulation, never by float arithmetic.

/** Cents as an exact decimal string with two places: 0 → "0.00", -5 → "-0.05", 123456 → "1234.56". */
export function centsToDecimal(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * Cents as a JSON number, parsed from the exact decimal string: the nearest double to the exact
 * amount, which JSON prints back as that decimal for every amount of at most 15 significant digits
 * (below 10^13 in absolute value). Larger amounts keep their nearest double; CSV stays exact.
 */
export function centsToNumber(cents: bigint): number {
  return Number(centsToDecimal(cents));
}

/** An integer as ClickHouse sends it in JSON (64-bit integers arrive as strings). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError(`expected an integer from ClickHouse, got ${typeof value}`);
}

/** An integer count that fits a JSON number exactly. */
export function toCount(value: unknown): number {
  const n = toBigInt(value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`count ${n} is beyond 2^53`);
  }
  return Number(n);
}

/**
 * `part / whole` in percent with two decimals, rounded half away from zero, computed exactly in
 * integers: (3, 8) → 37.5, (1, 3) → 33.33, (2, 3) → 66.67. `null` when `whole` is 0.
 */
export function percent(part: bigint, whole: bigint): number | null {
  if (whole === 0n) return null;
  const negative = part < 0n !== whole < 0n && part !== 0n;
  const p = part < 0n ? -part : part;
  const w = whole < 0n ? -whole : whole;
  const hundredths = (p * 20_000n + w) / (2n * w); // round(p * 10000 / w), halves up
  return Number(negative ? -hundredths : hundredths) / 100;
}
