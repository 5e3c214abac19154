/**
 * What the session needs to stream a dataset too large for the in-memory census index: the
 * decision (index or passes), the slider range from a few anchors before any table exists, the
 * stated estimate of a sampled pass as the views show it, and a pass's margin table in the shape
 * the session answers slider positions from. Pure: no `vscode`, unit-tested in Node.
 */
import { censusIndexBytes } from '../engine/census';
import { planPass, shortfall, WORKER_BYTES, type PassPlan } from '../engine/passPlan';
import type { Dataset } from '../shared/dataset';
import type { DistanceOptions } from '../engine/types';
import type { PassTable } from '../engine/passResult';
import type { SampleEstimate } from '../engine/passSample';
import type { CensusEstimate } from '../shared/protocol';
import type { MarginTable } from '../engine/marginTable';
import type { WorstTriplet } from '../engine/censusTypes';

/**
 * Whether the census index (O(N^2) memory, the fastest recount) fits the budget next to the
 * embeddings (as loaded and normalised) and two workers' own memory. Above that the session counts
 * in passes (O(block x N)). With the default 2 GB this keeps every dataset the product handled in
 * memory before (N = 20 000 with 100 classes: a 1.85 GB index) on the index.
 */
export function indexFits(labels: Int32Array, classes: number, dim: number, budgetBytes: number): boolean {
  // Each of two workers: its own memory and, beside the index, about as much again for its buffers at this size.
  return (
    censusIndexBytes(labels, classes) + labels.length * dim * 8 + 2 * (WORKER_BYTES + 28 * 2 ** 20) <=
    0.95 * budgetBytes
  );
}

/** Slider positions wanted when streaming: each costs (anchor, positive) pairs of work per pass. */
export const STREAM_POSITIONS = 100;

/** The estimate as the views show it beside the estimated counts of the active convention. */
export function censusEstimate(e: SampleEstimate, convention: 'pml' | 'facenet'): CensusEstimate {
  const c = e[convention],
    share = (convention === 'pml' ? e.pmlShare : e.facenetShare).violating;
  return {
    sampledAnchors: e.sampledAnchors,
    populationAnchors: e.populationAnchors,
    seed: e.seed,
    method: e.method,
    halfWidth: {
      triplets: e.triplets.halfWidth95,
      easy: c.easy.halfWidth95,
      semihard: c.semihard.halfWidth95,
      hard: c.hard.halfWidth95,
      violating: c.violating.halfWidth95,
      lossSum: e.lossSum.halfWidth95,
      meanLoss: e.meanLoss.halfWidth95,
      meanLossNonZero: e.meanLossNonZero.halfWidth95,
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
      margins: t.margins,
      n,
      triplets: t.triplets,
      hard: t.hard,
      hardStrict: t.hardStrict,
      violating: t.violating,
      violatingStrict: t.violatingStrict,
      lossPartials: t.lossPartials,
      violAsAnchor: t.violAsAnchor ?? new Uint32Array(0),
      lossAsAnchor: t.lossAsAnchor ?? new Float32Array(0),
    },
    smallest: t.smallest,
    complete: t.complete,
    limit: t.margins[t.margins.length - 1],
    topK,
    classViolating: t.classViolating,
  };
}

/** The memory plan of a pass over a session's dataset; nothing fitting is an error saying what to do. */
export function planSessionPass(
  d: Dataset,
  options: DistanceOptions,
  workers: number,
  budgetBytes: number,
  positions: number,
  perSample: boolean,
  knn = 0,
): PassPlan {
  const input = {
    n: d.n,
    dim: d.dim,
    classes: d.classNames.length,
    distance: options.distance,
    normalize: options.normalize,
    workers,
    positions,
    perSample,
    knn,
    budgetBytes,
  };
  const plan = planPass(input);
  if ('needBytes' in plan)
    throw new Error(
      shortfall(input, plan.needBytes, 'raise the memory budget (the setting embeddingInspector.maxFileMegabytes)'),
    );
  return plan;
}
