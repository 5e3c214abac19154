/**
 * The projection's input and parameters, their defaults and their validation. Kept apart from
 * the computation so the host side (cache keys, the worker client) does not bundle the engine and
 * its tfjs backend. Pure: no `vscode`, no DOM.
 */
import type { DistanceKind } from '../engine/types';
import type { KnnTable } from './fuzzyGraph';

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
  /** The user's distance setting; decides the neighbours (see umap.ts) ['euclidean']. */
  distance?: DistanceKind;
  /** L2-normalise rows before finding neighbours [false]. */
  normalize?: boolean;
  /** Precomputed neighbours (self first, ascending Euclidean, at least nNeighbors columns). */
  knn?: KnnTable;
  /**
   * The exact neighbours' ids, found elsewhere (the census pass): row i holds i first, then its
   * nearest others in order, at least nNeighbors columns. Their distances are recomputed here as
   * the exact search's are, so the layout is the one `neighbours: 'exact'` gives (and is cached
   * under its key) without searching again.
   */
  exactIds?: ExactIds;
  /** Start from this n x 2 layout instead of random positions (successive snapshots of a run). */
  alignedInit?: Float32Array;
  /**
   * Initial layout when there is no alignedInit: umap-js's random start, umap-learn's spectral one
   * (a graph in pieces: the pieces placed by their centroids, componentInit.ts), or `auto`: random
   * up to SPECTRAL_ABOVE points, spectral above ['auto'].
   */
  init?: 'auto' | 'spectral' | 'random';
  /** Math.pow in the epochs as umap-js (bit-identical to umap-js, about 2x slower) [false]. */
  exactPow?: boolean;
  /**
   * How the neighbours are found when `knn` is not given: the engine's exact search, NN-descent
   * (approximate, nnDescent.ts), or `auto`: exact up to `EXACT_NEIGHBOURS_UP_TO` points,
   * NN-descent above ['auto'].
   */
  neighbours?: NeighbourSearch;
}

/** Neighbour ids without distances: row-major n x k, each row the point itself first. */
export interface ExactIds {
  k: number;
  indices: Int32Array;
}

/** Which k-nearest-neighbour search the layout uses (see `LayoutParams.neighbours`). */
export type NeighbourSearch = 'exact' | 'approximate' | 'auto';

/**
 * `auto` uses the exact search up to this many points. Measured (bench/nnDescent.ts, D = 128,
 * k = 15, these 2 cores): the exact search takes 0.6 s at 5 000 points (as NN-descent), 1.7 s at
 * 10 000 (NN-descent 1.2 s, recall 0.99), 6.6 s at 20 000 (2.7 s), 36 s at 40 000 (6 s):
 * up to 10 000 it costs at most about half a second more than NN-descent and is exact; above,
 * its O(n^2) cost takes over.
 */
export const EXACT_NEIGHBOURS_UP_TO = 10_000;

/**
 * `init: 'auto'` starts from umap-learn's spectral layout above this many points (from umap-js's
 * random one up to it, so small layouts stay umap-js's). Measured at 100 000 x 128 (NN-descent
 * neighbours, 200 epochs, trustworthiness@15 on a 5 000-point sample): 1 000 classes in 50
 * superclasses (a kNN graph of ~1 000 pieces) random 0.660, spectral 0.804 (umap-learn 0.769
 * parallel, 0.688 seeded); 1 000 overlapping classes (one piece) random 0.667, spectral 0.665
 * (umap-learn 0.668).
 */
export const SPECTRAL_ABOVE = EXACT_NEIGHBOURS_UP_TO;

/** The defaults, resolved. */
export const DEFAULT_LAYOUT_PARAMS = {
  nNeighbors: 15,
  minDist: 0.1,
  seed: 42,
  distance: 'euclidean',
  normalize: false,
  init: 'auto',
  neighbours: 'auto',
} as const;

/** The parameters with defaults filled in; throws a RangeError for values UMAP cannot use. */
export function resolveParams(
  params: LayoutParams,
  n = Infinity,
): Required<Omit<LayoutParams, 'knn' | 'exactIds' | 'alignedInit' | 'nEpochs' | 'exactPow'>> & { nEpochs?: number } {
  const nNeighbors = params.nNeighbors ?? DEFAULT_LAYOUT_PARAMS.nNeighbors;
  const minDist = params.minDist ?? DEFAULT_LAYOUT_PARAMS.minDist;
  const seed = params.seed ?? DEFAULT_LAYOUT_PARAMS.seed;
  const distance = params.distance ?? DEFAULT_LAYOUT_PARAMS.distance;
  const normalize = params.normalize ?? DEFAULT_LAYOUT_PARAMS.normalize;
  const init = params.init ?? DEFAULT_LAYOUT_PARAMS.init;
  const neighbours = params.neighbours ?? DEFAULT_LAYOUT_PARAMS.neighbours;
  if (neighbours !== 'exact' && neighbours !== 'approximate' && neighbours !== 'auto') {
    throw new RangeError(`neighbours must be 'exact', 'approximate' or 'auto', got ${String(neighbours)}`);
  }
  if (init !== 'auto' && init !== 'spectral' && init !== 'random')
    throw new RangeError(`init must be 'auto', 'spectral' or 'random', got ${String(init)}`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2)
    throw new RangeError(`nNeighbors must be an integer >= 2, got ${nNeighbors}`);
  if (!(minDist >= 0 && minDist <= 1)) throw new RangeError(`minDist must be in [0, 1], got ${minDist}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (params.nEpochs !== undefined && !(Number.isInteger(params.nEpochs) && params.nEpochs >= 1)) {
    throw new RangeError(`nEpochs must be a positive integer, got ${params.nEpochs}`);
  }
  if (distance !== 'euclidean' && distance !== 'sqeuclidean' && distance !== 'cosine')
    throw new RangeError(`unknown distance ${String(distance)}`);
  if (params.alignedInit && Number.isFinite(n) && params.alignedInit.length !== 2 * n) {
    throw new RangeError(`alignedInit has ${params.alignedInit.length} values, expected ${2 * n}`);
  }
  return { nNeighbors, minDist, seed, distance, normalize, init, neighbours, nEpochs: params.nEpochs };
}
