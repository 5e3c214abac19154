/**
 * The dragged slider's fast recount: margin-independent block fences over each anchor's sorted negatives, and the
 * per-anchor count that gallops over them (same counts and bit-identical loss sums as `countAnchor` in
 * censusCount.ts, without class pairs or per-sample counts).
 */
import type { CensusIndex } from './censusTypes';
import { countAtMost, IndexData, PREFIX_SHIFT, PREFIX_STEP, prefixSum } from './censusIndexData';
import { thresholdBits, thresholdLE } from './censusThreshold';

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

/**
 * With a tie at the threshold (fl(v - dap) == m for v = tb): true when the nearest j negatives
 * all also satisfy t < m, i.e. the j-th one's pattern is <= the strict threshold, which lies
 * below tb (thresholdBits' answer for a monotone predicate, found walking down from tb - 1).
 * Then the t < m count is j too; otherwise the caller searches afresh. `run` is at or after the
 * run holding position j - 1.
 */
function lastBelowStrict(
  idx: IndexData,
  i: number,
  j: number,
  run: number,
  tb: number,
  dap: number,
  m: number,
): boolean {
  let sb = tb - 1;
  for (; sb >= 0; sb--) {
    U[0] = sb;
    if (F[0] - dap < m) break;
  }
  if (sb < 0) return false;
  const r0 = idx.runOff[i],
    r1 = idx.runOff[i + 1];
  let r = Math.min(run, r1 - 1);
  while (r > r0 && idx.runStart[r] > j - 1) r--;
  return ((idx.runUpper[r] << 16) | idx.lower[idx.negOff[i] + j - 1]) >>> 0 <= sb;
}

/**
 * Margin-independent block fences, built once per index on the first recount: for every
 * PREFIX_STEP-aligned block of an anchor's sorted negatives (laid out like `prefix`), the full
 * bit pattern of its first entry (0xffffffff past the end: above every threshold) and the run
 * containing it. A positive's threshold is then found by a galloping search in this small array
 * and a scan of at most one block, which also yields the block's partial sum in order.
 */
export interface Fences {
  fence: Uint32Array;
  blockRun: Uint32Array;
}

/**
 * Builds the fast recount's fences now (otherwise the first `classPairs: false` recount does:
 * about 100 ms at N = 10 000, felt as a stall on the slider's first move). Returns whether the
 * index has them (an index too large for int32 offsets recounts without).
 */
export function prepareFastRecount(index: CensusIndex): boolean {
  return fencesOf(index as IndexData) !== undefined;
}

/** Whether the fast recount's fences are built for this index (tests read it). */
export function fastRecountReady(index: CensusIndex): boolean {
  return fenceCache.has(index as IndexData);
}
const fenceCache = new WeakMap<IndexData, Fences>();

/**
 * The fences of an index: kept beside a whole index (every slider move recounts it), built in the
 * pass's reused buffers for a block index (counted once, then replaced by the next block).
 */
export function fencesOf(idx: IndexData): Fences | undefined {
  let f = fenceCache.get(idx);
  if (f) return f;
  const A = idx.anchorEnd - idx.anchorStart,
    len = idx.prefOff[A];
  // countAnchorFenced keeps negative, positive, run and block offsets in int32 (far beyond any index that fits in
  // memory).
  if (!(idx.posOff[A] < 2 ** 31 && idx.runOff[A] < 2 ** 31 && idx.negOff[A] < 2 ** 31 && len < 2 ** 31))
    return undefined;
  const store = idx.storage;
  const fence = (store ? store.take('fence', (l) => new Uint32Array(l), len) : new Uint32Array(len)).fill(0xffffffff);
  const blockRun = store ? store.take('blockRun', (l) => new Uint32Array(l), len) : new Uint32Array(len);
  const rs = idx.runStart,
    up = idx.runUpper,
    low = idx.lower;
  for (let i = 0; i < A; i++) {
    const off = idx.negOff[i],
      neg = idx.negOff[i + 1] - off,
      r1 = idx.runOff[i + 1] | 0,
      pOff = idx.prefOff[i] | 0;
    const lowA = low.subarray(off, off + neg);
    let run = idx.runOff[i] | 0;
    for (let b = 0, j = 0; j < neg; b++, j += PREFIX_STEP) {
      while (run + 1 < r1 && rs[run + 1] <= j) run++;
      fence[pOff + b] = ((up[run] << 16) | lowA[j]) >>> 0;
      blockRun[pOff + b] = run;
    }
  }
  f = { fence, blockRun };
  if (!store) fenceCache.set(idx, f);
  return f;
}

/**
 * countAnchor without class pairs or per-sample counts (the dragged slider's recount). While the
 * threshold stays below the next block's fence the walk goes on linearly inside the current
 * block; once it passes that fence it jumps to the last block whose fence is <= the threshold (a
 * galloping search over the fences), then scans at most that block, summing it in order as
 * `blockPartial` does: O(P (log neg + PREFIX_STEP)) whatever the number of violating triplets,
 * same counts and bit-identical loss sum as countAnchor.
 */
export function countAnchorFenced(
  idx: IndexData,
  i: number,
  m: number,
  k: Uint32Array,
  acc: Float64Array,
  fs: Fences,
): number {
  const p0 = idx.posOff[i] | 0,
    P = (idx.posOff[i + 1] - p0) | 0,
    r0 = idx.runOff[i] | 0,
    r1 = idx.runOff[i + 1] | 0;
  const off = idx.negOff[i] | 0,
    neg = (idx.negOff[i + 1] - off) | 0;
  const low = idx.lower;
  const posDist = idx.posDist,
    rs = idx.runStart,
    up = idx.runUpper,
    hardLE = idx.hardLE,
    hardLT = idx.hardLT;
  const pref = idx.prefix,
    pOff = idx.prefOff[i] | 0,
    fence = fs.fence,
    blockRun = fs.blockRun;
  const B = (neg + PREFIX_STEP - 1) >> PREFIX_SHIFT; // blocks holding entries
  let lossA = 0,
    V = 0,
    Vs = 0,
    H = 0,
    Hs = 0;
  // blockSum: distances from the last multiple of PREFIX_STEP up to j, added in order.
  let j = 0,
    blockSum = 0,
    run = r0,
    upper = up[r0] << 16,
    nextRun = r0 + 1 < r1 ? rs[r0 + 1] : neg;
  for (let q = 0; q < P; q++) {
    const dap = posDist[p0 + q],
      tb = thresholdLE(dap, m);
    const nb = (j >> PREFIX_SHIFT) + 1;
    if (nb < B && fence[pOff + nb] <= tb) {
      // Last block whose first entry is <= tb: gallop from nb, then bisect.
      let lo = nb,
        step = 1,
        hi = nb + 1;
      while (hi < B && fence[pOff + hi] <= tb) {
        lo = hi;
        step *= 2;
        hi = lo + step;
      }
      if (hi > B) hi = B;
      // Branch-free bisection (fences below B are finite patterns, so tb - f fits an int32):
      // keeps lo the last fence <= tb in [lo, hi).
      for (let len = hi - lo; len > 1;) {
        const half = len >> 1;
        lo += half & ~((tb - fence[pOff + lo + half]) >> 31);
        len -= half;
      }
      j = lo << PREFIX_SHIFT;
      run = blockRun[pOff + lo];
      upper = up[run] << 16;
      nextRun = run + 1 < r1 ? rs[run + 1] : neg;
    }
    // The threshold lies below the next block's fence: at most the rest of this block.
    while (j < neg) {
      if (j === nextRun) {
        run++;
        upper = up[run] << 16;
        nextRun = run + 1 < r1 ? rs[run + 1] : neg;
      }
      const bits = (upper | low[off + j]) >>> 0;
      if (bits > tb) break;
      U[0] = bits;
      if ((j & (PREFIX_STEP - 1)) === 0) blockSum = 0;
      blockSum += F[0];
      j++;
    }
    let vs = j,
      sumS = 0;
    if (j > 0) {
      U[0] = tb;
      // Only when some float32 v has fl(v - dap) == m exactly do t <= m and t < m differ.
      if (!(F[0] - dap < m) && !lastBelowStrict(idx, i, j, run, tb, dap, m)) {
        vs = countAtMost(idx, i, thresholdBits(dap, m, true));
        sumS = prefixSum(idx, i, vs, Math.min(run, r1 - 1));
      } else {
        sumS = pref[pOff + (j >> PREFIX_SHIFT)] + ((j & (PREFIX_STEP - 1)) === 0 ? 0 : blockSum);
      }
    }
    V += j;
    Vs += vs;
    H += hardLE[p0 + q];
    Hs += hardLT[p0 + q];
    k[q] = j;
    if (vs > 0) lossA += vs * (dap + m) - sumS;
  }
  acc[0] += V;
  acc[1] += Vs;
  acc[2] += H;
  acc[3] += Hs;
  return lossA;
}
