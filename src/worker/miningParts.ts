/**
 * Merging the engine's mining results (src/engine/mining.ts) computed by several workers, each on
 * the census index of its own anchor range. Exact: per-anchor entries are copied from the part
 * that owns the anchor, and the means are re-derived from an exact (Shewchuk) sum of the
 * per-anchor / per-pair losses, so the merged result equals a single-range run bit for bit.
 */
import { partialsAdd, partialsRound } from '../engine/censusMerge';
import type { BatchHardResult, SemihardResult } from '../engine/mining';

export type { BatchHardResult, SemihardResult };

/** A part's anchor range, as the client sent it. */
export interface AnchorRange {
  rowStart: number;
  rowEnd: number;
}

/** Joins batch-hard results of disjoint anchor ranges (each array has length n; entries outside a part's range are
 * empty). */
export function mergeBatchHard(parts: { range: AnchorRange; result: BatchHardResult }[]): BatchHardResult {
  if (parts.length === 0) throw new RangeError('mergeBatchHard: nothing to merge');
  const first = parts[0].result;
  const n = first.hardestPositive.length;
  const out: BatchHardResult = {
    margin: first.margin,
    soft: first.soft,
    hardestPositive: new Int32Array(n).fill(-1),
    hardestNegative: new Int32Array(n).fill(-1),
    dap: new Float32Array(n).fill(NaN),
    dan: new Float32Array(n).fill(NaN),
    loss: new Float64Array(n),
    validAnchors: 0,
    violatingAnchors: 0,
    meanLoss: 0,
  };
  for (const { range, result: r } of parts) {
    if (r.hardestPositive.length !== n || r.margin !== first.margin || r.soft !== first.soft)
      throw new RangeError('mergeBatchHard: parts differ');
    const { rowStart: s, rowEnd: e } = range;
    out.hardestPositive.set(r.hardestPositive.subarray(s, e), s);
    out.hardestNegative.set(r.hardestNegative.subarray(s, e), s);
    out.dap.set(r.dap.subarray(s, e), s);
    out.dan.set(r.dan.subarray(s, e), s);
    out.loss.set(r.loss.subarray(s, e), s);
    out.validAnchors += r.validAnchors;
    out.violatingAnchors += r.violatingAnchors;
  }
  const partials: number[] = [];
  for (let a = 0; a < n; a++)
    if (out.hardestPositive[a] >= 0 && out.hardestNegative[a] >= 0) partialsAdd(partials, out.loss[a]);
  out.meanLoss = out.validAnchors ? partialsRound(partials) / out.validAnchors : 0;
  return out;
}

/** Joins semi-hard selections of disjoint anchor ranges (pairs ordered by anchor, then positive). */
export function mergeSemihard(parts: SemihardResult[]): SemihardResult {
  if (parts.length === 0) throw new RangeError('mergeSemihard: nothing to merge');
  const ordered = [...parts].sort((p, q) => (p.pairs ? p.anchor[0] : Infinity) - (q.pairs ? q.anchor[0] : Infinity));
  const pairs = ordered.reduce((s, p) => s + p.pairs, 0);
  const out: SemihardResult = {
    margin: parts[0].margin,
    pairs,
    anchor: new Int32Array(pairs),
    positive: new Int32Array(pairs),
    negative: new Int32Array(pairs),
    dap: new Float32Array(pairs),
    dan: new Float32Array(pairs),
    loss: new Float64Array(pairs),
    fallbacks: 0,
    meanLoss: 0,
  };
  let at = 0;
  for (const p of ordered) {
    for (const key of ['anchor', 'positive', 'negative', 'dap', 'dan', 'loss'] as const) out[key].set(p[key], at);
    out.fallbacks += p.fallbacks;
    at += p.pairs;
  }
  // The engine averages over the pairs whose anchor has a negative (negative >= 0).
  const partials: number[] = [];
  let counted = 0;
  for (let i = 0; i < pairs; i++) {
    if (out.negative[i] < 0) continue;
    partialsAdd(partials, out.loss[i]);
    counted++;
  }
  out.meanLoss = counted ? partialsRound(partials) / counted : 0;
  return out;
}
