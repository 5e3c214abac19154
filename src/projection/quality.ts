/**
 * How faithful a layout is to the original space: trustworthiness, as scikit-learn defines it
 * (`sklearn.manifold.trustworthiness`, Venna & Kaski 2001):
 *
 *   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i} max(0, r(i, j) - k)
 *
 * where U_i holds the k nearest neighbours of i in the layout and r(i, j) is the rank of j among
 * i's neighbours in the original space (1 = nearest, i itself excluded). T = 1 when every layout
 * neighbour is also an original neighbour; layout neighbours that are far away in the original
 * space pull it down. Distances are Euclidean (on L2-normalised rows with `normalize`, which
 * gives the cosine ranks), computed in float64; ties are broken by the smaller index.
 *
 * It costs O(n^2 dim) for all anchors; `anchors` restricts the sum to a subset of rows (ranks are
 * still taken among all n points), an unbiased estimate for big data, normalised the same way.
 */

/** Options of `trustworthiness`. */
export interface TrustworthinessOptions {
  /** Measure the original space on L2-normalised rows (cosine ranks). */
  normalize?: boolean;
  /** Only these rows as anchors (an estimate of the full sum); default every row. */
  anchors?: ArrayLike<number>;
}

/**
 * Trustworthiness of the n x 2 `layout` of the n x dim points `x`, with k neighbours
 * (k < n / 2, as scikit-learn requires).
 */
export function trustworthiness(
  x: Float32Array,
  n: number,
  dim: number,
  layout: Float32Array,
  k = 10,
  opts: TrustworthinessOptions = {},
): number {
  if (!Number.isInteger(k) || k < 1 || k >= n / 2)
    throw new RangeError(`k must be an integer in [1, n/2), got ${k} for n = ${n}`);
  if (layout.length !== 2 * n || x.length < n * dim) throw new RangeError('layout must be n x 2 and x n x dim');
  const xs = opts.normalize ? normalizedCopy(x, n, dim) : x;
  const anchors = opts.anchors ?? Array.from({ length: n }, (_, i) => i);
  const dOrig = new Float64Array(n);
  const dLay = new Float64Array(n);
  const nbrs = new Int32Array(k);
  let penalty = 0;
  for (let a = 0; a < anchors.length; a++) {
    const i = anchors[a];
    const io = i * dim;
    for (let l = 0; l < n; l++) {
      const lo = l * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = xs[io + d] - xs[lo + d];
        s += t * t;
      }
      dOrig[l] = s;
      const dx = layout[2 * i] - layout[2 * l];
      const dy = layout[2 * i + 1] - layout[2 * l + 1];
      dLay[l] = dx * dx + dy * dy;
    }
    kSmallest(dLay, n, i, k, nbrs);
    for (let t = 0; t < k; t++) {
      const rank = rankOf(dOrig, n, i, nbrs[t]);
      if (rank > k) penalty += rank - k;
    }
  }
  const m = anchors.length;
  return 1 - (2 / (m * k * (2 * n - 3 * k - 1))) * penalty;
}

/** 1 + the number of points other than i before j in i's order (distance, then index). */
function rankOf(dist: Float64Array, n: number, i: number, j: number): number {
  const dj = dist[j];
  let r = 1;
  for (let l = 0; l < n; l++) {
    if (l === i || l === j) continue;
    const dl = dist[l];
    if (dl < dj || (dl === dj && l < j)) r++;
  }
  return r;
}

/** The k smallest entries of dist other than `exclude` (any order), by (distance, index). */
function kSmallest(dist: Float64Array, n: number, exclude: number, k: number, out: Int32Array): void {
  // Insertion into a sorted buffer: k is small (about 10) and most points fail the first test.
  let size = 0;
  for (let l = 0; l < n; l++) {
    if (l === exclude) continue;
    const dl = dist[l];
    if (size === k) {
      const last = out[k - 1];
      if (dl > dist[last] || (dl === dist[last] && l > last)) continue;
      size--;
    }
    let p = size - 1;
    while (p >= 0 && (dist[out[p]] > dl || (dist[out[p]] === dl && out[p] > l))) {
      out[p + 1] = out[p];
      p--;
    }
    out[p + 1] = l;
    size++;
  }
}

function normalizedCopy(x: Float32Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] * x[i * dim + d];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[i * dim + d] = x[i * dim + d] * inv;
  }
  return out;
}

/** `count` distinct row indices of 0..n-1 drawn with `random` (partial Fisher-Yates), ascending. */
export function sampleAnchors(n: number, count: number, random: () => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const m = Math.min(n, count);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, m).sort();
}
