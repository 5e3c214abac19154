/**
 * The initial layout of a neighbour graph made of several connected components, as umap-learn's
 * `spectral_layout` falls back to `multi_component_layout` for such graphs: each component is
 * placed at its own point of a layout of the components' centroids (in the original space), its
 * points spread uniformly within half the distance to the nearest other component's point.
 *
 * Why: well-separated classes leave the kNN graph in pieces (1 000 classes of 100 points at
 * 100 000 x 128: about 1 000 components), and the epochs only pull along graph edges, so from a
 * random start the pieces stay where they fell and which classes lie near each other is lost (a
 * trustworthiness@15 of 0.66 on a 5 000-point sample where umap-learn reaches 0.69-0.77).
 * umap-learn lays the centroids out by a spectral embedding of exp(-d^2) affinities, which
 * underflow to 0 between centroids more than ~27 apart; here they are laid out by PCA (pca.ts),
 * which keeps the largest distances between them, whatever their scale. Pure and seeded.
 */
import type { SparseGraph } from './fuzzyGraph';
import { pcaLayout } from './pca';

/** Above this many components the nearest-other search (quadratic in them) is not worth it: the caller starts at
 * random. */
export const MAX_COMPONENTS = 5000;

/** Connected components of the graph (union-find over its edges): a label per vertex, 0..count-1 by first vertex. */
export function connectedComponents(graph: SparseGraph, n: number): { count: number; labels: Int32Array } {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const { rows, cols, vals } = graph;
  for (let e = 0; e < rows.length; e++) {
    if (!(vals[e] > 0)) continue;
    const a = find(rows[e]),
      b = find(cols[e]);
    if (a !== b) parent[a < b ? b : a] = a < b ? a : b;
  }
  const labels = new Int32Array(n).fill(-1);
  const ofRoot = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (ofRoot[r] < 0) ofRoot[r] = count++;
    labels[i] = ofRoot[r];
  }
  return { count, labels };
}

/**
 * The n x 2 start for a graph of `count` > 1 components (`labels` from connectedComponents): the
 * centroids of x's rows per component laid out by PCA, each component's points uniform in a
 * square of half-width half the distance to the nearest other centroid's point, then each axis
 * scaled to [0, 10] as umap-learn scales its spectral start.
 */
export function componentInit(
  x: Float32Array,
  dim: number,
  n: number,
  components: { count: number; labels: Int32Array },
  random: () => number,
): Float64Array {
  const { count, labels } = components;
  const sums = new Float64Array(count * dim);
  const sizes = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    sizes[c]++;
    for (let d = 0; d < dim; d++) sums[c * dim + d] += x[i * dim + d];
  }
  const centroids = new Float32Array(count * dim);
  for (let c = 0; c < count; c++) for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d] / sizes[c];
  const meta = pcaLayout(centroids, count, dim, { sampleRows: count }).layout;
  // Half the distance to the nearest other component's point (a floor keeps coincident centroids apart).
  let span = 0;
  for (let c = 0; c < 2 * count; c++) span = Math.max(span, Math.abs(meta[c]));
  const floor = 1e-3 * (span || 1);
  const radius = new Float64Array(count);
  for (let a = 0; a < count; a++) {
    let best = Infinity;
    for (let b = 0; b < count; b++) {
      if (a === b) continue;
      const dx = meta[2 * a] - meta[2 * b],
        dy = meta[2 * a + 1] - meta[2 * b + 1];
      const d2 = dx * dx + dy * dy;
      if (d2 < best) best = d2;
    }
    radius[a] = Math.max(floor, Number.isFinite(best) ? Math.sqrt(best) / 2 : span || 1);
  }
  const emb = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = labels[i],
      r = radius[c];
    emb[2 * i] = meta[2 * c] + (2 * random() - 1) * r;
    emb[2 * i + 1] = meta[2 * c + 1] + (2 * random() - 1) * r;
  }
  for (let axis = 0; axis < 2; axis++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = axis; i < 2 * n; i += 2) {
      lo = Math.min(lo, emb[i]);
      hi = Math.max(hi, emb[i]);
    }
    const w = hi - lo || 1;
    for (let i = axis; i < 2 * n; i += 2) emb[i] = (10 * (emb[i] - lo)) / w;
  }
  return emb;
}
