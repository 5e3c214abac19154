/**
 * The 2-D layout of a dataset: UMAP on the engine's exact k-nearest neighbours.
 *
 * The algorithm is umap-js 1.4.0's (random initialisation, fuzzy simplicial set, SGD with negative
 * sampling, its epoch counts and curve fit), reimplemented on typed arrays where umap-js is slow
 * (fuzzyGraph.ts, optimize.ts) and fed with exact neighbours instead of NN-descent. Given the same
 * kNN table and random generator, and `exactPow`, it reproduces umap-js's layout bit for bit
 * (tested); by default the power d^b in the epochs is interpolated from a table (fastPow.ts).
 *
 * Which neighbours: exact (the engine's blocked GEMM, O(n^2 dim)) up to EXACT_NEIGHBOURS_UP_TO
 * points, NN-descent above (nnDescent.ts, as umap-learn's pynndescent), unless `neighbours` says
 * otherwise or `exactIds` brings the exact ones (the census pass's, see exactNeighbours.ts). The
 * approximate table is checked against exact neighbours on a seeded sample of rows and the
 * estimated recall is reported through `onKnn`.
 *
 * Which distance: UMAP needs a metric, so the neighbours are always Euclidean, on L2-normalised
 * rows when `normalize` is set or the distance is `cosine` (on unit vectors ||a - b||^2 =
 * 2 (1 - cos), so the neighbour order is the cosine order). `sqeuclidean` has the same
 * neighbours as `euclidean` and uses Euclidean distances (squaring would distort the bandwidths).
 */
import { findABParams } from 'umap-js/dist/umap';
import { distanceRowsOf, initBackend, prepareEmbeddings, releaseKernelMemory } from '../engine/distances';
import { exactKnn, RowSelector } from '../engine/knn';
import { throwIfAborted, type Progress } from '../engine/types';
import { componentInit, connectedComponents, MAX_COMPONENTS } from './componentInit';
import { fuzzySimplicialSet, type KnnTable, type SparseGraph } from './fuzzyGraph';
import { nnDescent, NN_DESCENT_MESSAGE } from './nnDescent';
import { defaultEpochs, makeSchedule, optimizeLayout, randomInit } from './optimize';
import {
  EXACT_NEIGHBOURS_UP_TO,
  resolveParams,
  SPECTRAL_ABOVE,
  type ExactIds,
  type LayoutInput,
  type LayoutParams,
} from './params';
import { sampleAnchors } from './quality';
import { seededRandom } from './random';
import { spectralInit } from './spectralInit';

export { NN_DESCENT_MESSAGE };
export {
  DEFAULT_LAYOUT_PARAMS,
  EXACT_NEIGHBOURS_UP_TO,
  resolveParams,
  SPECTRAL_ABOVE,
  type ExactIds,
  type LayoutInput,
  type LayoutParams,
  type NeighbourSearch,
} from './params';

/** Share of the progress bar given to the kNN when it is computed here (it is ~1/3 of the time at N = 10 000). */
const KNN_SHARE = 0.3;
/** Progress messages of the two searches (NN-descent's is NN_DESCENT_MESSAGE). */
export const EXACT_MESSAGE = 'exact k-nearest neighbours';
const CHECK_MESSAGE = 'checking the approximate neighbours against exact ones';
/** Share of the kNN's part of the bar given to checking an approximate table against exact rows. */
const CHECK_SHARE = 0.1;
/**
 * Multiply-adds spent on the recall check (sampled rows x n x dim): about 1 s of the wasm GEMM
 * on these 2 cores, 390 rows at n = 100 000 x 128; never fewer than MIN_CHECK_ROWS rows (the
 * estimate's standard error is then still below 0.01), never more than MAX_CHECK_ROWS.
 */
const CHECK_WORK = 5e9;
const MIN_CHECK_ROWS = 100;
const MAX_CHECK_ROWS = 1000;

/** What computeLayout tells about the neighbours it used (not called when `params.knn` is given). */
export interface KnnInfo {
  method: 'exact' | 'approximate';
  /**
   * Approximate only: the share of the table's neighbours (the point itself not counted) no
   * farther than the exact (k-1)-th nearest other point of their row (so a tie at the boundary
   * counts as found), over `sampled` seeded random rows.
   */
  recall?: number;
  sampled?: number;
}

/** How the neighbours were found, as the caption and the CLI say it. */
export function describeKnn(info: KnnInfo): string {
  if (info.method === 'exact') return 'exact neighbours';
  const recall = info.recall !== undefined ? info.recall.toFixed(3) : '?';
  return `approximate neighbours (NN-descent), recall ${recall} on ${info.sampled ?? 0} sampled rows`;
}

/** Progress, cancellation, and a report on the neighbours. */
export interface LayoutProgress extends Progress {
  onKnn?: (info: KnnInfo) => void;
}

/**
 * Lays out n points in 2-D. Data of dimension <= 3 is returned as it is (the first two
 * coordinates; 1-D data gets y = 0). Progress goes from 0 to 1 over the kNN (when computed here)
 * and the epochs; an aborted `progress.signal` ends the work between blocks / epochs with an
 * Error named `AbortError`.
 * @returns row-major n x 2 float32 positions.
 */
export async function computeLayout(
  input: LayoutInput,
  params: LayoutParams = {},
  progress?: LayoutProgress,
): Promise<Float32Array> {
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
  const normalize = p.normalize || p.distance === 'cosine';
  if (knn) {
    checkKnn(knn, n, nNeighbors);
  } else if (params.exactIds) {
    knn = tableFromIds(input, params.exactIds, nNeighbors, normalize);
    progress?.onKnn?.({ method: 'exact' });
  } else {
    // The engine uses its plain-JS kernel until a tfjs backend (10x faster here) has started.
    await initBackend();
    const approximate = p.neighbours === 'approximate' || (p.neighbours === 'auto' && n > EXACT_NEIGHBOURS_UP_TO);
    knn = approximate
      ? await approximateKnn(input, nNeighbors, normalize, p.seed, progress)
      : await exactTable(input, nNeighbors, normalize, progress);
  }
  const base = params.knn || params.exactIds ? 0 : KNN_SHARE;
  throwIfAborted(progress);
  const nEpochs = p.nEpochs ?? defaultEpochs(n);
  const graph = fuzzySimplicialSet(knn, n, nNeighbors);
  const schedule = makeSchedule(graph, nEpochs);
  const random = seededRandom(p.seed);
  const emb = params.alignedInit
    ? initFrom(params.alignedInit, n)
    : p.init === 'random' || (p.init === 'auto' && n <= SPECTRAL_ABOVE)
      ? randomInit(n, random)
      : graphInit(input, normalize, graph, random);
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
 * umap-learn's start: spectral for a connected graph; for a graph in pieces, the pieces placed by
 * their centroids (componentInit.ts), unless there are too many of them (then random).
 */
function graphInit(input: LayoutInput, normalize: boolean, graph: SparseGraph, random: () => number): Float64Array {
  const { embeddings, n, dim } = input;
  const components = connectedComponents(graph, n);
  if (components.count === 1) return spectralInit(graph, n, random);
  if (components.count > MAX_COMPONENTS) return randomInit(n, random);
  const x = normalize
    ? prepareEmbeddings({ embeddings, n, dim, labels: new Int32Array(0), classes: 1 }, true)
    : embeddings.subarray(0, n * dim);
  return componentInit(x, dim, n, components, random);
}

/** The engine's exact kNN as a table, its distances made canonical. */
async function exactTable(
  input: LayoutInput,
  nNeighbors: number,
  normalize: boolean,
  progress?: LayoutProgress,
): Promise<KnnTable> {
  const { embeddings, n, dim } = input;
  const sub: Progress = {
    signal: progress?.signal,
    onProgress: (f) => progress?.onProgress?.(KNN_SHARE * f, EXACT_MESSAGE),
  };
  const engineInput = { embeddings, n, dim, labels: new Int32Array(n), classes: 1 };
  const knn = await exactKnn(engineInput, nNeighbors, { distance: 'euclidean', normalize, includeSelf: true }, sub);
  canonicalDistances(knn, prepareEmbeddings(engineInput, normalize), dim);
  progress?.onKnn?.({ method: 'exact' });
  return knn;
}

/**
 * The table of exact neighbour ids found elsewhere: their distances made canonical as the exact
 * search's (on normalised rows when `normalize`). Checks the ids: a row that does not start with
 * its own point or names one out of range is an error.
 */
function tableFromIds(input: LayoutInput, ids: ExactIds, nNeighbors: number, normalize: boolean): KnnTable {
  const { embeddings, n, dim } = input;
  const { k, indices } = ids;
  if (!(Number.isInteger(k) && k >= nNeighbors) || indices.length !== n * k)
    throw new RangeError(`exactIds must be ${n} x k with k >= ${nNeighbors}, got k = ${k}, ${indices.length} ids`);
  for (let i = 0; i < n; i++) {
    if (indices[i * k] !== i) throw new RangeError(`exactIds row ${i} does not start with its own point`);
    for (let j = 1; j < k; j++) {
      const c = indices[i * k + j];
      if (!(c >= 0 && c < n)) throw new RangeError(`exactIds row ${i} names point ${c} of ${n}`);
    }
  }
  const x = normalize
    ? prepareEmbeddings({ embeddings, n, dim, labels: new Int32Array(0), classes: 1 }, true)
    : embeddings.subarray(0, n * dim);
  const table = { k, indices: Int32Array.from(indices), distances: new Float32Array(n * k) };
  canonicalDistances(table, x, dim);
  return table;
}

/** NN-descent's table (already canonical: float64 distances, sorted), then its recall on a sample of rows. */
async function approximateKnn(
  input: LayoutInput,
  nNeighbors: number,
  normalize: boolean,
  seed: number,
  progress?: LayoutProgress,
): Promise<KnnTable> {
  const { embeddings, n, dim } = input;
  // Normalised once here: the check below needs the same rows.
  const x = normalize
    ? prepareEmbeddings({ embeddings, n, dim, labels: new Int32Array(0), classes: 1 }, true)
    : embeddings.subarray(0, n * dim);
  const share = KNN_SHARE * (1 - CHECK_SHARE);
  const knn = await nnDescent(
    x,
    n,
    dim,
    nNeighbors,
    { seed },
    {
      signal: progress?.signal,
      onProgress: (f, message) => progress?.onProgress?.(share * f, message),
    },
  );
  const rows = Math.max(MIN_CHECK_ROWS, Math.min(MAX_CHECK_ROWS, Math.floor(CHECK_WORK / (n * dim))));
  const sample = sampleAnchors(n, rows, seededRandom(seed ^ 0x5eed));
  const recall = await sampledRecall(x, n, dim, knn, sample, {
    signal: progress?.signal,
    onProgress: (f, message) => progress?.onProgress?.(share + (KNN_SHARE - share) * f, message),
  });
  progress?.onKnn?.({ method: 'approximate', recall, sampled: sample.length });
  return knn;
}

/**
 * The share of the table's neighbours of the sampled rows (self excluded) that lie within the
 * exact (k-1)-th nearest distance of their row: brute force for those rows only, on the engine's
 * kernel, a few rows at a time. Frees the kernel's cached operand afterwards (the layout does
 * not need it).
 */
async function sampledRecall(
  x: Float32Array,
  n: number,
  dim: number,
  knn: KnnTable,
  sample: Int32Array,
  progress: Progress,
): Promise<number> {
  const { k, indices } = knn;
  const others = k - 1;
  if (others < 1 || sample.length === 0) return 1;
  const step = Math.max(1, Math.min(sample.length, Math.floor((1 << 22) / n)));
  const buf = new Float32Array(step * n);
  const sel = new RowSelector(n, others);
  let found = 0;
  try {
    for (let s0 = 0; s0 < sample.length; s0 += step) {
      throwIfAborted(progress);
      const ids = sample.subarray(s0, Math.min(sample.length, s0 + step));
      const rows = distanceRowsOf(x, n, dim, ids, 'euclidean', buf);
      for (let r = 0; r < ids.length; r++) {
        const i = ids[r],
          off = r * n;
        const picked = sel.select(rows, off, i, others);
        const kth = rows[off + picked[others - 1]];
        for (let t = 1; t < k; t++) if (rows[off + indices[i * k + t]] <= kth) found++;
      }
      progress.onProgress?.((s0 + ids.length) / sample.length, `${CHECK_MESSAGE} (${sample.length} rows)`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    releaseKernelMemory();
  }
  throwIfAborted(progress);
  return found / (sample.length * others);
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
      const dv = distances[o + a],
        iv = indices[o + a];
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
  for (let i = 0; i < emb.length; i++)
    if (!Number.isFinite(emb[i])) throw new RangeError('alignedInit holds a non-finite value');
  return emb;
}

function checkKnn(knn: KnnTable, n: number, nNeighbors: number): void {
  if (!(knn.k >= nNeighbors) || knn.indices.length !== n * knn.k || knn.distances.length !== n * knn.k) {
    throw new RangeError(
      `precomputed kNN must be ${n} x k with k >= ${nNeighbors}, got k = ${knn.k} and ${knn.indices.length} entries`,
    );
  }
}
