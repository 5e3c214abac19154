/**
 * A fast d^b (d = squared layout distance, b = UMAP's curve exponent) for the epochs.
 *
 * V8's Math.pow with a non-integer exponent costs 50-150 ns on this machine and exp(b log d)
 * ~45 ns, while everything else an SGD sample does costs ~20 ns; at N = 10 000 the epochs draw
 * ~80 million samples, so the power alone would eat most of the 10 s budget. Bit tricks on a
 * Float64Array alias were slower still here (store-forwarding stalls). A table of s^(2b) on a
 * uniform grid of s = sqrt(d), linearly interpolated, costs one sqrt and two loads.
 *
 * Accuracy: for s >= 0.25 the interpolation error is below 2e-6 relative (h^2/8 * |f''| / f,
 * h = 1/2048), checked against Math.pow in the unit tests; outside [0.25, 48) it falls back to
 * exp(b log d). That is far below the noise of the clipped stochastic gradient; the layout
 * quality is checked against umap-js's own (trustworthiness test), and the `exact` mode of the
 * optimiser (Math.pow, as umap-js) is checked bit for bit against umap-js.
 */

const STEPS_PER_UNIT = 2048;
const S_LO = 0.25;
const S_HI = 48;

/** Interpolated d^b for one exponent b. */
export class PowTable {
  /** s^(2b) at s = i / STEPS_PER_UNIT, for i up to S_HI * STEPS_PER_UNIT + 1. */
  readonly table: Float64Array;

  constructor(readonly b: number) {
    const size = S_HI * STEPS_PER_UNIT + 2;
    this.table = new Float64Array(size);
    for (let i = 0; i < size; i++) this.table[i] = Math.pow(i / STEPS_PER_UNIT, 2 * b);
  }

  /** d^b for d >= 0. */
  pow(d: number): number {
    return powFromTable(this.table, this.b, d);
  }
}

/** d^b from `table` (a PowTable's), with the exp/log fallback outside the tabulated range. */
export function powFromTable(table: Float64Array, b: number, d: number): number {
  const s = Math.sqrt(d);
  if (s >= S_LO && s < S_HI) {
    const x = s * STEPS_PER_UNIT;
    const i = x | 0;
    const lo = table[i];
    return lo + (x - i) * (table[i + 1] - lo);
  }
  return d > 0 ? Math.exp(b * Math.log(d)) : Math.pow(d, b);
}
