/**
 * The exact batch-all triplet census (definitions.md): every valid triplet (a, p, n) counted
 * as easy / semi-hard / hard / violating under both conventions, with the loss, per-sample and
 * per-class-pair counts and the worst triplets, in O(N^2 log N) instead of O(N^3).
 *
 * Use: `buildCensusIndex` once per (embeddings, distance, normalisation) — optionally on anchor
 * ranges in parallel workers — then `countAtMargin` for every margin (no distance recomputed),
 * and `mergeCensus` to join the ranges (exact: identical to a single-range run).
 *
 * "The distance" is `distanceRows`' float32 output (see distances.ts); t = d(a,n) - d(a,p) and
 * the loss max(0, m - t) are float64 expressions on it, so ties are decided exactly as a
 * brute-force loop over the same distances decides them.
 */
import { buildIndexData } from './censusIndex';
import type { CensusIndex } from './censusTypes';
import type { DistanceOptions, EngineInput, Progress } from './types';

export type { CategoryCounts, CensusIndex, CensusResult, CountOptions, PerSample, WorstTriplet } from './censusTypes';
export { countAtMargin, tHistogram } from './censusCount';
export { fastRecountReady, prepareFastRecount } from './censusFences';
export { mergeCensus } from './censusMerge';

/**
 * Builds the census index for anchors [range.anchorStart, range.anchorEnd) (default: all).
 * Costs the distance rows of those anchors plus a radix sort per anchor; memory is about
 * 4.5 bytes per (anchor, negative) pair. Reports progress and throws an AbortError on cancel.
 */
export function buildCensusIndex(
  input: EngineInput,
  opts: DistanceOptions,
  range?: { anchorStart: number; anchorEnd: number },
  progress?: Progress,
): Promise<CensusIndex> {
  return buildIndexData(input, opts, range, progress);
}

/** Bytes the exact index needs for these labels (all anchors): what decides between the index and passes. */
export function censusIndexBytes(labels: Int32Array, classes: number): number {
  const n = labels.length,
    sizes = new Float64Array(classes);
  for (const c of labels) sizes[c]++;
  let pairs = 0,
    pos = 0;
  for (const s of sizes) {
    pairs += s * (n - s);
    pos += s * (s - 1);
  }
  return pairs * ((n <= 65536 ? 4 : 6) + 0.5) + pos * 16;
}

/** Number of valid triplets: sum over classes of n_c (n_c - 1) (N - n_c). */
export function validTriplets(labels: Int32Array, classes: number): number {
  const sizes = new Float64Array(classes);
  for (const c of labels) sizes[c]++;
  let t = 0;
  for (const s of sizes) t += s * (s - 1) * (labels.length - s);
  return t;
}
