import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../testkit/random.js';

describe('seededRandom', () => {
  it('gives mulberry32’s floats: the data sets and benchmarks built on a seed stay the same', () => {
    const r = seededRandom(1);
    expect([r(), r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    const s = seededRandom(20250101);
    expect([s(), s(), s()]).toEqual([0.829803925473243, 0.010385046247392893, 0.3234810051508248]);
  });

  it('repeats itself for a seed, differs between seeds, and stays in [0, 1)', () => {
    const draw = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 10_000 }, () => r());
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});
