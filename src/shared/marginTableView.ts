/**
 * What the sidebar needs to answer any slider position by itself, without a round trip to the
 * host: the census totals at every position of the host's margin table (engine/marginTable.ts),
 * batch-hard and the class violation rates at each, and the smallest-t triplets for the worst
 * list. Pure and shared: the host answers from the same view, so the sidebar's numbers are the
 * host's, bit for bit.
 */
import type { CategoryCounts, DistanceKind, TripletRow } from './model';

/** The counts every form of the margin table has (engine part, merged table, sidebar view). */
export interface MarginTotals {
  /** The margins, ascending (the slider's positions): K of them. */
  margins: Float64Array;
  /** Valid triplets; pml hard (t <= 0) and facenet hard (t < 0) triplets (margin-independent). */
  triplets: number;
  hard: number;
  hardStrict: number;
  /** Per margin: pml violating (t <= m) and facenet violating (t < m, non-zero loss) triplets. */
  violating: Float64Array;
  violatingStrict: Float64Array;
}

/** What answers any slider position (tableAnswer.ts): the host keeps it for each table, the sidebar gets it. */
export interface MarginAnswers extends MarginTotals {
  /** Per position: the loss sum (correctly rounded). */
  lossSum: Float64Array;
  /** Per position: batch-hard mean loss and anchors with a non-zero batch-hard loss. */
  batchHardLoss: Float64Array;
  batchHardViolating: Float64Array;
  /** For `worstAt`: the smallest-t triplets, whether there are no more below `limit`, and the longest worst list they
   * decide. */
  smallest: TripletRow[];
  complete: boolean;
  limit: number;
  topK: number;
}

/** The table as the sidebar gets it (arrays of length K, or K x classes position-major). */
export interface MarginTableView extends MarginAnswers {
  /** The index it was counted on: it answers only while these settings hold. */
  distance: DistanceKind;
  normalize: boolean;
  /** K x classes: the violation rate per anchor class at each position. */
  classViolationRate: Float64Array;
  classes: number;
}

/** Position of margin m among `margins` (ascending; exact match), or -1. */
export function positionOf(margins: ArrayLike<number>, m: number): number {
  let lo = 0,
    hi = margins.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1,
      v = margins[mid];
    if (v === m) return mid;
    if (v < m) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Counts and means at position k from the totals and that position's loss sum: the recount's arithmetic (finishMeans).
 */
export function totalsAt(
  t: MarginTotals,
  k: number,
  lossSum: number,
): {
  triplets: number;
  pml: CategoryCounts;
  facenet: CategoryCounts;
  lossSum: number;
  meanLoss: number;
  meanLossNonZero: number;
} {
  const V = t.violating[k],
    Vs = t.violatingStrict[k],
    T = t.triplets;
  return {
    triplets: T,
    pml: { easy: T - V, semihard: V - t.hard, hard: t.hard, violating: V },
    facenet: { easy: T - Vs, semihard: Vs - t.hardStrict, hard: t.hardStrict, violating: Vs },
    lossSum,
    meanLoss: T > 0 ? lossSum / T : 0,
    meanLossNonZero: Vs > 0 ? lossSum / Vs : 0,
  };
}
