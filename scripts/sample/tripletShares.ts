/**
 * The exact triplet census of one snapshot, for the sample's README: every valid (a, p, n) with
 * `t = d(a,n) - d(a,p)` split by the `pml` convention of definitions.md (easy t > m, semi-hard
 * 0 < t <= m, hard t <= 0), d euclidean on L2-normalised embeddings (PML's default).
 * Per anchor the negative distances are sorted once and each positive needs two binary searches,
 * as definitions.md describes: O(N^2 log N), exact.
 */

/** Counts of one census (numbers: exact up to 2^53). */
export interface TripletCensus {
  valid: number;
  easy: number;
  semihard: number;
  hard: number;
  /** Sum over valid triplets of max(0, m - t). */
  lossSum: number;
  /** Share of samples whose nearest other sample has the same label. */
  precisionAt1: number;
}

/** Row-wise L2 normalisation in float64 (a zero row stays zero). */
export function normalizeRows(x: Float32Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[i * dim + k] * x[i * dim + k];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < dim; k++) out[i * dim + k] = x[i * dim + k] * inv;
  }
  return out;
}

/** Euclidean distances from row a to every row (float64). */
function distancesFrom(z: Float64Array, n: number, dim: number, a: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const diff = z[a * dim + k] - z[j * dim + k];
      s += diff * diff;
    }
    out[j] = Math.sqrt(s);
  }
}

/**
 * Number of sorted values v (ascending) with `v - dp <= bound`. fl(v - dp) is monotone in v, so
 * the predicate is monotone and the search matches a brute-force comparison of t bit for bit.
 */
function countAtMost(sorted: Float64Array, len: number, dp: number, bound: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] - dp <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Exact census of all valid triplets at margin m (pml convention). */
export function tripletCensus(
  embeddings: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  margin: number,
): TripletCensus {
  const z = normalizeRows(embeddings, n, dim);
  const row = new Float64Array(n);
  const neg = new Float64Array(n);
  const prefix = new Float64Array(n + 1);
  const census: TripletCensus = { valid: 0, easy: 0, semihard: 0, hard: 0, lossSum: 0, precisionAt1: 0 };
  let nnHits = 0;
  for (let a = 0; a < n; a++) {
    distancesFrom(z, n, dim, a, row);
    let negCount = 0;
    let best = Infinity;
    let bestSame = false;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      if (labels[j] !== labels[a]) neg[negCount++] = row[j];
      if (row[j] < best) {
        best = row[j];
        bestSame = labels[j] === labels[a];
      }
    }
    if (bestSame) nnHits++;
    const sorted = neg.subarray(0, negCount).sort();
    for (let i = 0; i < negCount; i++) prefix[i + 1] = prefix[i] + sorted[i];
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dp = row[p];
      const hard = countAtMost(sorted, negCount, dp, 0);
      const violating = countAtMost(sorted, negCount, dp, margin);
      census.valid += negCount;
      census.hard += hard;
      census.semihard += violating - hard;
      census.easy += negCount - violating;
      census.lossSum += violating * (dp + margin) - prefix[violating];
    }
  }
  census.precisionAt1 = n > 0 ? nnHits / n : 0;
  return census;
}
