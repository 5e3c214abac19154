/**
 * A fast d^b (d = squared layout distance, b = UMAP's curve exponent) for the epochs.
 *
 * V8's Math.pow with a non-integer exponent costs 50-150 ns on this machine and exp(b log d)
 * ~45 ns, while everything else an SGD sample does costs ~20 ns; at N = 10 000 the epochs draw
 * ~80 million samples, so the power alone would eat most of the 10 s budget. Bit tricks on a
 * Float64Array alias were slower still here (store-forwarding stalls). A table of s^(2b) on two
 * uniform grids of s = sqrt(d) (fine below s = 4, coarse above), linearly interpolated, costs one
 * sqrt and two loads, and stays small (~200 KB) so it lives in cache.
 *
 * Accuracy: the interpolation error is h^2/8 * |f''| / f = h^2 2b(2b-1) / (8 s^2) relative:
 * below 3e-6 for the default curve (b = 0.895) on [1/8, 256) and 3e-5 for min_dist 1 (b = 2.25),
 * checked against Math.pow in the unit tests; outside that range it falls back to exp(b log d).
 * That is far below the noise of the clipped stochastic gradient; the layout quality is checked
 * against umap-js's own (trustworthiness test), and the `exactPow` mode of the optimiser
 * (Math.pow, as umap-js) is checked bit for bit against umap-js.
 */

/** Fine grid: s in [S_LO, S_MID) with step 1/FINE (the curve bends most at small s). */
const FINE = 2048;
const S_LO = 0.125;
const S_MID = 4;
/** Coarse grid: s in [S_MID, S_HI) with step 1/COARSE (relative error there ~ h^2 / (8 s^2)). */
const COARSE = 64;
const S_HI = 256;
const FINE_SIZE = S_MID * FINE + 1;

/** Interpolated d^b for one exponent b. */
export class PowTable {
  /** s^(2b) on the fine grid (s = i / FINE), then on the coarse grid (s = S_MID + i / COARSE). */
  readonly table: Float64Array;

  constructor(readonly b: number) {
    const coarseSize = (S_HI - S_MID) * COARSE + 2;
    this.table = new Float64Array(FINE_SIZE + coarseSize);
    for (let i = 0; i < FINE_SIZE; i++) this.table[i] = Math.pow(i / FINE, 2 * b);
    for (let i = 0; i < coarseSize; i++) this.table[FINE_SIZE + i] = Math.pow(S_MID + i / COARSE, 2 * b);
  }

  /** d^b for d >= 0. */
  pow(d: number): number {
    return powFromTable(this.table, this.b, d);
  }
}

/** d^b from `table` (a PowTable's), with the exp/log fallback outside the tabulated range. */
export function powFromTable(table: Float64Array, b: number, d: number): number {
  const s = Math.sqrt(d);
  let x: number;
  if (s >= S_LO && s < S_MID) x = s * FINE;
  else if (s >= S_MID && s < S_HI) x = FINE_SIZE + (s - S_MID) * COARSE;
  else return d > 0 ? Math.exp(b * Math.log(d)) : Math.pow(d, b);
  const i = x | 0;
  const lo = table[i];
  return lo + (x - i) * (table[i + 1] - lo);
}
