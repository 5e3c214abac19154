/**
 * The census at every slider position at once: for a fixed list of margins (the slider's
 * positions), each anchor's pml-violating count and loss sum at each margin, and the totals the
 * sidebar shows. Built once per index in the background, it lets the slider answer from a table
 * instead of recounting, so a dragged margin reaches the screen without waiting for the workers.
 *
 * Exact, bit for bit: every number equals what `countAtMargin` gives at that margin. Per
 * (anchor, positive, margin) the count is the same search on the same float32 bit patterns
 * (`thresholdLE`), the loss uses the same prefix sum (checkpoint plus the block's in-order sum)
 * and each anchor's loss adds its positives in the same order; the totals are the same exact
 * Shewchuk partials. A test checks every position against `countAtMargin`.
 *
 * Cost O(pairs x margins x small search): for each positive the margins ascend, and for each
 * margin the positives ascend, so every search gallops on from the larger of the two previous
 * answers.
 */
import type { CensusIndex, CensusResult, WorstTriplet } from './censusTypes';
import { totalsAt, type MarginTotals } from '../shared/marginTableView';
import { anchorOf, IndexData, negIdAt, PREFIX_SHIFT, PREFIX_STEP } from './censusIndexData';
import { partialsAdd, partialsRound, sortWorst, TopK } from './censusMerge';
import { abortError } from './types';

/** The table over anchors [anchorStart, anchorEnd) (absolute sample ids); totals over those anchors. */
export interface MarginTablePart extends MarginTotals {
  anchorStart: number;
  anchorEnd: number;
  /** Per margin: the loss sum as exact partials (as CensusResult.lossSumPartials). */
  lossPartials: number[][];
  /** Anchor-major (anchor - anchorStart) x K: pml-violating triplets as anchor, and the anchor's loss sum as float32.
   */
  violAsAnchor: Uint32Array;
  lossAsAnchor: Float32Array;
}

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

/** One anchor's decoded values, prefix sums and buckets, reusable from call to call (a pass calls once per sub-block).
 */
export class TableScratch {
  vals = new Float64Array(0);
  sums = new Float64Array(0);
  start = new Int32Array(0);
  fit(maxNeg: number): this {
    if (this.vals.length < maxNeg + 1) {
      this.vals = new Float64Array(maxNeg + 1);
      this.sums = new Float64Array(maxNeg + 1);
      this.start = new Int32Array((maxNeg >> 1) + 2);
    }
    return this;
  }
}

/** Checks the margins: finite, >= 0, strictly ascending. */
export function checkMargins(margins: Float64Array): void {
  for (let k = 0; k < margins.length; k++) {
    const m = margins[k];
    if (!Number.isFinite(m) || m < 0)
      throw new RangeError(`margin table: margin ${k} must be a finite number >= 0, got ${m}`);
    if (k > 0 && !(m > margins[k - 1])) throw new RangeError('margin table: margins must ascend');
  }
}

/**
 * The table for the index's anchors [from, to) (absolute ids inside the index's range).
 * `shouldStop` is polled before every anchor (AbortError when it returns true).
 */
export function marginTable(
  index: CensusIndex,
  margins: Float64Array,
  from = index.anchorStart,
  to = index.anchorEnd,
  shouldStop?: () => boolean,
  scratch?: TableScratch,
): MarginTablePart {
  const idx = index as IndexData,
    K = margins.length;
  checkMargins(margins);
  if (!(
    Number.isInteger(from) &&
    Number.isInteger(to) &&
    idx.anchorStart <= from &&
    from <= to &&
    to <= idx.anchorEnd
  )) {
    throw new RangeError(
      `margin table: bad anchor range [${from}, ${to}) for an index over [${idx.anchorStart}, ${idx.anchorEnd})`,
    );
  }
  const A = to - from;
  const out: MarginTablePart = {
    anchorStart: from,
    anchorEnd: to,
    margins: Float64Array.from(margins),
    triplets: 0,
    hard: 0,
    hardStrict: 0,
    violating: new Float64Array(K),
    violatingStrict: new Float64Array(K),
    lossPartials: Array.from({ length: K }, () => []),
    violAsAnchor: new Uint32Array(A * K),
    lossAsAnchor: new Float32Array(A * K),
  };
  let maxNeg = 0;
  for (let a = from; a < to; a++) {
    const i = a - idx.anchorStart;
    maxNeg = Math.max(maxNeg, idx.negOff[i + 1] - idx.negOff[i]);
  }
  const { vals, sums, start } = (scratch ?? new TableScratch()).fit(maxNeg);
  const cursor = new Int32Array(K),
    viol = new Float64Array(K),
    violS = new Float64Array(K),
    loss = new Float64Array(K);
  for (let a = from; a < to; a++) {
    if (shouldStop?.()) throw abortError();
    const i = a - idx.anchorStart,
      neg = idx.negOff[i + 1] - idx.negOff[i],
      P = idx.posOff[i + 1] - idx.posOff[i];
    if (P === 0 || neg === 0) continue;
    out.triplets += P * neg;
    decodeAnchor(idx, i, vals, sums);
    const b = buckets(vals, neg, start);
    tableAnchor(idx, i, margins, vals, sums, b, cursor, viol, violS, loss, out);
    const row = (a - from) * K;
    for (let k = 0; k < K; k++) {
      out.violAsAnchor[row + k] = viol[k];
      out.lossAsAnchor[row + k] = loss[k];
      out.violating[k] += viol[k];
      out.violatingStrict[k] += violS[k];
      partialsAdd(out.lossPartials[k], loss[k]);
    }
  }
  return out;
}

/**
 * Anchor i's sorted negative distances (vals[neg] = Infinity, above every threshold), and
 * sums[j] = the sum of the nearest j exactly as the recount builds it: the float64 checkpoint at
 * j rounded down to PREFIX_STEP plus the rest of the block added in order.
 */
function decodeAnchor(idx: IndexData, i: number, vals: Float64Array, sums: Float64Array): void {
  const off = idx.negOff[i],
    neg = idx.negOff[i + 1] - off,
    r1 = idx.runOff[i + 1],
    pOff = idx.prefOff[i];
  let run = idx.runOff[i],
    next = run + 1 < r1 ? idx.runStart[run + 1] : neg,
    upper = idx.runUpper[run] << 16;
  let block = 0;
  for (let j = 0; j < neg; j++) {
    if (j === next) {
      run++;
      upper = idx.runUpper[run] << 16;
      next = run + 1 < r1 ? idx.runStart[run + 1] : neg;
    }
    U[0] = (upper | idx.lower[off + j]) >>> 0;
    const v = F[0];
    vals[j] = v;
    if ((j & (PREFIX_STEP - 1)) === 0) {
      sums[j] = idx.prefix[pOff + (j >> PREFIX_SHIFT)];
      block = 0;
    } else sums[j] = idx.prefix[pOff + (j >> PREFIX_SHIFT)] + block;
    block += v;
  }
  sums[neg] =
    (neg & (PREFIX_STEP - 1)) === 0
      ? idx.prefix[pOff + (neg >> PREFIX_SHIFT)]
      : idx.prefix[pOff + (neg >> PREFIX_SHIFT)] + block;
  vals[neg] = Infinity;
}

/**
 * One anchor at every margin: fills viol / violS / loss (length K) in the recount's order.
 * "t <= m" is searched with the recount's own float64 expression `v - dap <= m` on the same
 * float32 values (monotone in v, so the count is where it turns false).
 */
function tableAnchor(
  idx: IndexData,
  i: number,
  margins: Float64Array,
  vals: Float64Array,
  sums: Float64Array,
  bk: Buckets,
  cursor: Int32Array,
  viol: Float64Array,
  violS: Float64Array,
  loss: Float64Array,
  out: MarginTablePart,
): void {
  const { start, lo: lo0, scale, count: nb } = bk;
  const K = margins.length,
    p0 = idx.posOff[i],
    P = idx.posOff[i + 1] - p0,
    neg = idx.negOff[i + 1] - idx.negOff[i];
  cursor.fill(0);
  viol.fill(0);
  violS.fill(0);
  loss.fill(0);
  for (let q = 0; q < P; q++) {
    const dap = idx.posDist[p0 + q];
    out.hard += idx.hardLE[p0 + q];
    out.hardStrict += idx.hardLT[p0 + q];
    let prev = 0;
    for (let k = 0; k < K; k++) {
      const m = margins[k];
      // Exact lower bounds: this positive's count at the previous margin, the previous (nearer)
      // positive's count at this margin. The bucket of dap + m usually starts closer still.
      const lb = cursor[k] > prev ? cursor[k] : prev;
      const x = (dap + m - lo0) * scale;
      let j = x < 0 ? 0 : x >= nb ? neg : start[x | 0];
      if (j < lb) j = lb;
      // Settle on the exact predicate: a few linear steps, then a galloping or binary search (an
      // outlier can squeeze every value into a few buckets).
      if (vals[j] - dap <= m) {
        j++;
        for (let steps = 0; vals[j] - dap <= m; j++)
          if (++steps === 8) {
            j = gallop(vals, j + 1, dap, m, neg);
            break;
          }
      } else {
        for (let steps = 0; j > lb && !(vals[j - 1] - dap <= m); j--)
          if (++steps === 8) {
            j = firstAbove(vals, lb, j - 1, dap, m);
            break;
          }
      }
      cursor[k] = j;
      prev = j;
      viol[k] += j;
      if (j === 0) continue;
      let vs = j;
      // A tie (t == m for the farthest counted): t < m counts fewer.
      if (!(vals[j - 1] - dap < m)) vs = countBelow(vals, j, dap, m);
      violS[k] += vs;
      if (vs > 0) loss[k] += vs * (dap + m) - sums[vs];
    }
  }
}

/** Equal-width buckets over an anchor's sorted values: start[b] = first position in bucket b or later. */
interface Buckets {
  start: Int32Array;
  lo: number;
  scale: number;
  count: number;
}

function buckets(vals: Float64Array, neg: number, start: Int32Array): Buckets {
  const count = Math.max(1, neg >> 1),
    lo = neg > 0 ? vals[0] : 0,
    span = neg > 0 ? vals[neg - 1] - lo : 0;
  const scale = span > 0 ? count / span : 0;
  start.fill(0, 0, count + 1);
  for (let j = 0; j < neg; j++) {
    const b = Math.min(count, Math.floor((vals[j] - lo) * scale) + 1);
    start[b]++;
  }
  for (let b = 1; b <= count; b++) start[b] += start[b - 1];
  return { start, lo, scale, count };
}

/** First j' >= j with vals[j'] - dap > m, given vals[j - 1] - dap <= m (vals[neg] is Infinity). */
function gallop(vals: Float64Array, j: number, dap: number, m: number, neg: number): number {
  let lo = j - 1,
    step = 1,
    hi = j;
  while (hi < neg && vals[hi] - dap <= m) {
    lo = hi;
    step += step;
    hi = lo + step;
  }
  if (hi > neg) hi = neg;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (vals[mid] - dap <= m) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The first c in [lo, hi] with !(vals[c] - dap <= m), given that vals[hi] fails it. */
function firstAbove(vals: Float64Array, lo: number, hi: number, dap: number, m: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vals[mid] - dap <= m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of the first `len` values (ascending) with v - dap < m. */
function countBelow(vals: Float64Array, len: number, dap: number, m: number): number {
  let lo = 0,
    hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vals[mid] - dap < m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The `k` triplets of the index's anchors with the smallest t = d(a,n) - d(a,p) below `limit`,
 * ties by (anchor, positive, negative) ascending; `loss` holds -t. Since the loss at margin m is
 * m - t, these are the worst triplets at every margin up to `limit` (see shared/worstAt.ts).
 */
export function smallestT(index: CensusIndex, limit: number, k: number): WorstTriplet[] {
  const top = new TopK(k);
  smallestTInto(index, limit, top);
  return top.sorted();
}

/** smallestT's triplets offered to `top` (a pass gathers them over its blocks and sorts once). */
export function smallestTInto(index: CensusIndex, limit: number, top: TopK): void {
  const idx = index as IndexData;
  for (let i = 0; i < idx.anchorEnd - idx.anchorStart; i++) {
    const a = anchorOf(idx, i),
      off = idx.negOff[i],
      neg = idx.negOff[i + 1] - off;
    const p0 = idx.posOff[i],
      P = idx.posOff[i + 1] - p0,
      r0 = idx.runOff[i],
      r1 = idx.runOff[i + 1];
    // Positives from the farthest, negatives from the nearest: t only grows along both.
    for (let q = P - 1; q >= 0; q--) {
      const dap = idx.posDist[p0 + q],
        pid = idx.posId[p0 + q];
      let r = r0,
        j = 0;
      for (; j < neg; j++) {
        while (r + 1 < r1 && idx.runStart[r + 1] <= j) r++;
        U[0] = ((idx.runUpper[r] << 16) | idx.lower[off + j]) >>> 0;
        const dan = F[0],
          t = dan - dap;
        if (!(t < limit)) break;
        if (top.full && -t < top.minLoss) {
          top.dropped = true;
          break;
        }
        top.offer({ anchor: a, positive: pid, negative: negIdAt(idx, i, j), loss: -t, dap, dan });
      }
      if (j === 0) break;
    }
  }
}

/** Parts over disjoint anchor ranges joined: position-major per-anchor columns and exact totals. */
export interface MarginTable extends MarginTotals {
  n: number;
  lossPartials: number[][];
  /** Position-major K x n: column k (samples as anchors) at [k n, (k + 1) n); 0 for samples in no part. */
  violAsAnchor: Uint32Array;
  lossAsAnchor: Float32Array;
}

/** Joins parts (any split of the anchors, any order) into one table; exact whatever the split. */
export function mergeMarginTable(parts: MarginTablePart[], n: number): MarginTable {
  if (parts.length === 0) throw new RangeError('mergeMarginTable: nothing to merge');
  const margins = parts[0].margins,
    K = margins.length;
  for (const p of parts) {
    if (p.margins.length !== K || p.margins.some((m, k) => m !== margins[k]))
      throw new RangeError('mergeMarginTable: parts differ in margins');
    if (!(p.anchorStart >= 0 && p.anchorEnd <= n))
      throw new RangeError('mergeMarginTable: a part lies outside the dataset');
  }
  const t: MarginTable = {
    margins: Float64Array.from(margins),
    n,
    triplets: 0,
    hard: 0,
    hardStrict: 0,
    violating: new Float64Array(K),
    violatingStrict: new Float64Array(K),
    lossPartials: Array.from({ length: K }, () => []),
    violAsAnchor: new Uint32Array(K * n),
    lossAsAnchor: new Float32Array(K * n),
  };
  for (const p of parts) {
    t.triplets += p.triplets;
    t.hard += p.hard;
    t.hardStrict += p.hardStrict;
    for (let k = 0; k < K; k++) {
      t.violating[k] += p.violating[k];
      t.violatingStrict[k] += p.violatingStrict[k];
      for (const x of p.lossPartials[k]) partialsAdd(t.lossPartials[k], x);
    }
    for (let a = p.anchorStart; a < p.anchorEnd; a++) {
      const row = (a - p.anchorStart) * K;
      for (let k = 0; k < K; k++) {
        t.violAsAnchor[k * n + a] = p.violAsAnchor[row + k];
        t.lossAsAnchor[k * n + a] = p.lossAsAnchor[row + k];
      }
    }
  }
  return t;
}

/** The census totals at position k, as `countAtMargin` + `mergeCensus` give them at margins[k]. */
export function tableCounts(
  t: MarginTable,
  k: number,
): Pick<
  CensusResult,
  'margin' | 'triplets' | 'pml' | 'facenet' | 'lossSum' | 'nonZero' | 'meanLoss' | 'meanLossNonZero'
> {
  return { margin: t.margins[k], nonZero: t.violatingStrict[k], ...totalsAt(t, k, partialsRound(t.lossPartials[k])) };
}

/**
 * The `count` smallest-t triplets over every part (each `smallestT(index, limit, count)` of a
 * disjoint anchor range); `complete` when no triplet with t < limit was left out.
 */
export function mergeSmallestT(parts: WorstTriplet[][], count: number): { list: WorstTriplet[]; complete: boolean } {
  const all = sortWorst(parts.flat());
  return { list: all.slice(0, count), complete: parts.every((p) => p.length < count) && all.length <= count };
}
