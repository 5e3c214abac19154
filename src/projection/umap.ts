/**
 * The 2-D layout of a dataset: UMAP on the engine's exact k-nearest neighbours.
 *
 * The algorithm is umap-js 1.4.0's (random initialisation, fuzzy simplicial set, SGD with negative
 * sampling, its epoch counts and curve fit), reimplemented on typed arrays where umap-js is slow
 * (fuzzyGraph.ts, optimize.ts) and fed with exact neighbours instead of NN-descent. Given the same
 * kNN table and random generator, and `exactPow`, it reproduces umap-js's layout bit for bit
 * (tested); by default the power d^b in the epochs is interpolated from a table (fastPow.ts).
 *
 * Which distance: UMAP needs a metric, so the neighbours are always Euclidean, on L2-normalised
 * rows when `normalize` is set or the distance is `cosine` (on unit vectors ||a - b||^2 =
 * 2 (1 - cos), so the neighbour order is the cosine order). `sqeuclidean` has the same
 * neighbours as `euclidean` and uses Euclidean distances (squaring would distort the bandwidths).
 */
import { findABParams } from 'umap-js/dist/umap';
import { initBackend, prepareEmbeddings } from '../engine/distances';
import { exactKnn } from '../engine/knn';
import { throwIfAborted, type Progress } from '../engine/types';
import { fuzzySimplicialSet, type KnnTable } from './fuzzyGraph';
import { defaultEpochs, makeSchedule, optimizeLayout, randomInit } from './optimize';
import { resolveParams, type LayoutInput, type LayoutParams } from './params';
import { seededRandom } from './random';
import { spectralInit } from './spectralInit';

export { DEFAULT_LAYOUT_PARAMS, resolveParams, type LayoutInput, type LayoutParams } from './params';

/** Share of the progress bar given to the kNN when it is computed here (it is ~1/3 of the time at N = 10 000). */
const KNN_SHARE = 0.3;

/**
 * Lays out n points in 2-D. Data of dimension <= 3 is returned as it is (the first two
 * coordinates; 1-D data gets y = 0). Progress goes from 0 to 1 over the kNN (when computed here)
 * and the epochs; an aborted `progress.signal` ends the work between blocks / epochs with an
 * Error named `AbortError`.
 * @returns row-major n x 2 float32 positions.
 */
export async function computeLayout(input: LayoutInput, params: LayoutParams = {}, progress?: Progress): Promise<Float32Array> {
  const { embeddings, n, dim } = input;
  if (!Number.isInteger(n) || !Number.isInteger(dim) || n < 0 || dim < 1 || embeddings.length < n * dim) {
    throw new RangeError(`bad layout input: n = ${n}, dim = ${dim}, ${embeddings.length} values`);
  }
  const p = resolveParams(params, n);
  throwIfAborted(progress);
  if (dim <= 3) return passThrough(embeddings, n, dim);
  if (n < 3) return tinyLayout(n);
  const nNeighbors = Math.min(p.nNeighbors, n - 1);
  let knn = params.knn;
  if (knn) {
    checkKnn(knn, n, nNeighbors);
  } else {
    const normalize = p.normalize || p.distance === 'cosine';
    // The engine uses its plain-JS kernel until a tfjs backend (10x faster here) has started.
    await initBackend();
    const sub: Progress = { signal: progress?.signal, onProgress: (f) => progress?.onProgress?.(KNN_SHARE * f, 'k-nearest neighbours') };
    const engineInput = { embeddings, n, dim, labels: new Int32Array(n), classes: 1 };
    knn = await exactKnn(engineInput, nNeighbors, { distance: 'euclidean', normalize, includeSelf: true }, sub);
    canonicalDistances(knn, prepareEmbeddings(engineInput, normalize), dim);
  }
  const base = params.knn ? 0 : KNN_SHARE;
  throwIfAborted(progress);
  const nEpochs = p.nEpochs ?? defaultEpochs(n);
  const graph = fuzzySimplicialSet(knn, n, nNeighbors);
  const schedule = makeSchedule(graph, nEpochs);
  const random = seededRandom(p.seed);
  const emb = params.alignedInit ? initFrom(params.alignedInit, n) : p.init === 'random' ? randomInit(n, random) : spectralInit(graph, n, random);
  const { a, b } = findABParams(1, p.minDist);
  let lastYield = Date.now();
  await optimizeLayout(emb, n, schedule, { a, b, nEpochs, exactPow: params.exactPow }, random, async (done) => {
    progress?.onProgress?.(base + (1 - base) * (done / nEpochs), `UMAP epoch ${done}/${nEpochs}`);
    // Yield now and then so an in-process abort (or any other event) can be delivered.
    if (progress?.signal && Date.now() - lastYield > 50) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
    throwIfAborted(progress);
  });
  return Float32Array.from(emb);
}

/**
 * Recomputes each neighbour distance in float64 (rounded once to float32) and re-sorts each row
 * by (distance, index), self first. The engine's GEMM kernels round differently per backend
 * (tfjs-node, wasm, plain JS); this makes the table, and so the layout, the same on all of them
 * (unless a backend picks a different neighbour at a near tie). Costs n k dim flops.
 */
function canonicalDistances(knn: KnnTable, x: Float32Array, dim: number): void {
  const { k, indices, distances } = knn;
  const n = indices.length / k;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const c = indices[o + j];
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = x[i * dim + d] - x[c * dim + d];
        s += t * t;
      }
      distances[o + j] = c === i ? 0 : Math.sqrt(s);
    }
    // Insertion sort of the row (k ~ 15, already nearly sorted); the point itself stays first.
    for (let a = 2; a < k; a++) {
      const dv = distances[o + a], iv = indices[o + a];
      let b = a - 1;
      while (b >= 1 && (distances[o + b] > dv || (distances[o + b] === dv && indices[o + b] > iv))) {
        distances[o + b + 1] = distances[o + b];
        indices[o + b + 1] = indices[o + b];
        b--;
      }
      distances[o + b + 1] = dv;
      indices[o + b + 1] = iv;
    }
  }
}

/** Data already 2-D or 3-D: the first two coordinates as they are, y = 0 for 1-D data. */
function passThrough(x: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = x[i * dim];
    out[2 * i + 1] = dim >= 2 ? x[i * dim + 1] : 0;
  }
  return out;
}

/** One or two points have no neighbourhood structure to show: put them on a line. */
function tinyLayout(n: number): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) out[2 * i] = i;
  return out;
}

function initFrom(layout: Float32Array, n: number): Float64Array {
  const emb = Float64Array.from(layout.subarray(0, 2 * n));
  for (let i = 0; i < emb.length; i++) if (!Number.isFinite(emb[i])) throw new RangeError('alignedInit holds a non-finite value');
  return emb;
}

function checkKnn(knn: KnnTable, n: number, nNeighbors: number): void {
  if (!(knn.k >= nNeighbors) || knn.indices.length !== n * knn.k || knn.distances.length !== n * knn.k) {
    throw new RangeError(`precomputed kNN must be ${n} x k with k >= ${nNeighbors}, got k = ${knn.k} and ${knn.indices.length} entries`);
  }
}
