/**
 * What changed between two snapshots (epochs) of the same samples at one margin, exactly and
 * without enumerating triplets: per sample the change of its violating-triplet count and loss as
 * anchor, the 3 x 3 matrix of triplet transitions (category in A x category in B), per class pair
 * the change of violating triplets, and the samples and class pairs that got worse most.
 *
 * Categories follow the chosen convention (definitions.md): pml easy t > m, semi-hard 0 < t <= m,
 * hard t <= 0, violating t <= m; facenet easy t >= m, semi-hard 0 <= t < m, hard t < 0, violating
 * t < m. The loss as anchor is sum of max(0, m - t) over the anchor's triplets (either convention).
 * Distances are `distanceRows`' float32 values, so counts agree with the census.
 *
 * Cost: O(N^2 log N) time (per anchor two sorts and a Fenwick sweep, diffAnchor.ts) and O(N * rows)
 * memory for a block of distance rows per snapshot; nothing of size N^2 is kept.
 */
import { distanceRows, prepareEmbeddings } from './distances';
import { diffAnchor, DiffAccumulator, diffWorkspace, MAX_DIFF_N } from './diffAnchor';
import type { CategoryCounts } from './censusTypes';
import { Convention, DistanceOptions, EngineInput, Progress, throwIfAborted } from './types';

/** Options of a diff. */
export interface DiffOptions extends DistanceOptions {
  margin: number;
  convention: Convention;
  /** How many worsened samples and class pairs to list (default 20). */
  top?: number;
}

/** One snapshot's totals under the diff's convention. */
export interface SnapshotTotals extends CategoryCounts {
  triplets: number;
  lossSum: number;
}

/** A sample that got worse: Δ = B - A of its violating count and loss as anchor. */
export interface WorsenedSample {
  index: number;
  dViolating: number;
  dLoss: number;
}

/** A (anchor class, negative class) pair whose violating triplets grew. */
export interface WorsenedPair {
  anchorClass: number;
  negativeClass: number;
  a: number;
  b: number;
  delta: number;
}

/** The category order of `transitions` rows and columns. */
export const CATEGORIES = ['easy', 'semihard', 'hard'] as const;

/** The result of diffSnapshots. */
export interface DiffResult {
  n: number;
  margin: number;
  convention: Convention;
  a: SnapshotTotals;
  b: SnapshotTotals;
  /** 3 x 3 row-major: transitions[3 i + j] triplets in category CATEGORIES[i] in A and CATEGORIES[j] in B. */
  transitions: Float64Array;
  /** Not easy in A, easy in B. */
  becameEasy: number;
  /** Hard in A and in B. */
  stayedHard: number;
  /** Not hard in A, hard in B. */
  turnedHard: number;
  /** Per sample as anchor, length n: violating counts and loss sums in A and B. */
  violA: Float64Array;
  violB: Float64Array;
  lossA: Float64Array;
  lossB: Float64Array;
  /** Per sample B - A (float64; see `deltaArrays` for the Float32 form the webview gets). */
  dViolating: Float64Array;
  dLoss: Float64Array;
  /** classes x classes row-major (anchor class, negative class): violating triplets in A and B. */
  classPairsA: Float64Array;
  classPairsB: Float64Array;
  /** Samples with a larger loss (then violating count) in B, worst first. */
  worsened: WorsenedSample[];
  /** Class pairs with more violating triplets in B, worst first. */
  worsenedPairs: WorsenedPair[];
}

/** Rows of distances per block: about 4 M entries (16 MB) per snapshot. */
const BLOCK_ENTRIES = 1 << 22;

/** Checks that A and B are the same samples with the same labels; throws RangeError naming the difference. */
export function checkComparable(a: EngineInput, b: EngineInput): void {
  if (a.n !== b.n) throw new RangeError(`the snapshots have different numbers of samples (${a.n} and ${b.n})`);
  if (a.classes !== b.classes)
    throw new RangeError(`the snapshots have different numbers of classes (${a.classes} and ${b.classes})`);
  for (let i = 0; i < a.n; i++) {
    if (a.labels[i] !== b.labels[i]) throw new RangeError(`the snapshots' labels differ (first at sample ${i})`);
  }
  if (a.n > MAX_DIFF_N) throw new RangeError(`diff supports up to ${MAX_DIFF_N} samples, got ${a.n}`);
}

/** Compares snapshot A with snapshot B (same samples and labels). Async only to yield for progress / cancellation. */
export async function diffSnapshots(
  a: EngineInput,
  b: EngineInput,
  opts: DiffOptions,
  progress?: Progress,
): Promise<DiffResult> {
  checkComparable(a, b);
  const m = opts.margin;
  if (!Number.isFinite(m) || m < 0) throw new RangeError(`margin must be a finite number >= 0, got ${m}`);
  const { n, labels, classes } = a;
  const xa = prepareEmbeddings(a, opts.normalize),
    xb = prepareEmbeddings(b, opts.normalize);
  const acc: DiffAccumulator = {
    sums: new Float64Array(9),
    lossA: 0,
    lossB: 0,
    violA: new Float64Array(n),
    violB: new Float64Array(n),
    lossAsAnchorA: new Float64Array(n),
    lossAsAnchorB: new Float64Array(n),
    pairsA: new Float64Array(classes * classes),
    pairsB: new Float64Array(classes * classes),
  };
  const ws = diffWorkspace(n);
  const step = Math.max(1, Math.floor(BLOCK_ENTRIES / Math.max(1, n)));
  let lastYield = Date.now();
  for (let r0 = 0; r0 < n; r0 += step) {
    throwIfAborted(progress);
    const r1 = Math.min(n, r0 + step);
    const da = distanceRows(xa, n, a.dim, r0, r1, opts.distance);
    const db = distanceRows(xb, n, b.dim, r0, r1, opts.distance);
    for (let i = r0; i < r1; i++) {
      const o = (i - r0) * n;
      diffAnchor(i, da.subarray(o, o + n), db.subarray(o, o + n), labels, classes, m, opts.convention, ws, acc);
      // In the extension host this runs on the main thread: give the event loop a turn every ~50 ms.
      if ((i & 15) === 15 && Date.now() - lastYield > 50) {
        progress?.onProgress?.((i + 1) / n, 'Comparing snapshots');
        await new Promise((res) => setImmediate(res));
        throwIfAborted(progress);
        lastYield = Date.now();
      }
    }
    progress?.onProgress?.(r1 / n, 'Comparing snapshots');
    await new Promise((res) => setImmediate(res));
  }
  return finish(acc, n, classes, opts);
}

function finish(acc: DiffAccumulator, n: number, classes: number, opts: DiffOptions): DiffResult {
  const [T, hA, vA, hB, vB, dhh, dhv, dvh, dvv] = acc.sums;
  const totals = (h: number, v: number, loss: number): SnapshotTotals => ({
    triplets: T,
    easy: T - v,
    semihard: v - h,
    hard: h,
    violating: v,
    lossSum: loss,
  });
  // Rows: category in A (easy, semihard, hard); columns: category in B. Hard = rank < h,
  // semi-hard = h <= rank < v, easy = rank >= v, in each snapshot.
  const hh = dhh,
    hs = dhv - dhh,
    he = hA - dhv;
  const sh = dvh - dhh,
    ss = dvv - dvh - dhv + dhh,
    se = vA - hA - (dvv - dhv);
  const eh = hB - dvh,
    es = vB - hB - (dvv - dvh),
    ee = T - vA - vB + dvv;
  const transitions = Float64Array.from([ee, es, eh, se, ss, sh, he, hs, hh]);
  const dViolating = new Float64Array(n),
    dLoss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dViolating[i] = acc.violB[i] - acc.violA[i];
    dLoss[i] = acc.lossAsAnchorB[i] - acc.lossAsAnchorA[i];
  }
  const top = opts.top ?? 20;
  return {
    n,
    margin: opts.margin,
    convention: opts.convention,
    a: totals(hA, vA, acc.lossA),
    b: totals(hB, vB, acc.lossB),
    transitions,
    becameEasy: se + he,
    stayedHard: hh,
    turnedHard: eh + sh,
    violA: acc.violA,
    violB: acc.violB,
    lossA: acc.lossAsAnchorA,
    lossB: acc.lossAsAnchorB,
    dViolating,
    dLoss,
    classPairsA: acc.pairsA,
    classPairsB: acc.pairsB,
    worsened: worsenedSamples(dViolating, dLoss, top),
    worsenedPairs: worsenedPairs(acc.pairsA, acc.pairsB, classes, top),
  };
}

/** Samples whose loss (then violating count) grew, largest growth first, ties by index. */
export function worsenedSamples(dViolating: Float64Array, dLoss: Float64Array, top: number): WorsenedSample[] {
  const out: WorsenedSample[] = [];
  for (let i = 0; i < dLoss.length; i++) {
    if (dLoss[i] > 0 || (dLoss[i] === 0 && dViolating[i] > 0))
      out.push({ index: i, dViolating: dViolating[i], dLoss: dLoss[i] });
  }
  out.sort((x, y) => y.dLoss - x.dLoss || y.dViolating - x.dViolating || x.index - y.index);
  return out.slice(0, top);
}

/** Class pairs whose violating count grew, largest growth first, ties by (anchor, negative) class. */
export function worsenedPairs(pa: Float64Array, pb: Float64Array, classes: number, top: number): WorsenedPair[] {
  const out: WorsenedPair[] = [];
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      const a = pa[i * classes + j],
        b = pb[i * classes + j];
      if (b > a) out.push({ anchorClass: i, negativeClass: j, a, b, delta: b - a });
    }
  }
  out.sort((x, y) => y.delta - x.delta || x.anchorClass - y.anchorClass || x.negativeClass - y.negativeClass);
  return out.slice(0, top);
}

/** The per-sample changes as Float32Arrays (what the projection's "change" colouring needs). */
export function deltaArrays(r: DiffResult): { dViolating: Float32Array; dLoss: Float32Array } {
  return { dViolating: Float32Array.from(r.dViolating), dLoss: Float32Array.from(r.dLoss) };
}
