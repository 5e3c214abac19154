/**
 * Public shapes of the exact triplet census (definitions.md, "Triplet loss and categories").
 * Kept apart from the code so the worker, the CLI and the tests can import them cheaply.
 */

/**
 * A sorted-negatives index over anchors [anchorStart, anchorEnd) of a dataset: everything a margin
 * change needs, so no distance is recomputed. Opaque: build it with `buildCensusIndex`.
 */
export interface CensusIndex {
  anchorStart: number;
  anchorEnd: number;
  n: number;
  classes: number;
}

import type { CategoryCounts, TripletRow } from '../shared/model';

export type { CategoryCounts } from '../shared/model';

/** One triplet with its loss max(0, m - t) and its two distances (the worst lists' row). */
export type WorstTriplet = TripletRow;

/** Per-sample counts (pml "violating", t <= m) and each anchor's loss sum; length n each. */
export interface PerSample {
  violAsAnchor: Float64Array;
  violAsPositive: Float64Array;
  violAsNegative: Float64Array;
  lossAsAnchor: Float64Array;
}

/** Per sample as anchor (length n; 0 outside the index's anchor range): pml-violating triplets (t <= m) and loss sum.
 */
export interface PerAnchor {
  violAsAnchor: Float64Array;
  lossAsAnchor: Float64Array;
}

/** The census of every valid triplet whose anchor lies in the index's range, at one margin. */
export interface CensusResult {
  margin: number;
  /** Valid triplets among the range's anchors (an exact integer, may pass 2^32). */
  triplets: number;
  pml: CategoryCounts;
  facenet: CategoryCounts;
  /** Sum of max(0, m - t) over the triplets, float64; the correctly rounded value of `lossSumPartials`. */
  lossSum: number;
  /** Triplets with non-zero loss (t < m). */
  nonZero: number;
  /** lossSum / triplets (0 when there is no triplet). */
  meanLoss: number;
  /** lossSum / nonZero (0 when nonZero is 0): PML's AvgNonZeroReducer. */
  meanLossNonZero: number;
  /** Only when asked for (`perSample: true`): costs a pass over every violating triplet's negatives. */
  perSample?: PerSample;
  /** Only when asked for (`perAnchor: true`): the anchor columns of `perSample`, at no extra cost. */
  perAnchor?: PerAnchor;
  /** Per sample (length n): its nearest other-class sample when it is an anchor in range, else -1. */
  nearestImpostor: Int32Array;
  /** d(a, nearestImpostor) (NaN where there is none). */
  nearestImpostorDist: Float32Array;
  /** classes x classes, row-major: pml-violating triplets by anchor class (row) and negative class (col); empty when
   * not asked for. */
  classPairs: Float64Array;
  /** Top K by loss (only triplets with loss > 0), ties broken by (anchor, positive, negative) ascending. */
  worst: WorstTriplet[];
  /**
   * The loss sum as non-overlapping float64 partials (Shewchuk), summed exactly over anchors, so
   * `mergeCensus` gives the same `lossSum` bit for bit whatever the anchor ranges were.
   */
  lossSumPartials: number[];
}

/** Options of a recount. */
export interface CountOptions {
  /** How many worst triplets to keep (default 20). */
  topK?: number;
  /** Also fill `perSample` (one extra pass over violating negatives). Default false. */
  perSample?: boolean;
  /**
   * Fill `classPairs` (default true). False skips visiting every violating negative, so a recount
   * costs O(pairs log N) even when most triplets violate; `classPairs` is then empty.
   */
  classPairs?: boolean;
  /**
   * Fill `perAnchor` (default false). Unlike `perSample` it needs no pass over the negatives, so
   * it keeps the fast path: the dragged slider recolours the samples with it.
   */
  perAnchor?: boolean;
  /** Polled every few anchors; when it returns true the count stops with an AbortError. */
  shouldStop?: () => boolean;
}
