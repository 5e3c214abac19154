/**
 * UMAP's layout optimisation (stochastic gradient descent with negative sampling) on typed arrays.
 *
 * It follows umap-js 1.4.0 (`initializeSimplicialSetEmbedding`, `makeEpochsPerSample`,
 * `optimizeLayoutStep`) operation by operation and draws the same random numbers in the same
 * order, so with the same graph, initial positions and generator and `exactPow` it produces the
 * same layout as umap-js, bit for bit. Changes: storage (one Float64Array of positions instead of
 * an array of arrays, no per-epoch allocation) and, by default, an interpolated power d^b
 * (fastPow.ts) instead of Math.pow, which otherwise takes most of the time.
 */
import { PowTable, powFromTable } from './fastPow';
import type { SparseGraph } from './fuzzyGraph';

/** The edges the epochs sample, each with its sampling period in epochs. */
export interface EpochSchedule {
  /** Vertex moved by the attraction (umap-js `head` = the graph column). */
  head: Int32Array;
  /** Its neighbour (umap-js `tail` = the graph row). */
  tail: Int32Array;
  /** An edge of weight w is sampled every maxWeight / w epochs. */
  epochsPerSample: Float64Array;
}

/** umap-js `getNEpochs` default: more epochs for small data sets. */
export function defaultEpochs(n: number): number {
  if (n <= 2500) return 500;
  if (n <= 5000) return 400;
  if (n <= 7500) return 300;
  return 200;
}

/**
 * Drops the edges too weak to be sampled even once in `nEpochs` (weight < max / nEpochs) and the
 * zero ones, and turns the rest into sampling periods (umap-js `makeEpochsPerSample`).
 */
export function makeSchedule(graph: SparseGraph, nEpochs: number): EpochSchedule {
  const { rows, cols, vals } = graph;
  let graphMax = 0;
  for (let i = 0; i < vals.length; i++) if (graphMax < vals[i]) graphMax = vals[i];
  const cutoff = graphMax / nEpochs;
  let m = 0;
  for (let i = 0; i < vals.length; i++) if (vals[i] && !(vals[i] < cutoff)) m++;
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const weights = new Float64Array(m);
  let e = 0;
  let maxW = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (!v || v < cutoff) continue;
    head[e] = cols[i];
    tail[e] = rows[i];
    weights[e] = v;
    if (v > maxW) maxW = v;
    e++;
  }
  const epochsPerSample = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const nSamples = (weights[i] / maxW) * nEpochs;
    epochsPerSample[i] = nSamples > 0 ? nEpochs / nSamples : -1;
  }
  return { head, tail, epochsPerSample };
}

/** umap-js's initial layout: uniform in [-10, 10)^2, drawn row by row. */
export function randomInit(n: number, random: () => number): Float64Array {
  const emb = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) emb[i] = random() * 20 + -10;
  return emb;
}

/** Curve parameters and sampling rates of the optimisation (umap-js defaults in brackets). */
export interface SgdParams {
  a: number;
  b: number;
  nEpochs: number;
  /** [1] */
  learningRate?: number;
  /** [1] */
  repulsionStrength?: number;
  /** [5] */
  negativeSampleRate?: number;
  /**
   * Use Math.pow as umap-js does (bit-identical to umap-js, ~2x slower) instead of the
   * interpolated power of fastPow.ts [false].
   */
  exactPow?: boolean;
}

/**
 * Runs the epochs one at a time on `emb` (n x 2, modified in place). `epochDone(epoch)` is
 * called after each epoch and may return a promise (to yield, report progress, or throw an
 * AbortError between epochs).
 */
export async function optimizeLayout(
  emb: Float64Array,
  n: number,
  schedule: EpochSchedule,
  params: SgdParams,
  random: () => number,
  epochDone?: (epochsCompleted: number) => void | Promise<void>,
): Promise<void> {
  const { head, tail, epochsPerSample } = schedule;
  const m = head.length;
  const rate = params.negativeSampleRate ?? 5;
  const epochsPerNegativeSample = new Float64Array(m);
  for (let i = 0; i < m; i++) epochsPerNegativeSample[i] = epochsPerSample[i] / rate;
  const state: EpochState = {
    emb,
    n,
    head,
    tail,
    epochsPerSample,
    epochsPerNegativeSample,
    epochOfNextSample: epochsPerSample.slice(),
    epochOfNextNegativeSample: epochsPerNegativeSample.slice(),
    a: params.a,
    b: params.b,
    gamma: params.repulsionStrength ?? 1,
    alpha: params.learningRate ?? 1,
    random,
    exact: params.exactPow === true,
    pow: new PowTable(params.b),
  };
  const initialAlpha = state.alpha;
  for (let epoch = 0; epoch < params.nEpochs; epoch++) {
    runEpoch(state, epoch);
    state.alpha = initialAlpha * (1 - epoch / params.nEpochs);
    if (epochDone) await epochDone(epoch + 1);
  }
}

interface EpochState {
  emb: Float64Array;
  n: number;
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochsPerNegativeSample: Float64Array;
  epochOfNextSample: Float64Array;
  epochOfNextNegativeSample: Float64Array;
  a: number;
  b: number;
  gamma: number;
  alpha: number;
  random: () => number;
  exact: boolean;
  pow: PowTable;
}

/** One epoch of umap-js `optimizeLayoutStep` (2 components, head and tail the same embedding). */
function runEpoch(s: EpochState, epoch: number): void {
  const {
    emb,
    n,
    head,
    tail,
    epochsPerSample,
    epochsPerNegativeSample,
    epochOfNextSample,
    epochOfNextNegativeSample,
    a,
    b,
    gamma,
    alpha,
    random,
    exact,
  } = s;
  const table = s.pow.table;
  const m = head.length;
  for (let i = 0; i < m; i++) {
    if (epochOfNextSample[i] > epoch) continue;
    const j = head[i];
    const k = tail[i];
    const jx = 2 * j,
      kx = 2 * k;
    // Attraction between the edge's ends.
    let dx = emb[jx] - emb[kx];
    let dy = emb[jx + 1] - emb[kx + 1];
    let d2 = dx * dx + dy * dy;
    let g = 0;
    if (d2 > 0) {
      if (exact) {
        g = -2 * a * b * Math.pow(d2, b - 1);
        g /= a * Math.pow(d2, b) + 1;
      } else {
        const pb = powFromTable(table, b, d2);
        g = -2 * a * b * (pb / d2);
        g /= a * pb + 1;
      }
    }
    let gd = clip(g * dx);
    emb[jx] += gd * alpha;
    emb[kx] += -gd * alpha;
    // umap-js reads the second coordinate after moving the first one.
    gd = clip(g * (emb[jx + 1] - emb[kx + 1]));
    emb[jx + 1] += gd * alpha;
    emb[kx + 1] += -gd * alpha;
    epochOfNextSample[i] += epochsPerSample[i];
    // Repulsion from random vertices.
    const nNeg = Math.floor((epoch - epochOfNextNegativeSample[i]) / epochsPerNegativeSample[i]);
    for (let p = 0; p < nNeg; p++) {
      const r = Math.floor(random() * n);
      const rx = 2 * r;
      dx = emb[jx] - emb[rx];
      dy = emb[jx + 1] - emb[rx + 1];
      d2 = dx * dx + dy * dy;
      g = 0;
      if (d2 > 0) {
        g = 2 * gamma * b;
        g /= (0.001 + d2) * (a * (exact ? Math.pow(d2, b) : powFromTable(table, b, d2)) + 1);
      } else if (j === r) {
        continue;
      }
      // Coincident distinct points are pushed apart by the clip value in every coordinate.
      gd = g > 0 ? clip(g * dx) : 4;
      emb[jx] += gd * alpha;
      gd = g > 0 ? clip(g * (emb[jx + 1] - emb[rx + 1])) : 4;
      emb[jx + 1] += gd * alpha;
    }
    epochOfNextNegativeSample[i] += nNeg * epochsPerNegativeSample[i];
  }
}

function clip(x: number): number {
  return x > 4 ? 4 : x < -4 ? -4 : x;
}
