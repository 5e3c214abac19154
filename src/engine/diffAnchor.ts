/**
 * One anchor of a snapshot diff (see diff.ts): sorts its negatives by distance in snapshot A and
 * in snapshot B, finds per positive the two category boundaries in each snapshot, and counts the
 * (positive, negative) pairs by (category in A, category in B) as a 2-D dominance count:
 * negatives are the points (rank in A, rank in B), each positive asks "how many points lie below
 * x and left of y" for x in {hardA, violA} and y in {hardB, violB}. A sweep over the A ranks with
 * a Fenwick tree over the B ranks answers all of them in O((K + P) log K) for K negatives and P
 * positives, instead of the O(P K) a pair loop costs.
 *
 * t = d(a,n) - d(a,p) is a float64 expression on the float32 distances, exactly as the census and
 * a brute-force loop write it; "t <= m" is monotone in d(a,n), so a binary search with that very
 * predicate on the sorted distances gives the exact count, ties included.
 */
import type { Convention } from './types';

/** Largest n the packed (distance bits, index) sort key allows: 2^21. */
export const MAX_DIFF_N = 1 << 21;
const IDX = MAX_DIFF_N;

/** Per-anchor scratch buffers, sized once for n. */
export interface DiffWorkspace {
  negs: Int32Array;
  pos: Int32Array;
  key: Float64Array;
  ordA: Int32Array;
  sortedA: Float64Array;
  prefA: Float64Array;
  sortedB: Float64Array;
  prefB: Float64Array;
  rankB: Int32Array;
  fenwick: Int32Array;
  bucket: Int32Array;
  order: Int32Array;
  hA: Int32Array;
  vA: Int32Array;
  hB: Int32Array;
  vB: Int32Array;
}

/** Allocates the scratch buffers for n samples (about 90 bytes per sample). */
export function diffWorkspace(n: number): DiffWorkspace {
  const i32 = (): Int32Array => new Int32Array(n + 1);
  const f64 = (): Float64Array => new Float64Array(n + 1);
  return {
    negs: i32(),
    pos: i32(),
    key: f64(),
    ordA: i32(),
    sortedA: f64(),
    prefA: f64(),
    sortedB: f64(),
    prefB: f64(),
    rankB: i32(),
    fenwick: i32(),
    bucket: i32(),
    order: new Int32Array(2 * n + 2),
    hA: i32(),
    vA: i32(),
    hB: i32(),
    vB: i32(),
  };
}

/** Running totals over anchors (all exact integers below 2^53, except the loss sums). */
export interface DiffAccumulator {
  /** Sum over (a,p) of K (the triplet count), hA, vA, hB, vB, D(hA,hB), D(hA,vB), D(vA,hB), D(vA,vB). */
  sums: Float64Array;
  lossA: number;
  lossB: number;
  violA: Float64Array;
  violB: Float64Array;
  lossAsAnchorA: Float64Array;
  lossAsAnchorB: Float64Array;
  /** classes x classes, violating triplets by (anchor class, negative class), per snapshot. */
  pairsA: Float64Array;
  pairsB: Float64Array;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Sorts the anchor's negatives by their distance in `row`; fills `sorted` (values), prefix sums, and `ord` (local
 * index by rank). */
function sortNegatives(
  row: Float32Array,
  ws: DiffWorkspace,
  K: number,
  sorted: Float64Array,
  pref: Float64Array,
  ord: Int32Array | undefined,
  rank: Int32Array | undefined,
): void {
  const { negs, key } = ws;
  for (let k = 0; k < K; k++) {
    F32[0] = row[negs[k]]; // distances are >= 0, so float32 bit patterns sort like the values
    key[k] = U32[0] * IDX + k;
  }
  key.subarray(0, K).sort();
  pref[0] = 0;
  for (let r = 0; r < K; r++) {
    const k = key[r] % IDX;
    const v = row[negs[k]];
    sorted[r] = v;
    pref[r + 1] = pref[r] + v;
    if (ord) ord[r] = k;
    if (rank) rank[k] = r;
  }
}

/** Number of sorted values v with (v - dap) <= thr (strict: < thr); monotone in v. */
function countBelow(sorted: Float64Array, K: number, dap: number, thr: number, strict: boolean): number {
  let lo = 0,
    hi = K;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = sorted[mid] - dap;
    if (strict ? t < thr : t <= thr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Loss sum over the negatives with t < m for one (a, p): count (dap + m) - prefix sum. */
function lossOf(sorted: Float64Array, pref: Float64Array, K: number, dap: number, m: number, vStrict: number): number {
  const c = vStrict >= 0 ? vStrict : countBelow(sorted, K, dap, m, true);
  return c > 0 ? c * (dap + m) - pref[c] : 0;
}

/**
 * Adds anchor `a` to the accumulator. `rowA` / `rowB` are its distances to all n samples in each
 * snapshot. Cost O((K + P) log K).
 */
export function diffAnchor(
  a: number,
  rowA: Float32Array,
  rowB: Float32Array,
  labels: Int32Array,
  classes: number,
  m: number,
  convention: Convention,
  ws: DiffWorkspace,
  acc: DiffAccumulator,
): void {
  const n = labels.length,
    la = labels[a];
  let K = 0,
    P = 0;
  for (let j = 0; j < n; j++) {
    if (labels[j] !== la) ws.negs[K++] = j;
    else if (j !== a) ws.pos[P++] = j;
  }
  if (K === 0 || P === 0) return;
  sortNegatives(rowA, ws, K, ws.sortedA, ws.prefA, ws.ordA, undefined);
  sortNegatives(rowB, ws, K, ws.sortedB, ws.prefB, undefined, ws.rankB);
  const strict = convention === 'facenet';
  const s = acc.sums;
  let violA = 0,
    violB = 0,
    lossA = 0,
    lossB = 0;
  for (let q = 0; q < P; q++) {
    const p = ws.pos[q],
      dapA = rowA[p],
      dapB = rowB[p];
    const hA = countBelow(ws.sortedA, K, dapA, 0, strict),
      vA = countBelow(ws.sortedA, K, dapA, m, strict);
    const hB = countBelow(ws.sortedB, K, dapB, 0, strict),
      vB = countBelow(ws.sortedB, K, dapB, m, strict);
    ws.hA[q] = hA;
    ws.vA[q] = vA;
    ws.hB[q] = hB;
    ws.vB[q] = vB;
    violA += vA;
    violB += vB;
    lossA += lossOf(ws.sortedA, ws.prefA, K, dapA, m, strict ? vA : -1);
    lossB += lossOf(ws.sortedB, ws.prefB, K, dapB, m, strict ? vB : -1);
    s[1] += hA;
    s[2] += vA;
    s[3] += hB;
    s[4] += vB;
  }
  s[0] += P * K;
  acc.violA[a] = violA;
  acc.violB[a] = violB;
  acc.lossAsAnchorA[a] = lossA;
  acc.lossAsAnchorB[a] = lossB;
  acc.lossA += lossA;
  acc.lossB += lossB;
  classPairs(ws, ws.vA, P, K, la, labels, classes, acc.pairsA, true);
  classPairs(ws, ws.vB, P, K, la, labels, classes, acc.pairsB, false);
  dominance(ws, P, K, s);
}

/**
 * Violating triplets by negative class: the negative at sorted position r violates for every
 * positive whose boundary v exceeds r, so it weighs #{q : v[q] > r}.
 */
function classPairs(
  ws: DiffWorkspace,
  v: Int32Array,
  P: number,
  K: number,
  la: number,
  labels: Int32Array,
  classes: number,
  out: Float64Array,
  inA: boolean,
): void {
  const hist = ws.bucket;
  hist.fill(0, 0, K + 1);
  for (let q = 0; q < P; q++) hist[v[q]]++;
  const row = la * classes;
  let w = P - hist[0];
  if (inA) {
    for (let r = 0; r < K && w > 0; r++, w -= hist[r]) out[row + labels[ws.negs[ws.ordA[r]]]] += w;
  } else {
    // B order: invert rankB into the order array's first K slots.
    const ordB = ws.order;
    for (let k = 0; k < K; k++) ordB[ws.rankB[k]] = k;
    for (let r = 0; r < K && w > 0; r++, w -= hist[r]) out[row + labels[ws.negs[ordB[r]]]] += w;
  }
}

/**
 * The four dominance sums D(x, y) = #{negatives with rank in A < x and rank in B < y} for
 * (x, y) in {hA, vA} x {hB, vB}, summed over positives. Queries are bucketed by x (counting
 * sort), then the A ranks are swept inserting B ranks into a Fenwick tree.
 */
function dominance(ws: DiffWorkspace, P: number, K: number, s: Float64Array): void {
  const { bucket, order, fenwick, ordA, rankB, hA, vA, hB, vB } = ws;
  bucket.fill(0, 0, K + 2);
  for (let q = 0; q < P; q++) {
    bucket[hA[q] + 1]++;
    bucket[vA[q] + 1]++;
  }
  for (let x = 1; x <= K + 1; x++) bucket[x] += bucket[x - 1];
  // Query id 2q is (x = hA[q]), 2q + 1 is (x = vA[q]); bucket[x] is now the first slot for x.
  for (let q = 0; q < P; q++) {
    order[bucket[hA[q]]++] = 2 * q;
    order[bucket[vA[q]]++] = 2 * q + 1;
  }
  fenwick.fill(0, 0, K + 1);
  let inserted = 0;
  for (let i = 0; i < 2 * P; i++) {
    const id = order[i],
      q = id >> 1,
      x = id & 1 ? vA[q] : hA[q];
    while (inserted < x) {
      for (let r = rankB[ordA[inserted]] + 1; r <= K; r += r & -r) fenwick[r]++;
      inserted++;
    }
    const dh = prefixCount(fenwick, hB[q]),
      dv = prefixCount(fenwick, vB[q]);
    if (id & 1) {
      s[7] += dh;
      s[8] += dv;
    } else {
      s[5] += dh;
      s[6] += dv;
    }
  }
}

/** Fenwick prefix sum of the first y positions. */
function prefixCount(f: Int32Array, y: number): number {
  let c = 0;
  for (let r = y; r > 0; r -= r & -r) c += f[r];
  return c;
}
