/**
 * Retrieval metrics with pytorch-metric-learning's `AccuracyCalculator` semantics: every sample
 * is a query, the reference set is all samples, the query itself is excluded
 * (`embeddings_come_from_same_source`).
 *
 * - Neighbour order: ascending distance (the float32 values of `distanceRows`), ties by the
 *   smaller sample index. PML leaves tie order to faiss; ours is deterministic.
 * - R = number of other samples with the query's label. Queries with R = 0 (singleton classes)
 *   are "lone" and excluded from every metric, as PML does; with no query left the overall
 *   metrics are 0 (PML returns 0 too) and `queries` is 0.
 * - precision@1: the nearest neighbour has the query's label.
 * - R-precision: same-label share among the R nearest neighbours.
 * - MAP@R: (1/R) * sum_{i=1..R} P(i) * rel(i) over the R nearest neighbours.
 * - Overall: mean over queries (PML `avg_of_avgs=False`); per class: mean over that class's
 *   queries (NaN for a class without a query). PML additionally caps R at 1023 (a faiss limit on
 *   k); we do not, so classes larger than 1024 samples are computed exactly here.
 */
import { checkRange, classCounts, forEachRowBlock, RowRange, RowSelector } from './knn';
import { prepareEmbeddings } from './distances';
import type { DistanceOptions, EngineInput, Progress } from './types';

/** Per-query values for the query rows [rowStart, rowEnd): NaN for lone queries (R = 0). */
export interface RetrievalRows {
  rowStart: number;
  rowEnd: number;
  precisionAt1: Float64Array;
  rPrecision: Float64Array;
  apAtR: Float64Array;
}

/** Metrics overall and per class. */
export interface RetrievalResult {
  /** Queries with R >= 1 (the ones averaged). */
  queries: number;
  precisionAt1: number;
  rPrecision: number;
  mapAtR: number;
  perClass: { queries: Int32Array; precisionAt1: Float64Array; rPrecision: Float64Array; mapAtR: Float64Array };
}

/**
 * Per-query precision@1, R-precision and AP@R for the rows in `range` (all rows by default).
 * Splitting the rows across workers and concatenating gives the same values as one call.
 */
export async function retrievalRows(
  input: EngineInput,
  opts: DistanceOptions,
  range?: RowRange,
  progress?: Progress,
): Promise<RetrievalRows> {
  const { n, dim, labels } = input;
  const { rowStart, rowEnd } = checkRange(range, n);
  const rows = rowEnd - rowStart;
  const p1 = new Float64Array(rows).fill(NaN);
  const rp = new Float64Array(rows).fill(NaN);
  const ap = new Float64Array(rows).fill(NaN);
  const counts = classCounts(labels, input.classes);
  if (rows > 0 && n > 1) {
    const x = prepareEmbeddings(input, opts.normalize);
    let maxR = 0;
    for (let q = rowStart; q < rowEnd; q++) maxR = Math.max(maxR, counts[labels[q]] - 1);
    const sel = new RowSelector(n, maxR);
    await forEachRowBlock(
      x,
      n,
      dim,
      opts.distance,
      rowStart,
      rowEnd,
      progress,
      'retrieval metrics',
      (r0, r1, block) => {
        for (let q = r0; q < r1; q++) {
          const label = labels[q];
          const R = counts[label] - 1;
          if (R < 1) continue;
          const nearest = sel.select(block, (q - r0) * n, q, R);
          let hits = 0;
          let apSum = 0;
          for (let i = 0; i < R; i++) {
            if (labels[nearest[i]] === label) {
              hits++;
              apSum += hits / (i + 1);
            }
          }
          const o = q - rowStart;
          p1[o] = labels[nearest[0]] === label ? 1 : 0;
          rp[o] = hits / R;
          ap[o] = apSum / R;
        }
      },
    );
  }
  return { rowStart, rowEnd, precisionAt1: p1, rPrecision: rp, apAtR: ap };
}

/**
 * Reduces per-query parts (any split of the rows, in any order) to the metrics. Sums run in
 * sample-index order, so the result does not depend on how the rows were split.
 */
export function summarizeRetrieval(labels: Int32Array, classes: number, parts: RetrievalRows[]): RetrievalResult {
  const n = labels.length;
  const p1 = new Float64Array(n).fill(NaN);
  const rp = new Float64Array(n).fill(NaN);
  const ap = new Float64Array(n).fill(NaN);
  const covered = new Uint8Array(n);
  for (const part of parts) {
    for (let q = part.rowStart; q < part.rowEnd; q++) {
      if (covered[q]) throw new RangeError(`retrieval parts overlap at row ${q}`);
      covered[q] = 1;
    }
    p1.set(part.precisionAt1, part.rowStart);
    rp.set(part.rPrecision, part.rowStart);
    ap.set(part.apAtR, part.rowStart);
  }
  if (covered.indexOf(0) !== -1) throw new RangeError(`retrieval parts miss row ${covered.indexOf(0)}`);
  return summarizeRetrievalArrays(labels, classes, p1, rp, ap);
}

/**
 * The metrics from per-query values of length n (NaN for a query that is lone or not computed:
 * a sampled or sharded pass), summed in sample-index order.
 */
export function summarizeRetrievalArrays(
  labels: Int32Array,
  classes: number,
  p1: Float64Array,
  rp: Float64Array,
  ap: Float64Array,
): RetrievalResult {
  const n = labels.length;
  const cq = new Int32Array(classes);
  const c1 = new Float64Array(classes);
  const cr = new Float64Array(classes);
  const ca = new Float64Array(classes);
  let queries = 0;
  let s1 = 0;
  let sr = 0;
  let sa = 0;
  for (let q = 0; q < n; q++) {
    if (Number.isNaN(p1[q])) continue;
    const c = labels[q];
    queries++;
    s1 += p1[q];
    sr += rp[q];
    sa += ap[q];
    cq[c]++;
    c1[c] += p1[q];
    cr[c] += rp[q];
    ca[c] += ap[q];
  }
  for (let c = 0; c < classes; c++) {
    c1[c] = cq[c] ? c1[c] / cq[c] : NaN;
    cr[c] = cq[c] ? cr[c] / cq[c] : NaN;
    ca[c] = cq[c] ? ca[c] / cq[c] : NaN;
  }
  return {
    queries,
    precisionAt1: queries ? s1 / queries : 0,
    rPrecision: queries ? sr / queries : 0,
    mapAtR: queries ? sa / queries : 0,
    perClass: { queries: cq, precisionAt1: c1, rPrecision: cr, mapAtR: ca },
  };
}

/** precision@1, R-precision and MAP@R of the whole dataset, overall and per class. */
export async function retrievalMetrics(
  input: EngineInput,
  opts: DistanceOptions,
  progress?: Progress,
): Promise<RetrievalResult> {
  const rows = await retrievalRows(input, opts, undefined, progress);
  return summarizeRetrieval(input.labels, input.classes, [rows]);
}
