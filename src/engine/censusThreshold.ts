/**
 * Float32 thresholds of the census: "t <= m" (t = d(a,n) - d(a,p) as a float64 expression on float32 distances) is
 * "the bit pattern of d(a,n) is <= the largest float32 satisfying it", found here exactly, ties included.
 */
import { bitsOf, floatOf } from './censusIndexData';

export const MAX_FINITE = 0x7f7fffff;

/** Bit pattern of the largest float32 v >= 0 with (v - dap) <= m (strict: < m); -1 when none. */
export function thresholdBits(dap: number, m: number, strict: boolean): number {
  const ok = (b: number): boolean => {
    const t = floatOf(b) - dap;
    return strict ? t < m : t <= m;
  };
  const c = Math.fround(dap + m);
  let b = !(c > 0) ? 0 : c === Infinity ? MAX_FINITE : bitsOf(c);
  if (ok(b)) {
    while (b < MAX_FINITE && ok(b + 1)) b++;
    return b;
  }
  while (b >= 0 && !ok(b)) b--;
  return b;
}

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

/** thresholdBits(dap, m, false) for m >= 0, without closures (the recount's hot path). */
export function thresholdLE(dap: number, m: number): number {
  const c = Math.fround(dap + m);
  if (c === Infinity) return thresholdBits(dap, m, false);
  F[0] = c;
  let b = U[0];
  if (c - dap <= m) {
    for (;;) {
      if (b >= MAX_FINITE) return b;
      U[0] = b + 1;
      if (F[0] - dap <= m) b++;
      else return b;
    }
  }
  for (;;) {
    if (--b < 0) return -1;
    U[0] = b;
    if (F[0] - dap <= m) return b;
  }
}
