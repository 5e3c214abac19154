/**
 * The seeded pseudo-random generator behind every random choice of the projection (initial
 * positions, negative samples), so that the same data, parameters and seed give a byte-identical
 * layout in the extension, the worker and the CLI.
 */

/**
 * Mulberry32: a 32-bit state generator returning uniform doubles in [0, 1) with 32 random bits.
 * Small, fast and well distributed for this use; not cryptographic. The same function is handed
 * to umap-js (`random`) when it is used as the reference, so both draw the same numbers.
 */
export function seededRandom(seed: number): () => number {
  // Any finite seed maps to a 32-bit state; seeds differing only after the 32nd bit collide.
  let state = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
