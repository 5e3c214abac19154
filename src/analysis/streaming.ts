/**
 * What the session needs to stream a dataset too large for the in-memory census index: the
 * decision (index or passes), the slider range from a few anchors before any table exists, the
 * stated estimate of a sampled pass as the views show it, and a pass's margin table in the shape
 * the session answers slider positions from. Pure: no `vscode`, unit-tested in Node.
 */
import { censusIndexBytes } from '../engine/census';
import type { PassResult, PassTable } from '../engine/passResult';
import type { SampleEstimate } from '../engine/passSample';
import type { CensusEstimate } from '../shared/protocol';
import type { MarginTable } from '../engine/marginTable';
import type { WorstTriplet } from '../engine/censusTypes';
import { histogramEdges, marginRange } from './derive';

/**
 * Whether the census index (O(N^2) memory, the fastest recount) fits the budget next to the
 * embeddings (as loaded and normalised) and two workers' own memory. Above that the session counts
 * in passes (O(block x N)). With the default 2 GB this keeps every dataset the product handled in
 * memory before (N = 20 000 with 100 classes: a 1.85 GB index) on the index.
 */
export function indexFits(labels: Int32Array, classes: number, dim: number, budgetBytes: number): boolean {
  return censusIndexBytes(labels, classes) + labels.length * dim * 8 + 2 * WORKER_ALLOWANCE <= 0.95 * budgetBytes;
}

/** A worker thread's own memory besides the index (V8, the wasm module, its buffers). */
const WORKER_ALLOWANCE = 64 * 2 ** 20;

/** Slider positions wanted when streaming: each costs (anchor, positive) pairs of work per pass. */
export const STREAM_POSITIONS = 100;

/**
 * The slider's range and the histogram's edges from the anchors a pass counted: the range from
 * their nearest negatives (as marginRange does for all anchors), the edges from their smallest
 * t = d(a,n*) - d(a,p*). Anchors the pass did not count have NaN and are skipped.
 */
export function rangeFromSample(r: PassResult, margin: number, positions = STREAM_POSITIONS): { range: { min: number; max: number; step: number }; edges: Float64Array } {
  const bh = r.batchHard;
  let tMin = Infinity;
  for (let a = 0; a < bh.dan.length; a++) if (bh.hardestPositive[a] >= 0 && Number.isFinite(bh.dan[a])) tMin = Math.min(tMin, bh.dan[a] - bh.dap[a]);
  const range = marginRange(bh.dan, margin, positions);
  return { range, edges: histogramEdges(Number.isFinite(tMin) ? tMin : -range.max, range.max * 1.5) };
}

/** The estimate as the views show it beside the estimated counts of the active convention. */
export function censusEstimate(e: SampleEstimate, convention: 'pml' | 'facenet'): CensusEstimate {
  const c = e[convention], share = (convention === 'pml' ? e.pmlShare : e.facenetShare).violating;
  return {
    sampledAnchors: e.sampledAnchors, populationAnchors: e.populationAnchors, seed: e.seed, method: e.method,
    halfWidth: {
      triplets: e.triplets.halfWidth95, easy: c.easy.halfWidth95, semihard: c.semihard.halfWidth95, hard: c.hard.halfWidth95, violating: c.violating.halfWidth95,
      lossSum: e.lossSum.halfWidth95, meanLoss: e.meanLoss.halfWidth95, meanLossNonZero: e.meanLossNonZero.halfWidth95,
    },
    violatingShare: { value: share.value, halfWidth95: share.halfWidth95 },
  };
}

/** The session's margin-table answer source from a pass's table. */
export interface TableSource {
  table: MarginTable;
  smallest: WorstTriplet[];
  complete: boolean;
  limit: number;
  topK: number;
  /** K x classes: violating triplets by anchor class at each position. */
  classViolating?: Float64Array;
}

/** A pass's table as the session answers from it; without per-anchor columns those arrays are empty. */
export function tableSourceOf(t: PassTable, n: number, topK: number): TableSource {
  return {
    table: {
      margins: t.margins, n, triplets: t.triplets, hard: t.hard, hardStrict: t.hardStrict, violating: t.violating, violatingStrict: t.violatingStrict,
      lossPartials: t.lossPartials, violAsAnchor: t.violAsAnchor ?? new Uint32Array(0), lossAsAnchor: t.lossAsAnchor ?? new Float32Array(0),
    },
    smallest: t.smallest, complete: t.complete, limit: t.margins[t.margins.length - 1], topK, classViolating: t.classViolating,
  };
}
