// The one seeded random generator of the tests and benchmarks, so that a failure or a figure
// reproduces from its seed. (The data generator, generator/random.ts, draws from a seeded
// faker instead: faker's names and texts come from its own generator.)

/** mulberry32: a fast 32-bit seeded generator of floats in [0, 1); the same seed, the same floats. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
