/**
 * The census as the views get it (CensusView, MarginTableView), built from the engine's results
 * and the margin-independent facts of one index build or pass: a full recount, a quick one (the
 * slider moving), a margin-table answer, a sample's stated estimate. Pure: no `vscode`, no DOM.
 */
import type { CensusResult, WorstTriplet } from '../engine/censusTypes';
import { tableCounts } from '../engine/marginTable';
import type { PassResult } from '../engine/passResult';
import type { SampleDraw, SampleEstimate } from '../engine/passSample';
import type { CensusTotals, ChunkTable, TableTotals } from '../engine/passTypes';
import type { DistanceOptions } from '../engine/types';
import type { MarginTableView } from '../shared/marginTableView';
import type { AnalysisSettings, CensusView } from '../shared/protocol';
import { worstAt } from '../shared/worstAt';
import {
  CAT_NONE,
  classViolationRates,
  classViolationRatesFromAnchors,
  classViolationRatesFromClassSums,
  dominantCategories,
  topClassPairs,
} from './derive';
import { censusEstimate, type TableSource } from './streaming';

/** Margin-independent results of one index build or pass (distance + normalisation). */
export interface IndexFacts {
  options: DistanceOptions;
  hardestPositive: Int32Array;
  dap: Float32Array;
  dan: Float32Array;
  softLossMean: number;
  retrieval?: { precisionAt1: number; rPrecision: number; mapAtR: number };
  histogram: { edges: Float64Array; counts: Float64Array };
  marginRange: { min: number; max: number; step: number };
  /** Per sample: triplets with t <= 0 as anchor (margin-independent), and all valid triplets as anchor. */
  hardAsAnchor: Float64Array;
  tripletsAsAnchor: Float64Array;
}

/** The dataset facts every view needs. */
export interface ViewContext {
  labels: Int32Array;
  sizes: Float64Array;
  n: number;
}

/** The stated sample of a streaming analysis: its draw, each group's totals (census and table), the sampled anchors'
 * pass. */
export interface SampleState {
  draw: SampleDraw;
  groups: { census: CensusTotals; table?: ChunkTable }[];
  result: PassResult;
  facts: IndexFacts;
}

type Counts = Pick<CensusView, 'triplets' | 'pml' | 'facenet' | 'lossSum' | 'meanLoss' | 'meanLossNonZero'>;

/** Batch-hard at margin m from the per-anchor hardest distances (Hermans et al.; mean over anchors with both). */
export function batchHardAt(
  facts: Pick<IndexFacts, 'hardestPositive' | 'dap' | 'dan'>,
  m: number,
): { meanLoss: number; violatingAnchors: number } {
  let loss = 0,
    viol = 0,
    count = 0;
  for (let a = 0; a < facts.hardestPositive.length; a++) {
    if (facts.hardestPositive[a] < 0 || !Number.isFinite(facts.dan[a])) continue;
    const l = Math.max(0, m + facts.dap[a] - facts.dan[a]);
    loss += l;
    count++;
    if (l > 0) viol++;
  }
  return { meanLoss: count ? loss / count : 0, violatingAnchors: viol };
}

/** Index of the margin nearest to m among ascending `margins` (-1 when there is none). */
export function nearestPosition(margins: Float64Array, m: number): number {
  if (!margins.length || !Number.isFinite(m)) return -1;
  let best = 0;
  for (let k = 1; k < margins.length; k++) if (Math.abs(margins[k] - m) < Math.abs(margins[best] - m)) best = k;
  return best;
}

/** Table totals of some anchors at position k, as census totals (what their exact census gives at margins[k]). */
export function totalsAtPosition(t: TableTotals, k: number): CensusTotals {
  const V = t.violating[k],
    Vs = t.violatingStrict[k],
    T = t.triplets;
  return {
    triplets: T,
    nonZero: Vs,
    lossSumPartials: t.lossPartials[k],
    pml: { easy: T - V, semihard: V - t.hard, hard: t.hard, violating: V },
    facenet: { easy: T - Vs, semihard: Vs - t.hardStrict, hard: t.hardStrict, violating: Vs },
  };
}

/** Whether two settings give the same exact census (the convention and NT-Xent only change how it is shown). */
export function sameCount(a: AnalysisSettings, b: AnalysisSettings): boolean {
  return a.margin === b.margin && a.distance === b.distance && a.normalize === b.normalize && a.mining === b.mining;
}

/** The census of a full recount at settings `s` (per-sample counts and class pairs included). */
export function fullView(
  ctx: ViewContext,
  s: AnalysisSettings,
  r: CensusResult,
  facts: IndexFacts,
  semihard: CensusView['semihard'],
  ntXent: CensusView['ntXent'],
  elapsedMs: number,
): CensusView {
  const ps = r.perSample!;
  const batchHard = batchHardAt(facts, s.margin);
  return {
    settings: s,
    triplets: r.triplets,
    counts: s.convention === 'pml' ? r.pml : r.facenet,
    pml: r.pml,
    facenet: r.facenet,
    lossSum: r.lossSum,
    meanLoss: r.meanLoss,
    meanLossNonZero: r.meanLossNonZero,
    // Colour category: where most of the anchor's triplets fall (pml's boundaries per sample).
    category: dominantCategories(facts.hardAsAnchor, ps.violAsAnchor, facts.tripletsAsAnchor),
    lossAsAnchor: Float32Array.from(ps.lossAsAnchor),
    violAsAnchor: Float32Array.from(ps.violAsAnchor),
    violAsPositive: Float32Array.from(ps.violAsPositive),
    violAsNegative: Float32Array.from(ps.violAsNegative),
    nearestImpostor: r.nearestImpostor,
    worst: r.worst.map((w) => ({ ...w })),
    classViolationRate: classViolationRates(r.classPairs, ctx.sizes),
    topPairs: topClassPairs(r.classPairs, ctx.sizes.length, 20),
    batchHard,
    semihard,
    retrieval: facts.retrieval,
    ntXent,
    elapsedMs,
  };
}

/**
 * A quick census (the slider moving): counts, losses, worst list, per-anchor numbers, colours and
 * class rates for settings `s` (`classRates` when known, else from the per-anchor counts); class
 * pairs and per-sample positive / negative counts stay those of `prev`, the last full census (`partial`).
 */
export function quickView(
  ctx: ViewContext,
  s: AnalysisSettings,
  prev: CensusView,
  facts: IndexFacts,
  c: Counts,
  worst: readonly WorstTriplet[],
  violAsAnchor: ArrayLike<number>,
  lossAsAnchor: Float32Array,
  semihard: CensusView['semihard'],
  ntXent: CensusView['ntXent'],
  elapsedMs: number,
  classRates?: CensusView['classViolationRate'],
): CensusView {
  const batchHard = batchHardAt(facts, s.margin);
  return {
    ...prev,
    fromTable: undefined,
    settings: s,
    triplets: c.triplets,
    counts: s.convention === 'pml' ? c.pml : c.facenet,
    pml: c.pml,
    facenet: c.facenet,
    lossSum: c.lossSum,
    meanLoss: c.meanLoss,
    meanLossNonZero: c.meanLossNonZero,
    category: dominantCategories(facts.hardAsAnchor, violAsAnchor, facts.tripletsAsAnchor),
    worst: worst.map((w) => ({ ...w })),
    lossAsAnchor,
    violAsAnchor: Float32Array.from(violAsAnchor),
    classViolationRate: classRates ?? classViolationRatesFromAnchors(ctx.labels, violAsAnchor, ctx.sizes),
    batchHard,
    semihard,
    ntXent,
    elapsedMs,
    partial: true,
  };
}

/** Largest class-rate block sent to the sidebar (positions x classes, 8 bytes each: 8 MB). */
export const VIEW_MAX_CLASS_CELLS = 1_000_000;

/** The sidebar's view of a table: the same functions the host answers with, at every position; undefined when too large
 * to send. */
export function tableView(ctx: ViewContext, t: TableSource, facts: IndexFacts): MarginTableView | undefined {
  const table = t.table,
    K = table.margins.length,
    n = ctx.n,
    C = ctx.sizes.length;
  if (K * C > VIEW_MAX_CLASS_CELLS) return undefined;
  const lossSum = new Float64Array(K),
    bhLoss = new Float64Array(K),
    bhViol = new Float64Array(K),
    rates = new Float64Array(K * C);
  for (let k = 0; k < K; k++) {
    lossSum[k] = tableCounts(table, k).lossSum;
    const bh = batchHardAt(facts, table.margins[k]);
    bhLoss[k] = bh.meanLoss;
    bhViol[k] = bh.violatingAnchors;
    rates.set(
      t.classViolating
        ? classViolationRatesFromClassSums(t.classViolating, k, ctx.sizes)
        : classViolationRatesFromAnchors(ctx.labels, table.violAsAnchor.subarray(k * n, (k + 1) * n), ctx.sizes),
      k * C,
    );
  }
  return {
    distance: facts.options.distance,
    normalize: facts.options.normalize,
    margins: table.margins,
    triplets: table.triplets,
    hard: table.hard,
    hardStrict: table.hardStrict,
    violating: table.violating,
    violatingStrict: table.violatingStrict,
    lossSum,
    batchHardLoss: bhLoss,
    batchHardViolating: bhViol,
    classViolationRate: rates,
    classes: C,
    smallest: t.smallest.map((w) => ({ ...w })),
    complete: t.complete,
    limit: t.limit,
    topK: t.topK,
  };
}

/**
 * The census view of a sample's estimate at margin m (the analysed margin or a slider position k):
 * estimated counts with their intervals; per-sample values, colours and class rates from the
 * sampled anchors only (the others uncoloured); the worst triplets among the sampled anchors.
 */
export function estimateView(
  ctx: ViewContext,
  s: AnalysisSettings,
  m: number,
  k: number,
  e: SampleEstimate,
  sample: SampleState,
  topK: number,
): CensusView {
  const { n, labels, sizes } = ctx,
    r = sample.result,
    facts = sample.facts,
    conv = s.convention;
  const round = (x: { value: number }) => Math.round(x.value);
  const counts = (c: SampleEstimate['pml']) => ({
    easy: round(c.easy),
    semihard: round(c.semihard),
    hard: round(c.hard),
    violating: round(c.violating),
  });
  const atMargin = m === r.spec.margin,
    pa = r.census.perAnchor ?? r.census.perSample!;
  const viol = atMargin ? Float64Array.from(pa.violAsAnchor) : new Float64Array(n);
  const loss = atMargin ? Float32Array.from(pa.lossAsAnchor) : new Float32Array(n);
  if (!atMargin) {
    // The groups' table rows hold each sampled anchor's numbers at every position.
    const K = r.spec.table!.margins.length;
    sample.draw.groups.forEach((ids, g) => {
      const t = sample.groups[g].table!;
      ids.forEach((a, i) => {
        viol[a] = t.violAsAnchor[i * K + k];
        loss[a] = t.lossAsAnchor[i * K + k];
      });
    });
  }
  const sampled = new Uint8Array(n);
  for (const g of sample.draw.groups) for (const a of g) sampled[a] = 1;
  const category = dominantCategories(facts.hardAsAnchor, viol, facts.tripletsAsAnchor);
  const C = sizes.length,
    classViol = new Float64Array(C),
    valid = new Float64Array(C);
  for (let a = 0; a < n; a++) {
    if (!sampled[a]) {
      category[a] = CAT_NONE;
      continue;
    }
    classViol[labels[a]] += viol[a];
    valid[labels[a]] += facts.tripletsAsAnchor[a];
  }
  const bh = batchHardAt(facts, m);
  const worst = atMargin
    ? r.census.worst
    : r.table
      ? (worstAt(r.table.smallest, r.table.complete, r.table.margins[r.table.margins.length - 1], m, topK) ?? [])
      : [];
  return {
    settings: { ...s, margin: m },
    triplets: round(e.triplets),
    counts: counts(e[conv]),
    pml: counts(e.pml),
    facenet: counts(e.facenet),
    lossSum: e.lossSum.value,
    meanLoss: e.meanLoss.value,
    meanLossNonZero: e.meanLossNonZero.value,
    category,
    lossAsAnchor: loss,
    violAsAnchor: Float32Array.from(viol),
    violAsPositive: new Float32Array(n),
    violAsNegative: new Float32Array(n),
    nearestImpostor: r.census.nearestImpostor,
    worst: worst.map((w) => ({ ...w })),
    classViolationRate: Float64Array.from(classViol, (v, c) => (valid[c] > 0 ? v / valid[c] : 0)),
    topPairs: [],
    batchHard: {
      meanLoss: bh.meanLoss,
      violatingAnchors: Math.round((bh.violatingAnchors * n) / Math.max(1, sample.draw.sampled)),
    },
    elapsedMs: 0,
    partial: true,
    estimate: censusEstimate(e, conv),
  };
}
