/**
 * mulberry32: a small, fast, seeded random number generator, so generated data (benchmarks, the
 * fuzz test) is the same on every run and a failure can be replayed.
 *
 * @example
 *   const random = seededRandom(7);
 *   random(); // → a number in [0, 1), the same sequence for seed 7 every time
 */
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
