/**
 * The domain's vocabulary, one definition each, used by the engine, the host, the CLI and both
 * webviews (definitions.md has the exact meaning). Pure types: no `vscode`, no DOM.
 */

/** `euclidean` ||a-b||, `sqeuclidean` ||a-b||^2, `cosine` 1 - cos(a,b) (definitions.md). */
export type DistanceKind = 'euclidean' | 'sqeuclidean' | 'cosine';

/** How triplets are split into easy / semi-hard / hard (definitions.md, "Triplet loss and categories"). */
export type Convention = 'pml' | 'facenet';

/** The `embeddingInspector.mining` setting: which mining the sidebar's losses show. */
export type MiningSetting = 'batch-all' | 'batch-hard' | 'semi-hard';

/**
 * Triplet counts by category. `pml`: easy t > m, semi-hard 0 < t <= m, hard t <= 0,
 * violating t <= m. `facenet`: easy t >= m, semi-hard 0 <= t < m, hard t < 0, violating t < m
 * (exactly the triplets with non-zero loss). t = d(a,n) - d(a,p), computed in float64 from the
 * float32 distances.
 */
export interface CategoryCounts {
  easy: number;
  semihard: number;
  hard: number;
  violating: number;
}

/** One triplet with its loss max(0, m - t) and its two distances. */
export interface TripletRow {
  anchor: number;
  positive: number;
  negative: number;
  loss: number;
  dap: number;
  dan: number;
}
