/**
 * Seeded randomness for the sample generator. Math.random would make every regeneration differ;
 * a 32-bit generator seeded from the command line makes `npm run sample` byte-reproducible.
 */

/** A function returning uniform floats in [0, 1). */
export type Rand = () => number;

/**
 * mulberry32 (Tommy Ettinger): 32-bit state, passes the usual statistical batteries, and uses only
 * integer arithmetic, so it gives the same stream on every JS engine.
 */
export function mulberry32(seed: number): Rand {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randInt(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** Fisher-Yates shuffle in place; returns its argument. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(arr: T, rand: Rand): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}
