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
import { initBackend } from '../engine/distances';
import { exactKnn } from '../engine/knn';
import { throwIfAborted, type DistanceKind, type Progress } from '../engine/types';
import { fuzzySimplicialSet, type KnnTable } from './fuzzyGraph';
import { defaultEpochs, makeSchedule, optimizeLayout, randomInit } from './optimize';
import { seededRandom } from './random';
import { spectralInit } from './spectralInit';

/** The embeddings to lay out: row-major n x dim float32. */
export interface LayoutInput {
  embeddings: Float32Array;
  n: number;
  dim: number;
}

/** Layout parameters; all optional, defaults in brackets. */
export interface LayoutParams {
  /** Neighbours per point, the point itself included as in umap-js [15]. Clamped to n - 1. */
  nNeighbors?: number;
  /** Minimum distance between points in the layout, 0..1 [0.1]. */
  minDist?: number;
  /** Seed of the random generator: same data + parameters + seed = the same bytes [42]. */
  seed?: number;
  /** Epochs [umap-js's default: 500 up to 2 500 points, 400 to 5 000, 300 to 7 500, else 200]. */
  nEpochs?: number;
  /** The user's distance setting; decides the neighbours (see the file comment) ['euclidean']. */
  distance?: DistanceKind;
  /** L2-normalise rows before finding neighbours [false]. */
  normalize?: boolean;
  /** Precomputed neighbours (self first, ascending Euclidean, at least nNeighbors columns). */
  knn?: KnnTable;
  /** Start from this n x 2 layout instead of random positions (successive snapshots of a run). */
  alignedInit?: Float32Array;
  /** Initial layout when there is no alignedInit: umap-js's random start or umap-learn's spectral one ['random']. */
  init?: 'spectral' | 'random';
  /** Math.pow in the epochs as umap-js (bit-identical to umap-js, about 2x slower) [false]. */
  exactPow?: boolean;
}

/** The defaults, resolved. */
export const DEFAULT_LAYOUT_PARAMS = { nNeighbors: 15, minDist: 0.1, seed: 42, distance: 'euclidean', normalize: false, init: 'random' } as const;

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
    knn = await exactKnn({ embeddings, n, dim, labels: new Int32Array(n), classes: 1 }, nNeighbors, { distance: 'euclidean', normalize, includeSelf: true }, sub);
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

/** The parameters with defaults filled in; throws a RangeError for values UMAP cannot use. */
export function resolveParams(params: LayoutParams, n = Infinity): Required<Omit<LayoutParams, 'knn' | 'alignedInit' | 'nEpochs' | 'exactPow'>> & { nEpochs?: number } {
  const nNeighbors = params.nNeighbors ?? DEFAULT_LAYOUT_PARAMS.nNeighbors;
  const minDist = params.minDist ?? DEFAULT_LAYOUT_PARAMS.minDist;
  const seed = params.seed ?? DEFAULT_LAYOUT_PARAMS.seed;
  const distance = params.distance ?? DEFAULT_LAYOUT_PARAMS.distance;
  const normalize = params.normalize ?? DEFAULT_LAYOUT_PARAMS.normalize;
  const init = params.init ?? DEFAULT_LAYOUT_PARAMS.init;
  if (init !== 'spectral' && init !== 'random') throw new RangeError(`init must be 'spectral' or 'random', got ${String(init)}`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) throw new RangeError(`nNeighbors must be an integer >= 2, got ${nNeighbors}`);
  if (!(minDist >= 0 && minDist <= 1)) throw new RangeError(`minDist must be in [0, 1], got ${minDist}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (params.nEpochs !== undefined && !(Number.isInteger(params.nEpochs) && params.nEpochs >= 1)) {
    throw new RangeError(`nEpochs must be a positive integer, got ${params.nEpochs}`);
  }
  if (distance !== 'euclidean' && distance !== 'sqeuclidean' && distance !== 'cosine') throw new RangeError(`unknown distance ${String(distance)}`);
  if (params.alignedInit && Number.isFinite(n) && params.alignedInit.length !== 2 * n) {
    throw new RangeError(`alignedInit has ${params.alignedInit.length} values, expected ${2 * n}`);
  }
  return { nNeighbors, minDist, seed, distance, normalize, init, nEpochs: params.nEpochs };
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
