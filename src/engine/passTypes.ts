/**
 * Shapes of one pass over the distance matrix (pass.ts): what to compute, what one chunk of
 * anchors gives back, and what a worker accumulated over all its chunks. Pure types, cheap to
 * import from the worker, the client, the CLI and the tests.
 */
import type { CategoryCounts, WorstTriplet } from './censusTypes';
import type { DistanceOptions } from './types';
import type { MarginTotals } from '../shared/marginTableView';

/** What a pass computes besides the census at `margin` (always). */
export interface PassSpec {
  distance: DistanceOptions;
  margin: number;
  /** Worst triplets kept at `margin`. */
  topK: number;
  /** Each sample's violating triplets as positive and as negative, and the class-pair matrix (a walk over every
   * violating negative). */
  perSample: boolean;
  /** The census at every slider position (margin table) and the `smallest` smallest-t triplets below the last margin.
   * */
  table?: { margins: Float64Array; smallest: number };
  /** Edges of the histogram of t = d(a,n) - d(a,p) (see tHistogram). */
  edges?: Float64Array;
  /** PML AccuracyCalculator's per-query values (precision@1, R-precision, AP@R) with this pass's distance. */
  retrieval: boolean;
  /** Exact k nearest neighbours (ties by index) with this pass's distance; `includeSelf` as in exactKnn. */
  knn?: { k: number; includeSelf: boolean };
  /** TensorFlow Addons' semi-hard selection, its mean loss at `margin`. */
  semihard: boolean;
  /** Anchors per block (distance rows computed at once): the memory plan decides it. */
  blockAnchors: number;
  /** Anchors indexed at once within a block (default blockAnchors; fewer when memory is short: an index entry costs
   * more than a distance). */
  indexAnchors?: number;
}

/** Census totals of some anchors at one margin (additive: parts sum to the whole exactly). */
export interface CensusTotals {
  triplets: number;
  pml: CategoryCounts;
  facenet: CategoryCounts;
  nonZero: number;
  /** The loss sum as exact Shewchuk partials. */
  lossSumPartials: number[];
}

/** One chunk (a block of anchors) of a pass: every array is aligned with `anchors`. */
export interface ChunkResult {
  /** Dataset ids of the chunk's anchors, in order. */
  anchors: Int32Array;
  census: CensusTotals;
  /** pml-violating triplets (t <= m) and the loss sum of each anchor at the pass's margin. */
  violAsAnchor: Float64Array;
  lossAsAnchor: Float64Array;
  /** Triplets with t <= 0 (pml hard) of each anchor: margin-independent. */
  hardAsAnchor: Float64Array;
  /** Nearest other-class sample (-1 without) and its distance. */
  nearestImpostor: Int32Array;
  nearestImpostorDist: Float32Array;
  /** Batch-hard: farthest positive (ties: smallest id), nearest negative, their distances (-1 / NaN without). */
  hardestPositive: Int32Array;
  hardestNegative: Int32Array;
  dap: Float32Array;
  dan: Float32Array;
  /** Batch-hard at the pass's margin over the chunk: hinge and soft-margin loss sums (exact partials), anchors with a
   * valid pair, those violating. */
  batchHard: { partials: number[]; softPartials: number[]; valid: number; violating: number };
  /** The chunk's worst triplets at the margin (top K). */
  worst: WorstTriplet[];
  table?: ChunkTable;
  /** The chunk's `smallest` smallest-t triplets below the last margin; `truncated` when there were more. */
  smallest?: { list: WorstTriplet[]; truncated: boolean };
  histogram?: Float64Array;
  /** Per anchor: precision@1, R-precision, AP@R (NaN for a query without another sample of its class). */
  retrieval?: { precisionAt1: Float64Array; rPrecision: Float64Array; apAtR: Float64Array };
  /** Per anchor k neighbours (anchor-major). */
  knn?: { k: number; indices: Int32Array; distances: Float32Array };
  /** Semi-hard selection at the margin: (a, p) pairs, pairs with a negative, fallbacks, exact loss partials. */
  semihard?: { pairs: number; counted: number; fallbacks: number; partials: number[] };
}

/** The margin table's totals over some anchors (MarginTotals without the margins), with the loss sums as exact partials
 * per position. */
export type TableTotals = Omit<MarginTotals, 'margins'> & { lossPartials: number[][] };

/** The margin table of one chunk: totals per position and each anchor's row of K values. */
export interface ChunkTable extends TableTotals {
  /** Anchor-major (anchors.length x K): pml-violating triplets and loss sum (float32) per position. */
  violAsAnchor: Uint32Array;
  lossAsAnchor: Float32Array;
}

/** What a worker accumulated over all its chunks for samples that are not anchors: per-sample and per-class-pair sums.
 * */
export interface WorkerTotals {
  /** Violating triplets (t <= m) with each sample as positive / as negative (length n; empty without perSample). */
  violAsPositive: Float64Array;
  violAsNegative: Float64Array;
  /** classes x classes, row-major: violating triplets by anchor class and negative class (empty without perSample). */
  classPairs: Float64Array;
}
