/**
 * Counting at a margin from the census index: per (anchor, positive) two searches in the sorted
 * negatives (t <= m and t < m), the loss from a prefix sum, no distance recomputed.
 *
 * t = d(a,n) - d(a,p) and the loss max(0, m - t) are float64 expressions on the float32
 * distances, exactly as a brute-force loop would write them. fl(v - dap) is monotone in v, so
 * "t <= m" is "the bit pattern of v is <= the largest float32 satisfying it", found by
 * `thresholdBits`, and counts are exact including ties (t == m, t == 0).
 */
import type { CensusIndex, CensusResult, CountOptions } from './censusTypes';
import {
  anchorOf,
  blockPartial,
  countAtMost,
  countFromRun,
  IndexData,
  lastRun,
  negIdAt,
  PREFIX_SHIFT,
  PREFIX_STEP,
  prefixSum,
  valueAt,
} from './censusIndexData';
import { finishMeans, partialsAdd, TopK, zeroCounts } from './censusMerge';
import { abortError } from './types';
import { countAnchorFenced, fencesOf } from './censusFences';
import { thresholdBits, thresholdLE } from './censusThreshold';

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

function checkMargin(m: number): void {
  if (!Number.isFinite(m) || m < 0) throw new RangeError(`margin must be a finite number >= 0, got ${m}`);
}

/**
 * The census at margin m over the index's anchors; no distance is recomputed. `worst` always;
 * `classPairs` unless `classPairs: false` (then it is empty and the recount costs O(pairs log N)
 * instead of also visiting every violating negative: the fast path for a dragged slider);
 * `perSample` when asked. Counts and loss sum are bit-identical either way.
 */
export function countAtMargin(index: CensusIndex, margin: number, opts: CountOptions = {}): CensusResult {
  checkMargin(margin);
  const idx = index as IndexData;
  const r = emptyCensus(idx.n, idx.classes, margin, opts);
  const top = new TopK(opts.topK ?? 20);
  countInto(r, top, idx, margin, opts);
  r.worst = top.sorted();
  return finishMeans(r);
}

/**
 * A census with nothing counted yet, shaped by `opts` as countAtMargin shapes its result (class
 * pairs unless `classPairs: false` without `perSample`; perSample / perAnchor when asked).
 */
export function emptyCensus(n: number, classes: number, margin: number, opts: CountOptions = {}): CensusResult {
  const walk = opts.classPairs !== false || opts.perSample === true;
  const r: CensusResult = {
    margin,
    triplets: 0,
    pml: zeroCounts(),
    facenet: zeroCounts(),
    lossSum: 0,
    nonZero: 0,
    meanLoss: 0,
    meanLossNonZero: 0,
    nearestImpostor: new Int32Array(n).fill(-1),
    nearestImpostorDist: new Float32Array(n).fill(NaN),
    classPairs: new Float64Array(walk ? classes * classes : 0),
    worst: [],
    lossSumPartials: [],
  };
  if (opts.perSample)
    r.perSample = {
      violAsAnchor: new Float64Array(n),
      violAsPositive: new Float64Array(n),
      violAsNegative: new Float64Array(n),
      lossAsAnchor: new Float64Array(n),
    };
  if (opts.perAnchor) r.perAnchor = { violAsAnchor: new Float64Array(n), lossAsAnchor: new Float64Array(n) };
  return r;
}

/**
 * Adds the census at margin m of the index's anchors into `r` (made by `emptyCensus` with the same
 * options) and offers their worst triplets to `top`. Everything adds up exactly, so counting
 * blocks of anchors one after another into one `r` gives what `mergeCensus` of their separate
 * censuses gives, bit for bit; `finishMeans(r)` then fills the loss sum and means.
 */
export function countInto(
  r: CensusResult,
  top: TopK,
  index: CensusIndex,
  margin: number,
  opts: CountOptions = {},
): void {
  checkMargin(margin);
  const idx = index as IndexData,
    m = margin,
    C = idx.classes,
    labels = idx.labels;
  const walk = opts.classPairs !== false || opts.perSample === true;
  if (walk && r.classPairs.length !== C * C) throw new RangeError('countInto: the result was made without class pairs');
  const ps = opts.perSample ? r.perSample : undefined,
    pa = opts.perAnchor ? r.perAnchor : undefined;
  if ((opts.perSample && !ps) || (opts.perAnchor && !pa))
    throw new RangeError('countInto: the result was made without per-sample arrays');
  // Class pairs and per-sample counts read every negative's id: recover those an index built with only the nearest ids
  // lacks.
  if (walk && idx.idsKnown)
    for (let i = 0; i < idx.anchorEnd - idx.anchorStart; i++)
      if (idx.negOff[i + 1] > idx.negOff[i]) negIdAt(idx, i, idx.negOff[i + 1] - idx.negOff[i] - 1);
  const shouldStop = opts.shouldStop;
  const acc = new Float64Array(4); // V (t <= m), Vs (t < m), H (t <= 0), Hs (t < 0)
  let kBuf = new Uint32Array(64),
    T = 0;
  const cnt = new Float64Array(2 * C);
  const fs = walk ? undefined : fencesOf(idx);
  for (let i = 0; i < idx.anchorEnd - idx.anchorStart; i++) {
    if (shouldStop && (i & 31) === 0 && shouldStop()) throw abortError();
    const a = anchorOf(idx, i),
      off = idx.negOff[i],
      neg = idx.negOff[i + 1] - off;
    const P = idx.posOff[i + 1] - idx.posOff[i];
    if (neg > 0) {
      r.nearestImpostor[a] = negIdAt(idx, i, 0);
      r.nearestImpostorDist[a] = valueAt(idx, i, 0, idx.runOff[i]);
    }
    if (P === 0 || neg === 0) continue;
    T += P * neg;
    if (kBuf.length < P) kBuf = new Uint32Array(P * 2);
    const cp = walk ? r.classPairs.subarray(labels[a] * C, (labels[a] + 1) * C) : undefined;
    const lossA = fs
      ? countAnchorFenced(idx, i, m, kBuf, acc, fs)
      : countAnchor(idx, i, m, kBuf, acc, cp, cnt, ps?.violAsPositive, ps?.violAsNegative);
    partialsAdd(r.lossSumPartials, lossA);
    if (ps || pa) {
      const v = sumOf(kBuf, P);
      if (ps) {
        ps.violAsAnchor[a] = v;
        ps.lossAsAnchor[a] = lossA;
      }
      if (pa) {
        pa.violAsAnchor[a] = v;
        pa.lossAsAnchor[a] = lossA;
      }
    }
    if (top.k > 0) scanWorst(idx, i, m, top);
  }
  const [V, Vs, H, Hs] = acc;
  r.triplets += T;
  r.pml.easy += T - V;
  r.pml.semihard += V - H;
  r.pml.hard += H;
  r.pml.violating += V;
  r.facenet.easy += T - Vs;
  r.facenet.semihard += Vs - Hs;
  r.facenet.hard += Hs;
  r.facenet.violating += Vs;
  r.nonZero += Vs;
}

function sumOf(k: Uint32Array, P: number): number {
  let s = 0;
  for (let q = 0; q < P; q++) s += k[q];
  return s;
}

/**
 * One anchor in one forward pass. Positives in ascending distance have non-decreasing
 * thresholds, so the sorted negatives are walked once, keeping the running sum of the current
 * prefix-sum block (the loss needs the prefix sum at each count).
 * - With `cp` (class pairs wanted) every violating negative is visited: the ones passed while
 *   serving positive q violate for q and every later positive, so they count P - q times.
 *   Cost O(P + violating negatives of the farthest positive).
 * - Without, after a few linear steps the walk jumps by a galloping search over the runs:
 *   O(P log neg) whatever the number of violating triplets.
 * Fills k[q] with the t <= m counts; returns the anchor's loss sum.
 */
function countAnchor(
  idx: IndexData,
  i: number,
  m: number,
  k: Uint32Array,
  acc: Float64Array,
  cp: Float64Array | undefined,
  cnt: Float64Array,
  violP?: Float64Array,
  violNeg?: Float64Array,
): number {
  const p0 = idx.posOff[i],
    P = idx.posOff[i + 1] - p0,
    r0 = idx.runOff[i],
    r1 = idx.runOff[i + 1];
  const off = idx.negOff[i],
    neg = idx.negOff[i + 1] - off;
  const low = idx.lower.subarray(off, off + neg),
    ids = idx.negId.subarray(off, off + neg);
  const posDist = idx.posDist,
    rs = idx.runStart,
    up = idx.runUpper,
    labels = idx.labels;
  const pref = idx.prefix,
    pOff = idx.prefOff[i];
  let lossA = 0,
    V = 0,
    Vs = 0,
    H = 0,
    Hs = 0;
  // blockSum: distances from the last multiple of PREFIX_STEP up to j, added in order.
  let j = 0,
    blockSum = 0,
    run = r0,
    upper = up[r0] << 16,
    nextRun = r0 + 1 < r1 ? rs[r0 + 1] : neg;
  for (let q = 0; q < P; q++) {
    const dap = posDist[p0 + q],
      tb = thresholdLE(dap, m),
      c = P - q;
    let steps = 0;
    while (j < neg) {
      if (j === nextRun) {
        run++;
        upper = up[run] << 16;
        nextRun = run + 1 < r1 ? rs[run + 1] : neg;
      }
      const bits = (upper | low[j]) >>> 0;
      if (bits > tb) break;
      U[0] = bits;
      if ((j & (PREFIX_STEP - 1)) === 0) blockSum = 0;
      blockSum += F[0];
      if (cp) {
        const id = ids[j];
        // Two slots per class by parity of j: sorted neighbours are often of one class.
        cnt[(labels[id] << 1) | (j & 1)] += c;
        if (violNeg) violNeg[id] += c;
      } else if (++steps === PREFIX_STEP) {
        const target = countFromRun(idx, i, tb, run, r0, r1);
        if (target > j + 1) {
          j = target;
          run = lastRun;
          while (run + 1 < r1 && rs[run + 1] <= j) run++;
          upper = up[run] << 16;
          nextRun = run + 1 < r1 ? rs[run + 1] : neg;
          blockSum = blockPartial(idx, i, j, run);
          break;
        }
      }
      j++;
    }
    let vs = j,
      sumS = 0;
    if (j > 0) {
      U[0] = tb;
      // Only when some float32 v has fl(v - dap) == m exactly do t <= m and t < m differ.
      if (!(F[0] - dap < m)) {
        vs = countAtMost(idx, i, thresholdBits(dap, m, true));
        sumS = prefixSum(idx, i, vs, Math.min(run, r1 - 1));
      } else {
        sumS = pref[pOff + (j >> PREFIX_SHIFT)] + ((j & (PREFIX_STEP - 1)) === 0 ? 0 : blockSum);
      }
    }
    V += j;
    Vs += vs;
    H += idx.hardLE[p0 + q];
    Hs += idx.hardLT[p0 + q];
    k[q] = j;
    if (violP) violP[idx.posId[p0 + q]] += j;
    if (vs > 0) lossA += vs * (dap + m) - sumS;
  }
  acc[0] += V;
  acc[1] += Vs;
  acc[2] += H;
  acc[3] += Hs;
  if (cp) {
    for (let b = 0; b < cp.length; b++) {
      cp[b] += cnt[2 * b] + cnt[2 * b + 1];
      cnt[2 * b] = 0;
      cnt[2 * b + 1] = 0;
    }
  }
  return lossA;
}

/**
 * Offers anchor i's highest-loss triplets: positives from the farthest, negatives from the
 * nearest, stopping as soon as the loss drops below the worst kept one (loss only falls along both).
 */
function scanWorst(idx: IndexData, i: number, m: number, top: TopK): void {
  const a = anchorOf(idx, i),
    off = idx.negOff[i],
    neg = idx.negOff[i + 1] - off;
  const p0 = idx.posOff[i],
    P = idx.posOff[i + 1] - p0,
    r0 = idx.runOff[i],
    r1 = idx.runOff[i + 1];
  for (let q = P - 1; q >= 0; q--) {
    const dap = idx.posDist[p0 + q],
      pid = idx.posId[p0 + q];
    let r = r0;
    for (let j = 0; j < neg; j++) {
      while (r + 1 < r1 && idx.runStart[r + 1] <= j) r++;
      const dan = valueAt(idx, i, j, r),
        loss = m - (dan - dap);
      if (!(loss > 0) || (top.full && loss < top.minLoss)) {
        if (j === 0) return;
        break;
      }
      top.offer({ anchor: a, positive: pid, negative: negIdAt(idx, i, j), loss, dap, dan });
    }
  }
}

/**
 * Histogram of t = d(a,n) - d(a,p) over the index's triplets (margin-independent). With E edges
 * (ascending) the result has E - 1 bins: bin i counts t in [edges[i], edges[i+1]), except that
 * the first bin also takes everything below edges[1] and the last everything from edges[E-2] up,
 * so the bins add up to the number of triplets.
 */
export function tHistogram(index: CensusIndex, edges: Float64Array): Float64Array {
  const idx = index as IndexData,
    E = edges.length;
  if (E < 2) throw new RangeError('tHistogram needs at least 2 edges');
  for (let e = 1; e < E; e++) if (!(edges[e] > edges[e - 1])) throw new RangeError('tHistogram: edges must increase');
  const below = new Float64Array(E); // below[e]: triplets with t < edges[e]
  let total = 0;
  for (let i = 0; i < idx.anchorEnd - idx.anchorStart; i++) {
    const neg = idx.negOff[i + 1] - idx.negOff[i],
      p0 = idx.posOff[i],
      P = idx.posOff[i + 1] - p0;
    if (P === 0 || neg === 0) continue;
    total += P * neg;
    const r0 = idx.runOff[i],
      r1 = idx.runOff[i + 1];
    for (let q = 0; q < P; q++) {
      const dap = idx.posDist[p0 + q];
      // Edges ascend, so thresholds do: each search gallops on from the previous one's run.
      let cursor = r0;
      for (let e = 1; e < E - 1; e++) {
        below[e] += countFromRun(idx, i, tBits(dap, edges[e]), cursor, r0, r1);
        cursor = lastRun;
      }
    }
  }
  const out = new Float64Array(E - 1);
  for (let b = 0; b < E - 1; b++) {
    const lo = b === 0 ? 0 : below[b],
      hi = b === E - 2 ? total : below[b + 1];
    out[b] = hi - lo;
  }
  return out;
}

/** Threshold for t < e where e may be negative (thresholdBits handles the sign). */
function tBits(dap: number, e: number): number {
  return thresholdBits(dap, e, true);
}
