/**
 * Test helpers for the projection: seeded synthetic data and a brute-force kNN written
 * independently of the engine (float64 distances, full sort).
 */
import { seededRandom } from '../../../src/projection/random';
import type { KnnTable } from '../../../src/projection/fuzzyGraph';

/** n points in `classes` Gaussian clusters of dimension dim (centres ~N(0, spread^2), unit noise). */
export function clusteredData(
  n: number,
  dim: number,
  classes: number,
  spread: number,
  seed: number,
): { x: Float32Array; labels: Int32Array } {
  const rnd = seededRandom(seed);
  const gauss = () => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const centres = new Float64Array(classes * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gauss() * spread;
  const x = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[c * dim + d] + gauss();
  }
  return { x, labels };
}

/** Brute-force kNN: each row is the point itself then its k - 1 nearest others (ties by index). */
export function bruteKnn(x: Float32Array, n: number, dim: number, k: number): KnnTable {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const order: number[] = [];
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = x[i * dim + d] - x[j * dim + d];
        s += t * t;
      }
      dist[j] = Math.sqrt(s);
      if (j !== i) order.push(j);
    }
    order.sort((p, q) => dist[p] - dist[q] || p - q);
    indices[i * k] = i;
    distances[i * k] = 0;
    for (let t = 1; t < k; t++) {
      indices[i * k + t] = order[t - 1];
      distances[i * k + t] = dist[order[t - 1]];
    }
  }
  return { k, indices, distances };
}

/** The kNN table as umap-js's `setPrecomputedKNN` wants it (arrays of number arrays). */
export function knnAsArrays(knn: KnnTable, n: number): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    indices.push(Array.from(knn.indices.subarray(i * knn.k, (i + 1) * knn.k)));
    distances.push(Array.from(knn.distances.subarray(i * knn.k, (i + 1) * knn.k)));
  }
  return { indices, distances };
}

/** Rows of a row-major float32 matrix as number arrays (umap-js input). */
export function rowsOf(x: Float32Array, n: number, dim: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(x.subarray(i * dim, (i + 1) * dim)));
  return out;
}
