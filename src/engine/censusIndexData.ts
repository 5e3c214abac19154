/**
 * The census index's data and its reads: the layout (how a sorted distance is stored split into a run table and
 * low 16 bits, with float64 prefix sums every PREFIX_STEP entries; censusIndex.ts explains why), the buffers a
 * pass reuses for it, and the searches and sums that counting, mining and the margin table read it with.
 */
import { extractNegatives, radixSort, SortScratch } from './censusSort';
import type { CensusIndex } from './censusTypes';
import type { DistanceOptions, EngineInput } from './types';

/** Entries per float64 prefix-sum checkpoint. */
export const PREFIX_STEP = 16;
export const PREFIX_SHIFT = 4;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Bit pattern of a float32 value. */
export function bitsOf(v: number): number {
  f32[0] = v;
  return u32[0];
}
/** Float32 value of a bit pattern. */
export function floatOf(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/** The index's data; CensusIndex is its public face. All per-anchor arrays are indexed by a - anchorStart. */
export interface IndexData extends CensusIndex {
  labels: Int32Array;
  distance: DistanceOptions;
  /**
   * Dataset ids of the anchors when they are not the range [anchorStart, anchorEnd) (a block of a
   * sampled pass): anchor i is anchorIds[i], and then anchorStart = 0, anchorEnd = anchorIds.length.
   */
  anchorIds?: Int32Array;
  /** Start of each anchor's negatives in `lower` / `negId` (length anchors + 1). */
  negOff: Float64Array;
  lower: Uint16Array;
  negId: Uint16Array | Uint32Array;
  /** Start of each anchor's runs in `runUpper` / `runStart` (length anchors + 1). */
  runOff: Float64Array;
  runUpper: Uint16Array;
  /** First position of each run, relative to the anchor's first negative. */
  runStart: Uint32Array;
  /** Float64 prefix sums of the sorted distances at positions 0, 16, 32, ..., per anchor. */
  prefOff: Float64Array;
  prefix: Float64Array;
  /** Positives sorted by (distance, id) ascending. */
  posOff: Float64Array;
  posDist: Float32Array;
  posId: Int32Array;
  /** Per positive entry: negatives with d(a,n) <= d(a,p) (pml hard) and < d(a,p) (facenet hard). */
  hardLE: Uint32Array;
  hardLT: Uint32Array;
  /**
   * Set when the index was built with only the nearest negatives' ids (indexBlock's `nearIds`):
   * per anchor, how many leading entries of `negId` hold ids; `negIdAt` recovers the rest from
   * `lazy` (the block's distance rows) when a reader needs them.
   */
  idsKnown?: Int32Array;
  lazy?: { rows: Float32Array; ctx: IndexContext; scratch: SortScratch };
  /** The reused buffers of a pass's block index: a count's scratch comes from them too. */
  storage?: IndexStorage;
}

/**
 * The id of anchor i's j-th nearest negative. An index built with only the nearest negatives' ids
 * sorts the rest of that anchor again, with ids, the first time one of them is read.
 */
export function negIdAt(idx: IndexData, i: number, j: number): number {
  if (idx.idsKnown && j >= idx.idsKnown[i]) recoverIds(idx, i);
  return idx.negId[idx.negOff[i] + j];
}

/** Every id of anchor i's sorted negatives, from its distance row (the same stable order the keys have). */
export function recoverIds(idx: IndexData, i: number): void {
  const lz = idx.lazy!,
    n = idx.n,
    s = lz.scratch,
    labels = lz.ctx.input.labels,
    a = anchorOf(idx, i),
    la = labels[a];
  const row = lz.rows.subarray(i * n, (i + 1) * n);
  const { len, min, max } = extractNegatives(new Uint32Array(row.buffer, row.byteOffset, n), labels, la, s, true);
  const { ids } = radixSort(s, len, min, max);
  idx.negId.set(ids.subarray(0, len), idx.negOff[i]);
  idx.idsKnown![i] = len;
}

/** Dataset id of the index's i-th anchor. */
export function anchorOf(idx: IndexData, i: number): number {
  return idx.anchorIds ? idx.anchorIds[i] : idx.anchorStart + i;
}

/** What every block of one dataset shares: the checked input, class sizes and members. */
export interface IndexContext {
  input: EngineInput;
  distance: DistanceOptions;
  sizes: Float64Array;
  members: Int32Array[];
}

export type Growable = Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * Buffers that one block index after another reuses: a block's arrays are about 6.5 bytes per
 * (anchor, negative) pair (100+ MB), and writing freshly allocated memory costs a page fault per
 * 4 KB, measured as more than the sort itself (4 ms per anchor at N = 100 000).
 */
export class IndexStorage {
  private readonly bufs = new Map<string, Growable>();
  scratch: SortScratch | undefined;

  /** A view of `length` entries of the buffer named `key` (contents undefined), grown when too small. */
  take<T extends Growable>(key: string, make: (length: number) => T, length: number): T {
    const b = this.bufs.get(key) as T | undefined;
    if (b && b.length >= length) return b.subarray(0, length) as T;
    const fresh = make(Math.ceil(length * 1.25) + 16);
    this.bufs.set(key, fresh);
    return fresh.subarray(0, length) as T;
  }

  /** The whole buffer named `key` (at least `length` entries): the run tables fill it and grow it themselves. */
  whole<T extends Growable>(key: string, make: (length: number) => T, length: number): T {
    const b = this.bufs.get(key) as T | undefined;
    if (b && b.length >= length) return b;
    const fresh = make(length);
    this.bufs.set(key, fresh);
    return fresh;
  }

  /** Keeps a buffer that outgrew its slot (the run tables grow while filling). */
  keep(key: string, b: Growable): void {
    const old = this.bufs.get(key);
    if (!old || b.length > old.length) this.bufs.set(key, b);
  }

  sortScratch(n: number): SortScratch {
    if (!this.scratch || this.scratch.keys.length < n) this.scratch = new SortScratch(n);
    return this.scratch;
  }
}

/** Number of anchor i's negatives whose distance bit pattern is <= bits (bits may be -1). */
export function countAtMost(idx: IndexData, i: number, bits: number): number {
  const r0 = idx.runOff[i],
    r1 = idx.runOff[i + 1];
  return countFromRun(idx, i, bits, r0, r0, r1);
}

/**
 * Like countAtMost, searching runs from `from` (a cursor: thresholds visited in ascending order
 * never go back). Returns the count; the run used is left in `lastRun`.
 */
export let lastRun = 0;
export function countFromRun(idx: IndexData, i: number, bits: number, from: number, r0: number, r1: number): number {
  if (bits < 0 || r1 === r0) {
    lastRun = from;
    return 0;
  }
  const tu = bits >>> 16,
    tl = bits & 0xffff,
    up = idx.runUpper;
  // Last run with upper <= tu, by galloping from the cursor then bisecting.
  if (up[from] > tu) {
    if (from !== r0) return countFromRun(idx, i, bits, r0, r0, r1); // threshold went back: search afresh
    lastRun = from;
    return 0;
  }
  let lo = from,
    step = 1,
    hi = from + 1;
  while (hi < r1 && up[hi] <= tu) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > r1) hi = r1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (up[mid] <= tu) lo = mid;
    else hi = mid;
  }
  lastRun = lo;
  const neg = idx.negOff[i + 1] - idx.negOff[i];
  const end = lo + 1 < r1 ? idx.runStart[lo + 1] : neg;
  if (up[lo] < tu) return end;
  // Same high half: bisect the low halves of the run for the first one > tl.
  const off = idx.negOff[i],
    low = idx.lower;
  let a = idx.runStart[lo],
    b = end;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (low[off + mid] <= tl) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** The j-th sorted distance of anchor i, given a run r that starts at or before j. */
export function valueAt(idx: IndexData, i: number, j: number, r: number): number {
  return floatOf(((idx.runUpper[r] << 16) | idx.lower[idx.negOff[i] + j]) >>> 0);
}

/**
 * Sum of anchor i's first k sorted distances (float64): the checkpoint at or below k plus the
 * rest of its block (`blockPartial`). Every recount path builds it this way, so all give
 * bit-identical loss sums. `r` is a run at or after the one containing position k - 1.
 */
export function prefixSum(idx: IndexData, i: number, k: number, r: number): number {
  return idx.prefix[idx.prefOff[i] + (k >> PREFIX_SHIFT)] + blockPartial(idx, i, k, r);
}

/** Distances at positions [k rounded down to PREFIX_STEP, k), added in ascending order. */
export function blockPartial(idx: IndexData, i: number, k: number, r: number): number {
  const base = (k >> PREFIX_SHIFT) << PREFIX_SHIFT,
    r0 = idx.runOff[i],
    r1 = idx.runOff[i + 1];
  while (r > r0 && idx.runStart[r] > base) r--;
  let partial = 0;
  for (let j = base; j < k; j++) {
    while (r + 1 < r1 && idx.runStart[r + 1] <= j) r++;
    partial += valueAt(idx, i, j, r);
  }
  return partial;
}
