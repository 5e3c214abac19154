/**
 * Sorting one anchor's distance row: its negatives' distance bit patterns (non-negative floats
 * sort like their patterns), alone or with their ids, by a stable LSD radix sort in buffers reused
 * from anchor to anchor. The census index (censusIndex.ts) is built from what these return.
 */

/** Reusable buffers for one anchor's sort. */
export class SortScratch {
  keys: Uint32Array;
  ids: Uint32Array;
  keys2: Uint32Array;
  ids2: Uint32Array;
  lowHist = new Int32Array(1 << 16);
  highHist = new Int32Array(1 << 16);
  private fk = new Uint32Array(0);
  private fi = new Uint32Array(0);
  constructor(n: number) {
    this.keys = new Uint32Array(n);
    this.ids = new Uint32Array(n);
    this.keys2 = new Uint32Array(n);
    this.ids2 = new Uint32Array(n);
  }
  /** Room for the nearest negatives' keys and ids (nearestIds). */
  frontKeys(len: number): Uint32Array {
    if (this.fk.length < len) this.fk = new Uint32Array(len);
    return this.fk;
  }
  frontIds(len: number): Uint32Array {
    if (this.fi.length < len) this.fi = new Uint32Array(len);
    return this.fi;
  }
}

/** radixSort for the keys alone (no ids): half the memory traffic. Returns the buffer holding them. */
export function radixSortKeys(s: SortScratch, len: number, min: number, max: number): Uint32Array {
  const k0 = s.keys,
    k1 = s.keys2,
    d = digits(s, len, min, max);
  if (!d) return k0;
  const lo = s.lowHist,
    hi = s.highHist,
    { w, mask } = d;
  for (let i = 0; i < len; i++) {
    const key = k0[i];
    k1[lo[((key - min) >>> 0) & mask]++] = key;
  }
  if (w === 0) return k1;
  for (let i = 0; i < len; i++) {
    const key = k1[i];
    k0[hi[((key - min) >>> 0) >>> w]++] = key;
  }
  return k0;
}

/**
 * The digits of a radix sort of s.keys[0, len) relative to `min`: one digit (w = 0) when their
 * spread fits 16 bits, else a low digit of w bits and a high one; both histograms are counted in
 * one loop and turned into bucket starts (s.lowHist, s.highHist). Undefined when there is nothing
 * to sort.
 */
function digits(s: SortScratch, len: number, min: number, max: number): { w: number; mask: number } | undefined {
  const bits = 32 - Math.clz32(max - min),
    k0 = s.keys,
    lo = s.lowHist,
    hi = s.highHist;
  if (bits === 0 || len < 2) return undefined;
  if (bits <= 16) {
    const mask = (1 << bits) - 1;
    lo.fill(0, 0, mask + 1);
    for (let i = 0; i < len; i++) lo[k0[i] - min]++;
    exclusiveSums(lo, mask + 1);
    return { w: 0, mask };
  }
  const w = bits >> 1,
    mask = (1 << w) - 1,
    highCount = 1 << (bits - w);
  lo.fill(0, 0, mask + 1);
  hi.fill(0, 0, highCount);
  for (let i = 0; i < len; i++) {
    const d = (k0[i] - min) >>> 0;
    lo[d & mask]++;
    hi[d >>> w]++;
  }
  exclusiveSums(lo, mask + 1);
  exclusiveSums(hi, highCount);
  return { w, mask };
}

/**
 * LSD radix sort of `len` keys (non-negative float32 patterns, so they sort like the values) with
 * their ids; stable, so equal distances stay in ascending id order. Keys are sorted relative to
 * their minimum in one pass when their spread fits 16 bits, else two, with both digits' histograms
 * counted in one loop (measured 1.05 ms for 100 000 distances against 1.8 ms with a histogram
 * loop per pass; a bucket sort finished by insertion took 3 ms on real rows). Reads s.keys /
 * s.ids; returns the buffers holding the result.
 */
export function radixSort(
  s: SortScratch,
  len: number,
  min: number,
  max: number,
): { keys: Uint32Array; ids: Uint32Array } {
  const k0 = s.keys,
    i0 = s.ids,
    k1 = s.keys2,
    i1 = s.ids2,
    d = digits(s, len, min, max);
  if (!d) return { keys: k0, ids: i0 };
  const lo = s.lowHist,
    hi = s.highHist,
    { w, mask } = d;
  for (let i = 0; i < len; i++) {
    const key = k0[i],
      at = lo[((key - min) >>> 0) & mask]++;
    k1[at] = key;
    i1[at] = i0[i];
  }
  if (w === 0) return { keys: k1, ids: i1 };
  for (let i = 0; i < len; i++) {
    const key = k1[i],
      at = hi[((key - min) >>> 0) >>> w]++;
    k0[at] = key;
    i0[at] = i1[i];
  }
  return { keys: k0, ids: i0 };
}

/** Turns counts h[0..count) into their exclusive prefix sums (bucket starts). */
function exclusiveSums(h: Int32Array, count: number): void {
  let sum = 0;
  for (let d = 0; d < count; d++) {
    const c = h[d];
    h[d] = sum;
    sum += c;
  }
}

/**
 * The distance bit patterns (non-negative floats sort like their patterns) of the samples of
 * another class than `la`, in id order, into s.keys (and their ids into s.ids when `withIds`),
 * with the smallest and largest pattern.
 */
export function extractNegatives(
  rowBits: Uint32Array,
  labels: Int32Array,
  la: number,
  s: SortScratch,
  withIds: boolean,
): { len: number; min: number; max: number } {
  const k0 = s.keys,
    id0 = s.ids,
    n = rowBits.length;
  let len = 0,
    min = 0x7fffffff,
    max = 0;
  if (withIds) {
    for (let j = 0; j < n; j++) {
      if (labels[j] === la) continue;
      const key = rowBits[j];
      if (key < min) min = key;
      if (key > max) max = key;
      k0[len] = key;
      id0[len] = j;
      len++;
    }
  } else {
    for (let j = 0; j < n; j++) {
      if (labels[j] === la) continue;
      const key = rowBits[j];
      if (key < min) min = key;
      if (key > max) max = key;
      k0[len++] = key;
    }
  }
  return { len, min: Math.min(min, max), max };
}

/** Stable insertion sort of keys[0, len) with their ids (a few hundred entries). */
export function insertionByKey(k: Uint32Array, id: Uint32Array, len: number): void {
  for (let j = 1; j < len; j++) {
    const key = k[j];
    if (k[j - 1] <= key) continue;
    const v = id[j];
    let m = j - 1;
    while (m >= 0 && k[m] > key) {
      k[m + 1] = k[m];
      id[m + 1] = id[m];
      m--;
    }
    k[m + 1] = key;
    id[m + 1] = v;
  }
}
