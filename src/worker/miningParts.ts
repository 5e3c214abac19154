/**
 * Batch-hard and semi-hard mining (definitions.md, "Mining strategies") computed per anchor row,
 * so the rows can be split across workers, then merged in sample-index order (identical results
 * whatever the split). Distances are `distanceRows`' float32 values, as everywhere in the engine.
 *
 * - batch-hard (Hermans et al. 2017): per anchor the farthest positive and the nearest negative
 *   (ties: the smaller index); loss `max(0, m + d(a,p*) - d(a,n*))`, or with `soft`
 *   `log(1 + exp(m + d(a,p*) - d(a,n*)))` (definitions.md applies the soft form to the same
 *   argument; pass m = 0 for the paper's margin-free soft version). Averaged over the anchors that
 *   have both a positive and a negative.
 * - semi-hard (TensorFlow Addons `TripletSemiHardLoss`): per (a, p), the negative with the smallest
 *   d(a,n) such that d(a,n) > d(a,p), else the one with the largest d(a,n); loss
 *   `max(0, d(a,p) - d(a,n) + m)` averaged over all (a, p) pairs whose anchor has a negative.
 */
import { prepareEmbeddings } from '../engine/distances';
import { checkRange, forEachRowBlock, type RowRange } from '../engine/knn';
import type { DistanceOptions, EngineInput, Progress } from '../engine/types';

/** Per-anchor picks for rows [rowStart, rowEnd): -1 / NaN where an anchor has no positive or no negative. */
export interface BatchHardPart {
  rowStart: number;
  rowEnd: number;
  hardestPositive: Int32Array;
  dap: Float32Array;
  hardestNegative: Int32Array;
  dan: Float32Array;
}

/** Batch-hard over the whole dataset. */
export interface BatchHardResult extends BatchHardPart {
  margin: number;
  soft: boolean;
  /** Anchors with at least one positive and one negative (the ones averaged). */
  anchors: number;
  meanLoss: number;
  /** Anchors with m + d(a,p*) - d(a,n*) > 0 (non-zero hinge loss). */
  violatingAnchors: number;
  /** Loss per anchor (NaN where it has no positive or no negative). */
  loss: Float64Array;
}

/** Semi-hard per-anchor sums for rows [rowStart, rowEnd). */
export interface SemiHardPart {
  rowStart: number;
  rowEnd: number;
  lossSum: Float64Array;
  pairs: Float64Array;
  nonZero: Float64Array;
}

/** Semi-hard over the whole dataset. */
export interface SemiHardResult {
  margin: number;
  /** (a, p) pairs averaged (anchors without a negative are left out). */
  pairs: number;
  lossSum: number;
  meanLoss: number;
  /** Pairs with a non-zero loss. */
  nonZero: number;
}

/** Hardest positive and negative of each anchor in `range` (margin-independent). */
export async function batchHardPart(input: EngineInput, opts: DistanceOptions, range?: RowRange, progress?: Progress): Promise<BatchHardPart> {
  const { n, dim, labels } = input;
  const { rowStart, rowEnd } = checkRange(range, n);
  const rows = rowEnd - rowStart;
  const part: BatchHardPart = {
    rowStart, rowEnd,
    hardestPositive: new Int32Array(rows).fill(-1), dap: new Float32Array(rows).fill(NaN),
    hardestNegative: new Int32Array(rows).fill(-1), dan: new Float32Array(rows).fill(NaN),
  };
  if (rows === 0) return part;
  const x = prepareEmbeddings(input, opts.normalize);
  await forEachRowBlock(x, n, dim, opts.distance, rowStart, rowEnd, progress, 'batch-hard mining', (r0, r1, block) => {
    for (let a = r0; a < r1; a++) {
      const off = (a - r0) * n;
      let hp = -1, hn = -1, far = -Infinity, near = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === a) continue;
        const d = block[off + j];
        if (labels[j] === labels[a]) {
          if (d > far) { far = d; hp = j; }
        } else if (d < near) { near = d; hn = j; }
      }
      const r = a - rowStart;
      if (hp >= 0) { part.hardestPositive[r] = hp; part.dap[r] = far; }
      if (hn >= 0) { part.hardestNegative[r] = hn; part.dan[r] = near; }
    }
  });
  return part;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Joins batch-hard parts (any split) and applies the margin; sums in index order. */
export function mergeBatchHard(parts: BatchHardPart[], margin: number, soft: boolean): BatchHardResult {
  const n = parts.reduce((m, p) => Math.max(m, p.rowEnd), 0);
  const out: BatchHardResult = {
    rowStart: 0, rowEnd: n, margin, soft, anchors: 0, meanLoss: 0, violatingAnchors: 0,
    hardestPositive: new Int32Array(n).fill(-1), dap: new Float32Array(n).fill(NaN),
    hardestNegative: new Int32Array(n).fill(-1), dan: new Float32Array(n).fill(NaN),
    loss: new Float64Array(n).fill(NaN),
  };
  for (const p of parts) {
    out.hardestPositive.set(p.hardestPositive, p.rowStart); out.dap.set(p.dap, p.rowStart);
    out.hardestNegative.set(p.hardestNegative, p.rowStart); out.dan.set(p.dan, p.rowStart);
  }
  let sum = 0;
  for (let a = 0; a < n; a++) {
    if (out.hardestPositive[a] < 0 || out.hardestNegative[a] < 0) continue;
    const arg = margin + out.dap[a] - out.dan[a];
    const l = soft ? softplus(arg) : Math.max(0, arg);
    out.loss[a] = l;
    sum += l;
    out.anchors++;
    if (arg > 0) out.violatingAnchors++;
  }
  out.meanLoss = out.anchors ? sum / out.anchors : 0;
  return out;
}

/** Semi-hard per-anchor loss sums for the rows in `range`. */
export async function semiHardPart(input: EngineInput, opts: DistanceOptions, margin: number, range?: RowRange, progress?: Progress): Promise<SemiHardPart> {
  const { n, dim, labels } = input;
  const { rowStart, rowEnd } = checkRange(range, n);
  const rows = rowEnd - rowStart;
  const part: SemiHardPart = { rowStart, rowEnd, lossSum: new Float64Array(rows), pairs: new Float64Array(rows), nonZero: new Float64Array(rows) };
  if (rows === 0) return part;
  const x = prepareEmbeddings(input, opts.normalize);
  const neg = new Float32Array(n);
  await forEachRowBlock(x, n, dim, opts.distance, rowStart, rowEnd, progress, 'semi-hard mining', (r0, r1, block) => {
    for (let a = r0; a < r1; a++) {
      const off = (a - r0) * n;
      let m = 0;
      for (let j = 0; j < n; j++) if (labels[j] !== labels[a]) neg[m++] = block[off + j];
      if (m === 0) continue;
      const sorted = neg.subarray(0, m).sort();
      let sum = 0, pairs = 0, nz = 0;
      for (let p = 0; p < n; p++) {
        if (p === a || labels[p] !== labels[a]) continue;
        const dap = block[off + p];
        // First negative strictly farther than the positive (upper bound), else the farthest.
        let lo = 0, hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (sorted[mid] <= dap) lo = mid + 1;
          else hi = mid;
        }
        const dan = lo < m ? sorted[lo] : sorted[m - 1];
        const l = Math.max(0, dap - dan + margin);
        sum += l;
        pairs++;
        if (l > 0) nz++;
      }
      const r = a - rowStart;
      part.lossSum[r] = sum; part.pairs[r] = pairs; part.nonZero[r] = nz;
    }
  });
  return part;
}

/** Joins semi-hard parts (any split); sums in index order. */
export function mergeSemiHard(parts: SemiHardPart[], margin: number): SemiHardResult {
  const ordered = [...parts].sort((p, q) => p.rowStart - q.rowStart);
  let pairs = 0, lossSum = 0, nonZero = 0;
  for (const p of ordered) {
    for (let r = 0; r < p.rowEnd - p.rowStart; r++) {
      pairs += p.pairs[r];
      lossSum += p.lossSum[r];
      nonZero += p.nonZero[r];
    }
  }
  return { margin, pairs, lossSum, meanLoss: pairs ? lossSum / pairs : 0, nonZero };
}
