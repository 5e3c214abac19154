/**
 * The census command's JSON (its stable output: fields may be added, never removed), built from a
 * pass result, and the stated estimate's JSON from a sample. `census`, `census --anchors` + `merge`
 * all build the exact report here, so their outputs are the same bytes.
 */
import type { PassResult } from '../engine/passResult';
import type { Estimate, SampleEstimate } from '../engine/passSample';
import type { Convention } from '../engine/types';
import type { WorstTriplet } from '../engine/censusTypes';
import type { QueryGalleryReport } from './queryGallery';

/** Facts about the run every report repeats. */
export interface RunFacts {
  dataset: string;
  n: number;
  dim: number;
  classes: number;
  margin: number;
  distance: string;
  normalize: boolean;
  convention: Convention;
  backend: string;
  warnings: string[];
}

type Worst = { anchor: number; positive: number; negative: number; loss: number; dap: number; dan: number };

/** The JSON the census command prints. */
export interface CensusReport {
  dataset: string;
  n: number;
  dim: number;
  classes: number;
  margin: number;
  distance: string;
  normalize: boolean;
  convention: Convention;
  backend: string;
  triplets: number;
  easy: number;
  semihard: number;
  hard: number;
  violating: number;
  /** Counts under both conventions (the top-level ones are the chosen convention's). */
  pml: { easy: number; semihard: number; hard: number; violating: number };
  facenet: { easy: number; semihard: number; hard: number; violating: number };
  lossSum: number;
  meanLoss: number;
  meanLossNonZero: number;
  nonZero: number;
  batchHard: { meanLoss: number; violatingAnchors: number; anchors: number };
  retrieval: { precisionAt1: number; rPrecision: number; mapAtR: number; queries: number };
  worst: Worst[];
  warnings: string[];
  /** Query / gallery retrieval (Market-1501 protocol), when the metadata has a split column (census only, not merge).
   */
  queryGallery?: QueryGalleryReport;
}

/** The JSON of `census --sample`: every count is an estimate with its 95 % interval, and says so. */
export interface SampledCensusReport {
  dataset: string;
  n: number;
  dim: number;
  classes: number;
  margin: number;
  distance: string;
  normalize: boolean;
  convention: Convention;
  backend: string;
  estimate: true;
  /** How the numbers were obtained. */
  method: string;
  sampledAnchors: number;
  populationAnchors: number;
  seed: number;
  triplets: Estimate;
  easy: Estimate;
  semihard: Estimate;
  hard: Estimate;
  violating: Estimate;
  /** Violating share of all valid triplets (chosen convention), 0..1. */
  violatingShare: Estimate;
  pml: SampleEstimate['pml'];
  facenet: SampleEstimate['facenet'];
  lossSum: Estimate;
  meanLoss: Estimate;
  meanLossNonZero: Estimate;
  /** The worst triplets among the sampled anchors only. */
  worstInSample: Worst[];
  warnings: string[];
}

const worstRows = (list: WorstTriplet[]): Worst[] =>
  list.map((w) => ({
    anchor: w.anchor,
    positive: w.positive,
    negative: w.negative,
    loss: w.loss,
    dap: w.dap,
    dan: w.dan,
  }));

/** The exact report of a pass over every anchor. */
export function censusReport(f: RunFacts, r: PassResult): CensusReport {
  const c = r.census,
    counts = f.convention === 'pml' ? c.pml : c.facenet,
    ret = r.retrieval!;
  return {
    dataset: f.dataset,
    n: f.n,
    dim: f.dim,
    classes: f.classes,
    margin: f.margin,
    distance: f.distance,
    normalize: f.normalize,
    convention: f.convention,
    backend: f.backend,
    triplets: c.triplets,
    easy: counts.easy,
    semihard: counts.semihard,
    hard: counts.hard,
    violating: counts.violating,
    pml: { ...c.pml },
    facenet: { ...c.facenet },
    lossSum: c.lossSum,
    meanLoss: c.meanLoss,
    meanLossNonZero: c.meanLossNonZero,
    nonZero: c.nonZero,
    batchHard: {
      meanLoss: r.batchHard.meanLoss,
      violatingAnchors: r.batchHard.violatingAnchors,
      anchors: r.batchHard.validAnchors,
    },
    retrieval: { precisionAt1: ret.precisionAt1, rPrecision: ret.rPrecision, mapAtR: ret.mapAtR, queries: ret.queries },
    worst: worstRows(c.worst),
    warnings: f.warnings,
  };
}

/** The stated estimate of a sampled pass. */
export function sampledReport(f: RunFacts, e: SampleEstimate, sample: PassResult): SampledCensusReport {
  const conv = f.convention;
  return {
    dataset: f.dataset,
    n: f.n,
    dim: f.dim,
    classes: f.classes,
    margin: f.margin,
    distance: f.distance,
    normalize: f.normalize,
    convention: conv,
    backend: f.backend,
    estimate: true,
    method: e.method,
    sampledAnchors: e.sampledAnchors,
    populationAnchors: e.populationAnchors,
    seed: e.seed,
    triplets: e.triplets,
    easy: e[conv].easy,
    semihard: e[conv].semihard,
    hard: e[conv].hard,
    violating: e[conv].violating,
    violatingShare: (conv === 'pml' ? e.pmlShare : e.facenetShare).violating,
    pml: e.pml,
    facenet: e.facenet,
    lossSum: e.lossSum,
    meanLoss: e.meanLoss,
    meanLossNonZero: e.meanLossNonZero,
    worstInSample: worstRows(sample.census.worst),
    warnings: f.warnings,
  };
}
