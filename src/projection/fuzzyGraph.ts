/**
 * UMAP's fuzzy simplicial set (the weighted kNN graph) built on typed arrays.
 *
 * It follows umap-js 1.4.0 (`smoothKNNDistance`, `computeMembershipStrengths`,
 * `fuzzySimplicialSet`) operation by operation, so the weights are bit-identical to umap-js's; only
 * the storage differs. umap-js keeps the sparse matrix in a `Map` keyed by `"row:col"` strings and
 * rebuilds it for every transpose / add / multiply (3 s at N = 10 000, performance.md); here the
 * symmetrisation is one counting sort by row.
 */

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** A precomputed kNN table: row i holds i itself first (distance 0), then its nearest others, ascending. */
export interface KnnTable {
  /** Columns per row (the table may hold more neighbours than the layout uses). */
  k: number;
  /** Row-major n x k neighbour indices. */
  indices: Int32Array;
  /** Row-major n x k Euclidean (not squared) distances, ascending per row. */
  distances: Float32Array;
}

/** A sparse symmetric graph in coordinate form, sorted by row then column. */
export interface SparseGraph {
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * Per-point bandwidth sigma and local connectivity rho (umap-js `smoothKNNDistance` with
 * localConnectivity 1, bandwidth 1, 64 bisection steps). Uses the first `nNeighbors` columns.
 */
export function smoothKnnDistances(
  knn: KnnTable,
  n: number,
  nNeighbors: number,
): { sigmas: Float64Array; rhos: Float64Array } {
  const { k: stride, distances } = knn;
  const target = Math.log(nNeighbors) / Math.log(2);
  const sigmas = new Float64Array(n);
  const rhos = new Float64Array(n);
  let meanOfMeans = -1; // computed lazily: only needed for rows whose every distance is 0
  for (let i = 0; i < n; i++) {
    const off = i * stride;
    // rho: the first non-zero distance (localConnectivity = 1), 0 when there is none.
    let rho = 0;
    for (let j = 0; j < nNeighbors; j++) {
      if (distances[off + j] > 0) {
        rho = distances[off + j];
        break;
      }
    }
    rhos[i] = rho;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 1; j < nNeighbors; j++) {
        const d = distances[off + j] - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    let sigma = mid;
    if (rho > 0) {
      const mean = rowMean(distances, off, nNeighbors);
      if (sigma < MIN_K_DIST_SCALE * mean) sigma = MIN_K_DIST_SCALE * mean;
    } else {
      if (meanOfMeans < 0) {
        let s = 0;
        for (let r = 0; r < n; r++) s += rowMean(distances, r * stride, nNeighbors);
        meanOfMeans = s / n;
      }
      if (sigma < MIN_K_DIST_SCALE * meanOfMeans) sigma = MIN_K_DIST_SCALE * meanOfMeans;
    }
    sigmas[i] = sigma;
  }
  return { sigmas, rhos };
}

/** Mean of one kNN row, summed left to right like umap-js's `utils.mean`. */
function rowMean(distances: Float32Array, off: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += distances[off + j];
  return s / len;
}

/**
 * The fuzzy union P + P^T - P∘P^T of the directed membership strengths
 * P_ij = exp(-(d_ij - rho_i) / sigma_i) (1 when d_ij <= rho_i, 0 for i itself), with
 * set_op_mix_ratio 1. Entries are sorted by (row, col); zero entries (self loops) are kept, as
 * umap-js keeps them, and dropped later by the epoch scheduler.
 */
export function fuzzySimplicialSet(knn: KnnTable, n: number, nNeighbors: number): SparseGraph {
  const { k: stride, indices, distances } = knn;
  const { sigmas, rhos } = smoothKnnDistances(knn, n, nNeighbors);
  const m = n * nNeighbors;
  // Directed entries (i, j, P_ij) and their transposes (j, i, P_ij), bucketed by row.
  const count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nNeighbors; j++) {
      const c = indices[i * stride + j];
      if (c < 0 || c >= n) throw new RangeError(`kNN index ${c} out of range in row ${i}`);
      count[i + 1]++;
      count[c + 1]++;
    }
  }
  for (let r = 0; r < n; r++) count[r + 1] += count[r];
  const fill = count.slice(0, n);
  const bucketCol = new Int32Array(2 * m);
  const bucketVal = new Float64Array(2 * m);
  const bucketIsT = new Uint8Array(2 * m);
  for (let i = 0; i < n; i++) {
    const off = i * stride;
    for (let j = 0; j < nNeighbors; j++) {
      const c = indices[off + j];
      const d = distances[off + j];
      let v: number;
      if (c === i) v = 0;
      else if (d - rhos[i] <= 0) v = 1;
      else v = Math.exp(-((d - rhos[i]) / sigmas[i]));
      let p = fill[i]++;
      bucketCol[p] = c;
      bucketVal[p] = v;
      bucketIsT[p] = 0;
      p = fill[c]++;
      bucketCol[p] = i;
      bucketVal[p] = v;
      bucketIsT[p] = 1;
    }
  }
  return mergeBuckets(n, count, bucketCol, bucketVal, bucketIsT);
}

/**
 * Sorts each row's bucket by column and merges the P and P^T values of the same (row, col):
 * (a + b) - a * b in that order of operations, as umap-js's element-wise add then subtract; a
 * value present on one side only stays as it is (x + 0 - x * 0 = x exactly).
 */
function mergeBuckets(n: number, start: Int32Array, col: Int32Array, val: Float64Array, isT: Uint8Array): SparseGraph {
  const rows = new Int32Array(col.length);
  const cols = new Int32Array(col.length);
  const vals = new Float64Array(col.length);
  let out = 0;
  for (let r = 0; r < n; r++) {
    const s = start[r];
    const e = start[r + 1];
    // Insertion sort by column (rows hold about 2k entries); ties keep P before P^T.
    for (let a = s + 1; a < e; a++) {
      const c = col[a],
        v = val[a],
        t = isT[a];
      let b = a - 1;
      while (b >= s && (col[b] > c || (col[b] === c && isT[b] > t))) {
        col[b + 1] = col[b];
        val[b + 1] = val[b];
        isT[b + 1] = isT[b];
        b--;
      }
      col[b + 1] = c;
      val[b + 1] = v;
      isT[b + 1] = t;
    }
    for (let a = s; a < e;) {
      // A run of equal columns: P_rc (isT 0) and/or P_cr (isT 1); a missing side counts as 0,
      // and a repeated neighbour overwrites, as in umap-js's Map.
      const c = col[a];
      let p = 0,
        t = 0;
      for (; a < e && col[a] === c; a++) {
        if (isT[a]) t = val[a];
        else p = val[a];
      }
      rows[out] = r;
      cols[out] = c;
      vals[out] = p + t - p * t;
      out++;
    }
  }
  return { rows: rows.slice(0, out), cols: cols.slice(0, out), vals: vals.slice(0, out) };
}
