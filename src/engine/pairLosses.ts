/**
 * Pair losses of the metric-learning family, exact over all pairs (definitions.md):
 *
 * - Contrastive, Hadsell form: `y * d^2 + (1 - y) * max(0, m - d)^2` (y = 1 same class), with d the
 *   distance in use (the paper's d is Euclidean; with `sqeuclidean` d^2 is the fourth power).
 * - Contrastive, PML form (`ContrastiveLoss`): positives `relu(d - posMargin)`, negatives
 *   `relu(negMargin - d)`, defaults 0 and 1.
 * - NT-Xent (SimCLR, PML `NTXentLoss`): cosine similarity s on L2-normalised embeddings, for every
 *   positive pair (a, p): `-log(e^{s_ap/tau} / (e^{s_ap/tau} + sum_n e^{s_an/tau}))`, computed with
 *   log-sum-exp. PML adds a tiny epsilon inside the log; we do not (the difference is ~1e-38).
 *
 * Pairs are ordered (i, j), i != j, as PML enumerates them: each unordered pair counts twice, which
 * leaves every mean unchanged. Work goes row by row (the row is sample i), so any split of the rows
 * across workers, merged by the `summarize*` functions, gives identical results. A mean over zero
 * pairs is 0 overall (PML's zero loss) and NaN per sample.
 */
import { checkRange, classCounts, forEachRowBlock, RowRange } from './knn';
import { prepareEmbeddings } from './distances';
import type { DistanceOptions, EngineInput, Progress } from './types';

/** Which contrastive loss, and its margins. */
export interface ContrastiveOptions {
  form: 'hadsell' | 'pml';
  /** Hadsell margin m (default 1). */
  margin?: number;
  /** PML pos_margin (default 0). */
  posMargin?: number;
  /** PML neg_margin (default 1). */
  negMargin?: number;
}

/** Per-row sums for the rows [rowStart, rowEnd): pairs (i, j) with j over every other sample. */
export interface PairRows {
  rowStart: number;
  rowEnd: number;
  posSum: Float64Array;
  negSum: Float64Array;
  posNonZero: Float64Array;
  negNonZero: Float64Array;
}

/** Contrastive loss over all ordered pairs. */
export interface ContrastiveResult {
  form: 'hadsell' | 'pml';
  margin: number;
  posMargin: number;
  negMargin: number;
  pairs: number;
  posPairs: number;
  negPairs: number;
  lossSum: number;
  meanLoss: number;
  nonZero: number;
  meanLossNonZero: number;
  posMeanLoss: number;
  negMeanLoss: number;
  /** What PML's ContrastiveLoss returns with its default AvgNonZeroReducer: mean over non-zero positive losses + mean
   * over non-zero negative losses. */
  pmlReduced: number;
  /** Mean loss over the n - 1 pairs each sample takes part in (NaN when n = 1). */
  perSample: Float64Array;
}

/** NT-Xent over all positive pairs (a, p). */
export interface NtXentResult {
  tau: number;
  /** Ordered positive pairs. */
  pairs: number;
  lossSum: number;
  /** Mean over positive pairs (PML's MeanReducer); 0 without pairs. */
  meanLoss: number;
  /** Mean over the positive pairs where the sample is the anchor (NaN without any). */
  perSample: Float64Array;
}

/** Fills in the default margins. */
export function contrastiveDefaults(o: ContrastiveOptions): Required<ContrastiveOptions> {
  return { form: o.form, margin: o.margin ?? 1, posMargin: o.posMargin ?? 0, negMargin: o.negMargin ?? 1 };
}

/** Contrastive per-row sums for the rows in `range` (all rows by default). */
export async function contrastiveRows(
  input: EngineInput,
  dist: DistanceOptions,
  options: ContrastiveOptions,
  range?: RowRange,
  progress?: Progress,
): Promise<PairRows> {
  const { n, dim, labels } = input;
  const { rowStart, rowEnd } = checkRange(range, n);
  const o = contrastiveDefaults(options);
  for (const [k, v] of [
    ['margin', o.margin],
    ['posMargin', o.posMargin],
    ['negMargin', o.negMargin],
  ] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`${k} must be a finite number, got ${v}`);
  }
  const rows = rowEnd - rowStart;
  const out = emptyPairRows(rowStart, rowEnd);
  if (rows === 0) return out;
  const hadsell = o.form === 'hadsell';
  const x = prepareEmbeddings(input, dist.normalize);
  await forEachRowBlock(x, n, dim, dist.distance, rowStart, rowEnd, progress, 'contrastive loss', (r0, r1, block) => {
    for (let i = r0; i < r1; i++) {
      const off = (i - r0) * n;
      const yi = labels[i];
      let ps = 0,
        ns = 0,
        pz = 0,
        nz = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = block[off + j];
        if (labels[j] === yi) {
          const l = hadsell ? d * d : Math.max(0, d - o.posMargin);
          ps += l;
          if (l > 0) pz++;
        } else {
          const h = hadsell ? Math.max(0, o.margin - d) : Math.max(0, o.negMargin - d);
          const l = hadsell ? h * h : h;
          ns += l;
          if (l > 0) nz++;
        }
      }
      const r = i - rowStart;
      out.posSum[r] = ps;
      out.negSum[r] = ns;
      out.posNonZero[r] = pz;
      out.negNonZero[r] = nz;
    }
  });
  return out;
}

/** Merges contrastive row parts (any split, any order) into the result; sums in index order. */
export function summarizeContrastive(
  labels: Int32Array,
  classes: number,
  options: ContrastiveOptions,
  parts: PairRows[],
): ContrastiveResult {
  const o = contrastiveDefaults(options);
  const n = labels.length;
  const all = gather(n, parts);
  const counts = classCounts(labels, classes);
  let posPairs = 0,
    negPairs = 0,
    posSum = 0,
    negSum = 0,
    posNZ = 0,
    negNZ = 0;
  const perSample = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    posPairs += counts[labels[i]] - 1;
    negPairs += n - counts[labels[i]];
    posSum += all.posSum[i];
    negSum += all.negSum[i];
    posNZ += all.posNonZero[i];
    negNZ += all.negNonZero[i];
    perSample[i] = n > 1 ? (all.posSum[i] + all.negSum[i]) / (n - 1) : NaN;
  }
  const pairs = posPairs + negPairs;
  const lossSum = posSum + negSum;
  const nonZero = posNZ + negNZ;
  return {
    form: o.form,
    margin: o.margin,
    posMargin: o.posMargin,
    negMargin: o.negMargin,
    pairs,
    posPairs,
    negPairs,
    lossSum,
    meanLoss: pairs ? lossSum / pairs : 0,
    nonZero,
    meanLossNonZero: nonZero ? lossSum / nonZero : 0,
    posMeanLoss: posPairs ? posSum / posPairs : 0,
    negMeanLoss: negPairs ? negSum / negPairs : 0,
    pmlReduced: (posNZ ? posSum / posNZ : 0) + (negNZ ? negSum / negNZ : 0),
    perSample,
  };
}

/** Contrastive loss of the whole dataset. */
export async function contrastiveLoss(
  input: EngineInput,
  dist: DistanceOptions,
  options: ContrastiveOptions,
  progress?: Progress,
): Promise<ContrastiveResult> {
  const rows = await contrastiveRows(input, dist, options, undefined, progress);
  return summarizeContrastive(input.labels, input.classes, options, [rows]);
}

/**
 * NT-Xent per-row sums (row = anchor) for the rows in `range`: `posSum` holds the summed loss of
 * the anchor's positive pairs (the other fields are unused and zero).
 */
export async function ntXentRows(
  input: EngineInput,
  tau: number,
  range?: RowRange,
  progress?: Progress,
): Promise<PairRows> {
  if (!(tau > 0) || !Number.isFinite(tau))
    throw new RangeError(`temperature must be a positive finite number, got ${tau}`);
  const { n, dim, labels } = input;
  const { rowStart, rowEnd } = checkRange(range, n);
  const rows = rowEnd - rowStart;
  const out = emptyPairRows(rowStart, rowEnd);
  if (rows === 0) return out;
  const x = prepareEmbeddings(input, true);
  await forEachRowBlock(x, n, dim, 'cosine', rowStart, rowEnd, progress, 'NT-Xent loss', (r0, r1, block) => {
    for (let a = r0; a < r1; a++) {
      const off = (a - r0) * n;
      const ya = labels[a];
      // Negatives once per anchor: max of s/tau, then the sum of exp(s/tau - max).
      let mx = -Infinity;
      for (let j = 0; j < n; j++) if (labels[j] !== ya) mx = Math.max(mx, (1 - block[off + j]) / tau);
      let sum = 0;
      if (mx > -Infinity)
        for (let j = 0; j < n; j++) if (labels[j] !== ya) sum += Math.exp((1 - block[off + j]) / tau - mx);
      let total = 0;
      for (let p = 0; p < n; p++) {
        if (p === a || labels[p] !== ya) continue;
        total += ntXentPairLoss((1 - block[off + p]) / tau, mx, sum);
      }
      out.posSum[a - rowStart] = total;
    }
  });
  return out;
}

/**
 * -log(e^x / (e^x + S * e^M)) = log(e^x + S e^M) - x, with the negatives summarised as
 * S = sum exp(s_n/tau - M) and M = max s_n/tau (M = -Infinity, S = 0 without negatives).
 */
export function ntXentPairLoss(x: number, M: number, S: number): number {
  const top = Math.max(x, M);
  const negPart = S === 0 ? 0 : S * Math.exp(M - top);
  return top + Math.log(Math.exp(x - top) + negPart) - x;
}

/** Merges NT-Xent row parts into the result; sums in index order. */
export function summarizeNtXent(labels: Int32Array, classes: number, tau: number, parts: PairRows[]): NtXentResult {
  const n = labels.length;
  const all = gather(n, parts);
  const counts = classCounts(labels, classes);
  let pairs = 0,
    lossSum = 0;
  const perSample = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = counts[labels[i]] - 1;
    pairs += c;
    lossSum += all.posSum[i];
    perSample[i] = c > 0 ? all.posSum[i] / c : NaN;
  }
  return { tau, pairs, lossSum, meanLoss: pairs ? lossSum / pairs : 0, perSample };
}

/** NT-Xent of the whole dataset (tau default 0.07, PML's default). */
export async function ntXentLoss(input: EngineInput, tau = 0.07, progress?: Progress): Promise<NtXentResult> {
  const rows = await ntXentRows(input, tau, undefined, progress);
  return summarizeNtXent(input.labels, input.classes, tau, [rows]);
}

/** Concatenates row parts into full-length arrays, checking they cover every row exactly once. */
function gather(n: number, parts: PairRows[]): Omit<PairRows, 'rowStart' | 'rowEnd'> {
  const all = {
    posSum: new Float64Array(n),
    negSum: new Float64Array(n),
    posNonZero: new Float64Array(n),
    negNonZero: new Float64Array(n),
  };
  const covered = new Uint8Array(n);
  for (const p of parts) {
    for (let i = p.rowStart; i < p.rowEnd; i++) {
      if (covered[i]) throw new RangeError(`row parts overlap at row ${i}`);
      covered[i] = 1;
    }
    all.posSum.set(p.posSum, p.rowStart);
    all.negSum.set(p.negSum, p.rowStart);
    all.posNonZero.set(p.posNonZero, p.rowStart);
    all.negNonZero.set(p.negNonZero, p.rowStart);
  }
  if (covered.indexOf(0) !== -1) throw new RangeError(`row parts miss row ${covered.indexOf(0)}`);
  return all;
}

/** Zeroed per-row sums for anchor rows [rowStart, rowEnd). */
function emptyPairRows(rowStart: number, rowEnd: number): PairRows {
  const rows = rowEnd - rowStart;
  return {
    rowStart,
    rowEnd,
    posSum: new Float64Array(rows),
    negSum: new Float64Array(rows),
    posNonZero: new Float64Array(rows),
    negNonZero: new Float64Array(rows),
  };
}
