/**
 * Triplet mining strategies (definitions.md, "Mining strategies"), none O(N^3):
 * - batch-hard (Hermans et al. 2017) per anchor, from the census index or straight from the
 *   distance rows;
 * - TensorFlow Addons' semi-hard selection per (a, p), from the census index (one lookup each:
 *   the index already knows how many negatives lie at or below d(a,p));
 * - explicit (a, p, n) rows, validated, on distance rows of the anchors they use.
 * Distances are `distanceRows`' float32 values and t, losses are float64 expressions on them,
 * exactly as in the census, so the numbers agree with it.
 */
import { InputError } from '../shared/dataset';
import type { CategoryCounts, CensusIndex } from './censusTypes';
import { anchorOf, bitsOf, IndexData, negIdAt, valueAt } from './censusIndex';
import { partialsAdd, partialsRound } from './censusMerge';
import { distanceRows, prepareEmbeddings } from './distances';
import type { DistanceOptions, EngineInput, Progress } from './types';
import { throwIfAborted } from './types';

/** Per-anchor batch-hard result; arrays have length n, -1 / NaN / 0 for anchors without a valid pair. */
export interface BatchHardResult {
  margin: number;
  soft: boolean;
  /** Farthest positive (ties: smallest id). */
  hardestPositive: Int32Array;
  /** Nearest negative (ties: smallest id). */
  hardestNegative: Int32Array;
  dap: Float32Array;
  dan: Float32Array;
  /** max(0, m + dap - dan), or soft-margin ln(1 + exp(dap - dan)) (the paper's softplus drops m). */
  loss: Float64Array;
  /** Anchors with at least one positive and one negative. */
  validAnchors: number;
  /** Valid anchors whose hardest triplet violates the margin: m + dap - dan > 0. */
  violatingAnchors: number;
  /** Mean loss over the valid anchors (0 when there is none). */
  meanLoss: number;
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function emptyBatchHard(n: number, margin: number, soft: boolean): BatchHardResult {
  return {
    margin,
    soft,
    hardestPositive: new Int32Array(n).fill(-1),
    hardestNegative: new Int32Array(n).fill(-1),
    dap: new Float32Array(n).fill(NaN),
    dan: new Float32Array(n).fill(NaN),
    loss: new Float64Array(n),
    validAnchors: 0,
    violatingAnchors: 0,
    meanLoss: 0,
  };
}

/** Batch-hard loss of one anchor's hardest pair (the one expression every path uses), and whether it violates the
 * margin. */
export function batchHardLoss(
  margin: number,
  dap: number,
  dan: number,
  soft: boolean,
): { loss: number; violating: boolean } {
  const hinge = margin + dap - dan;
  return { loss: soft ? softplus(dap - dan) : Math.max(0, hinge), violating: hinge > 0 };
}

/** Records anchor a's hardest pair; the loss expression is shared by both batch-hard paths. */
function setHard(
  r: BatchHardResult,
  partials: number[],
  a: number,
  p: number,
  ng: number,
  dap: number,
  dan: number,
): void {
  const { loss, violating } = batchHardLoss(r.margin, dap, dan, r.soft);
  r.hardestPositive[a] = p;
  r.hardestNegative[a] = ng;
  r.dap[a] = dap;
  r.dan[a] = dan;
  r.loss[a] = loss;
  r.validAnchors++;
  if (violating) r.violatingAnchors++;
  partialsAdd(partials, loss);
}

/**
 * Local anchor i's batch-hard pair from the index: the farthest positive (ties: the smallest id)
 * and the nearest negative, with their distances; undefined without a positive or a negative.
 */
export function hardestPair(
  idx: IndexData,
  i: number,
): { positive: number; negative: number; dap: number; dan: number } | undefined {
  const p0 = idx.posOff[i],
    p1 = idx.posOff[i + 1];
  if (idx.negOff[i + 1] === idx.negOff[i] || p1 === p0) return undefined;
  // Positives are sorted by (distance, id): the first of the equal maxima has the smallest id.
  let q = p1 - 1;
  while (q > p0 && idx.posDist[q - 1] === idx.posDist[p1 - 1]) q--;
  return {
    positive: idx.posId[q],
    negative: negIdAt(idx, i, 0),
    dap: idx.posDist[q],
    dan: valueAt(idx, i, 0, idx.runOff[i]),
  };
}

/** Batch-hard over the index's anchors, without touching distances. */
export function batchHardFromIndex(index: CensusIndex, margin: number, opts: { soft?: boolean } = {}): BatchHardResult {
  const idx = index as IndexData,
    r = emptyBatchHard(idx.n, margin, !!opts.soft),
    partials: number[] = [];
  for (let i = 0; i < idx.anchorEnd - idx.anchorStart; i++) {
    const h = hardestPair(idx, i);
    if (h) setHard(r, partials, anchorOf(idx, i), h.positive, h.negative, h.dap, h.dan);
  }
  r.meanLoss = r.validAnchors ? partialsRound(partials) / r.validAnchors : 0;
  return r;
}

/** Batch-hard for every anchor straight from distance rows (no sort): O(N^2 D) + O(N^2). */
export async function batchHard(
  input: EngineInput,
  opts: DistanceOptions,
  margin: number,
  o: { soft?: boolean } = {},
  progress?: Progress,
): Promise<BatchHardResult> {
  const { n, dim, labels } = input,
    r = emptyBatchHard(n, margin, !!o.soft),
    partials: number[] = [];
  const x = prepareEmbeddings(input, opts.normalize);
  const block = Math.max(1, Math.min(256, Math.floor((1 << 22) / Math.max(1, n))));
  const rows = new Float32Array(block * n);
  for (let b = 0; b < n; b += block) {
    throwIfAborted(progress);
    const e = Math.min(n, b + block);
    distanceRows(x, n, dim, b, e, opts.distance, rows);
    for (let a = b; a < e; a++) {
      let p = -1,
        ng = -1,
        dap = -Infinity,
        dan = Infinity;
      for (let j = 0, o2 = (a - b) * n; j < n; j++) {
        const d = rows[o2 + j];
        if (labels[j] === labels[a]) {
          if (j !== a && d > dap) {
            dap = d;
            p = j;
          }
        } else if (d < dan) {
          dan = d;
          ng = j;
        }
      }
      if (p >= 0 && ng >= 0) setHard(r, partials, a, p, ng, dap, dan);
    }
    progress?.onProgress?.(e / n, `batch-hard: ${e} / ${n} anchors`);
    await new Promise<void>((res) => setImmediate(res));
  }
  r.meanLoss = r.validAnchors ? partialsRound(partials) / r.validAnchors : 0;
  return r;
}

/** TFA semi-hard selection, one entry per (anchor, positive) pair. */
export interface SemihardResult {
  margin: number;
  /** Pairs with a != p, same label, anchors in the index's range: ordered by anchor, then positive id. */
  pairs: number;
  anchor: Int32Array;
  positive: Int32Array;
  /** Selected negative: nearest with d(a,n) > d(a,p) (ties: smallest id), else the farthest (ties: smallest id); -1
   * when the anchor has no negative. */
  negative: Int32Array;
  dap: Float32Array;
  dan: Float32Array;
  /** max(0, m + dap - dan); 0 where there is no negative. */
  loss: Float64Array;
  /** Pairs that found no negative farther than the positive and fell back to the farthest. */
  fallbacks: number;
  /** Mean loss over the pairs that have a negative (TFA divides by the number of positive pairs). */
  meanLoss: number;
}

/** Semi-hard selection from the census index: the k-th sorted negative, k = #{n: d(a,n) <= d(a,p)}. */
export function semihardSelection(index: CensusIndex, margin: number): SemihardResult {
  const idx = index as IndexData,
    A = idx.anchorEnd - idx.anchorStart;
  const pairs = idx.posOff[A];
  const r: SemihardResult = {
    margin,
    pairs,
    anchor: new Int32Array(pairs),
    positive: new Int32Array(pairs),
    negative: new Int32Array(pairs).fill(-1),
    dap: new Float32Array(pairs),
    dan: new Float32Array(pairs).fill(NaN),
    loss: new Float64Array(pairs),
    fallbacks: 0,
    meanLoss: 0,
  };
  const partials: number[] = [];
  let counted = 0;
  for (let i = 0; i < A; i++) {
    const p0 = idx.posOff[i],
      P = idx.posOff[i + 1] - p0;
    const order = Array.from({ length: P }, (_, q) => q).sort((u, v) => idx.posId[p0 + u] - idx.posId[p0 + v]);
    for (let w = 0; w < P; w++) {
      const q = p0 + order[w],
        at = p0 + w;
      r.anchor[at] = anchorOf(idx, i);
      r.positive[at] = idx.posId[q];
      r.dap[at] = idx.posDist[q];
      const pick = semihardPick(idx, i, q);
      if (!pick) continue;
      if (pick.fallback) r.fallbacks++;
      r.negative[at] = negIdAt(idx, i, pick.k);
      r.dan[at] = pick.dan;
      r.loss[at] = Math.max(0, margin + idx.posDist[q] - pick.dan);
      partialsAdd(partials, r.loss[at]);
      counted++;
    }
  }
  r.meanLoss = counted ? partialsRound(partials) / counted : 0;
  return r;
}

/**
 * TFA's negative for local anchor i and its positive entry q: the nearest negative farther than
 * the positive (sorted position k = #{n: d(a,n) <= d(a,p)}), else the farthest, first (smallest
 * id) of equal maxima (`fallback`). Undefined when the anchor has no negative.
 */
export function semihardPick(
  idx: IndexData,
  i: number,
  q: number,
): { k: number; dan: number; fallback: boolean } | undefined {
  const neg = idx.negOff[i + 1] - idx.negOff[i];
  if (neg === 0) return undefined;
  let k = idx.hardLE[q];
  const fallback = k === neg;
  if (fallback) {
    k = neg - 1;
    const top = bitsOf(sortedValue(idx, i, k));
    while (k > 0 && bitsOf(sortedValue(idx, i, k - 1)) === top) k--;
  }
  return { k, dan: sortedValue(idx, i, k), fallback };
}

/** The k-th sorted negative distance of local anchor i (finds its run). */
function sortedValue(idx: IndexData, i: number, k: number): number {
  let lo = idx.runOff[i],
    hi = idx.runOff[i + 1] - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (idx.runStart[mid] <= k) lo = mid;
    else hi = mid - 1;
  }
  return valueAt(idx, i, k, lo);
}

/** Per-row numbers for user-supplied triplets, plus totals over the rows. */
export interface ExplicitResult {
  margin: number;
  rows: number;
  dap: Float32Array;
  dan: Float32Array;
  /** t = d(a,n) - d(a,p). */
  t: Float64Array;
  loss: Float64Array;
  /** Category per row: 0 easy, 1 semi-hard, 2 hard, under each convention. */
  pml: Uint8Array;
  facenet: Uint8Array;
  totals: {
    pml: CategoryCounts;
    facenet: CategoryCounts;
    lossSum: number;
    nonZero: number;
    meanLoss: number;
    meanLossNonZero: number;
  };
}

/** Checks every (a, p, n) row; the error names the row and what is wrong with it. */
function validateRows(input: EngineInput, rows: Int32Array, source: string): void {
  if (rows.length % 3 !== 0)
    throw new InputError(source, `expected rows of 3 indices (a, p, n), got ${rows.length} numbers`);
  const { n, labels } = input;
  for (let r = 0; r < rows.length / 3; r++) {
    const a = rows[3 * r],
      p = rows[3 * r + 1],
      ng = rows[3 * r + 2],
      where = `row ${r + 1} (a=${a}, p=${p}, n=${ng})`;
    for (const [name, v] of [
      ['a', a],
      ['p', p],
      ['n', ng],
    ] as const) {
      if (!(v >= 0 && v < n)) throw new InputError(source, `${where}: index ${name}=${v} is outside 0..${n - 1}`);
    }
    if (a === p) throw new InputError(source, `${where}: anchor and positive are the same sample`);
    if (labels[a] !== labels[p])
      throw new InputError(source, `${where}: positive has label ${labels[p]}, anchor has ${labels[a]}`);
    if (labels[a] === labels[ng])
      throw new InputError(source, `${where}: negative has the anchor's label ${labels[a]}`);
  }
}

/**
 * Loss and category of each explicit (a, p, n) row (k x 3, row-major) at margin m. Only the
 * distance rows of the anchors used are computed, in blocks of consecutive anchors.
 */
export async function explicitTriplets(
  input: EngineInput,
  opts: DistanceOptions,
  margin: number,
  rows: Int32Array,
  o: { source?: string; progress?: Progress } = {},
): Promise<ExplicitResult> {
  validateRows(input, rows, o.source ?? 'explicit triplets');
  const { n, dim } = input,
    k = rows.length / 3,
    m = margin;
  const r: ExplicitResult = {
    margin,
    rows: k,
    dap: new Float32Array(k),
    dan: new Float32Array(k),
    t: new Float64Array(k),
    loss: new Float64Array(k),
    pml: new Uint8Array(k),
    facenet: new Uint8Array(k),
    totals: { pml: zero(), facenet: zero(), lossSum: 0, nonZero: 0, meanLoss: 0, meanLossNonZero: 0 },
  };
  const byAnchor = Array.from({ length: k }, (_, q) => q).sort((u, v) => rows[3 * u] - rows[3 * v] || u - v);
  const x = prepareEmbeddings(input, opts.normalize);
  const block = Math.max(1, Math.min(64, Math.floor((1 << 22) / Math.max(1, n))));
  const buf = new Float32Array(block * n);
  for (let w = 0; w < k;) {
    throwIfAborted(o.progress);
    const b = rows[3 * byAnchor[w]],
      e = Math.min(n, b + block);
    distanceRows(x, n, dim, b, e, opts.distance, buf);
    for (; w < k && rows[3 * byAnchor[w]] < e; w++) {
      const q = byAnchor[w],
        a = rows[3 * q],
        base = (a - b) * n;
      const dap = buf[base + rows[3 * q + 1]],
        dan = buf[base + rows[3 * q + 2]],
        t = dan - dap;
      r.dap[q] = dap;
      r.dan[q] = dan;
      r.t[q] = t;
      r.loss[q] = Math.max(0, m - t);
      r.pml[q] = t > m ? 0 : t > 0 ? 1 : 2;
      r.facenet[q] = t >= m ? 0 : t >= 0 ? 1 : 2;
    }
    o.progress?.onProgress?.(w / k, `explicit triplets: ${w} / ${k} rows`);
    await new Promise<void>((res) => setImmediate(res));
  }
  const partials: number[] = [],
    names = ['easy', 'semihard', 'hard'] as const;
  for (let q = 0; q < k; q++) {
    r.totals.pml[names[r.pml[q]]]++;
    r.totals.facenet[names[r.facenet[q]]]++;
    if (r.t[q] <= m) r.totals.pml.violating++;
    if (r.t[q] < m) {
      r.totals.facenet.violating++;
      r.totals.nonZero++;
    }
    partialsAdd(partials, r.loss[q]);
  }
  const T = r.totals;
  T.lossSum = partialsRound(partials);
  T.meanLoss = k ? T.lossSum / k : 0;
  T.meanLossNonZero = T.nonZero ? T.lossSum / T.nonZero : 0;
  return r;
}

function zero(): CategoryCounts {
  return { easy: 0, semihard: 0, hard: 0, violating: 0 };
}
