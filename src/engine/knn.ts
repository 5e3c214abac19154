/**
 * Exact k-nearest neighbours, and the row-block machinery the other row-wise engine modules
 * (retrieval, pair losses) share.
 *
 * Order everywhere: ascending distance, ties broken by the smaller sample index. Distances are
 * the float32 values `distanceRows` produces, so two samples at the same float32 distance are a
 * tie even when their exact real distances differ in the last bit.
 *
 * Memory stays bounded: distances are computed `blockRowsFor(n)` query rows at a time (about
 * 16 MB of float32), never as an N x N matrix, and each row is reduced by partial selection
 * (a bounded heap for small k, quickselect for large k), not a full sort.
 */
import { distanceRows, prepareEmbeddings } from './distances';
import { throwIfAborted } from './types';
import type { DistanceKind, DistanceOptions, EngineInput, Progress } from './types';

/** Options of `exactKnn`. */
export interface KnnOptions extends DistanceOptions {
  /**
   * Put each point first in its own row, at distance 0, and count it in k (so a row holds the
   * point and its k-1 nearest others). This is the layout umap-js `setPrecomputedKNN` expects;
   * for UMAP also pass `distance: 'euclidean'` (UMAP wants Euclidean, not squared, distances).
   * A duplicate of the point with a smaller index then comes second, not first.
   */
  includeSelf?: boolean;
}

/** Neighbours of the query rows [rowStart, rowEnd), row-major (rowEnd - rowStart) x k. */
export interface KnnResult {
  /** Neighbours per row actually returned: min(requested k, n - 1), or min(k, n) with includeSelf. */
  k: number;
  indices: Int32Array;
  distances: Float32Array;
  rowStart: number;
  rowEnd: number;
}

/** A half-open range of query rows (anchors), for splitting work across workers. */
export interface RowRange {
  rowStart: number;
  rowEnd: number;
}

/**
 * Exact k nearest neighbours of every sample (or of the rows in `range`) among all the others.
 * Throws a RangeError when k is not a positive integer; k larger than possible is clamped and the
 * clamped value is returned in `k`.
 */
export async function exactKnn(
  input: EngineInput,
  k: number,
  opts: KnnOptions,
  progress?: Progress,
  range?: RowRange,
): Promise<KnnResult> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const { n, dim } = input;
  const { rowStart, rowEnd } = checkRange(range, n);
  const self = opts.includeSelf === true;
  const kk = Math.max(0, Math.min(k, self ? n : n - 1));
  const rows = rowEnd - rowStart;
  const indices = new Int32Array(rows * kk);
  const distances = new Float32Array(rows * kk);
  if (kk === 0 || rows === 0) return { k: kk, indices, distances, rowStart, rowEnd };
  const x = prepareEmbeddings(input, opts.normalize);
  const others = self ? kk - 1 : kk;
  const sel = new RowSelector(n, others);
  await forEachRowBlock(
    x,
    n,
    dim,
    opts.distance,
    rowStart,
    rowEnd,
    progress,
    'k-nearest neighbours',
    (r0, r1, block) => {
      for (let r = r0; r < r1; r++) {
        const off = (r - r0) * n;
        let o = (r - rowStart) * kk;
        if (self) {
          indices[o] = r;
          distances[o] = 0;
          o++;
        }
        const picked = sel.select(block, off, r);
        for (let t = 0; t < others; t++) {
          indices[o + t] = picked[t];
          distances[o + t] = block[off + picked[t]];
        }
      }
    },
  );
  return { k: kk, indices, distances, rowStart, rowEnd };
}

/** Validates an optional row range against n; the default is every row. */
export function checkRange(range: RowRange | undefined, n: number): RowRange {
  const rowStart = range?.rowStart ?? 0;
  const rowEnd = range?.rowEnd ?? n;
  if (!Number.isInteger(rowStart) || !Number.isInteger(rowEnd) || rowStart < 0 || rowEnd > n || rowStart > rowEnd) {
    throw new RangeError(`bad row range [${rowStart}, ${rowEnd}) for n = ${n}`);
  }
  return { rowStart, rowEnd };
}

/** Rows per distance block: about 4 M float32 (16 MB) per block, at least 1, at most 1024. */
export function blockRowsFor(n: number): number {
  return Math.max(1, Math.min(1024, Math.floor((1 << 22) / Math.max(1, n))));
}

/**
 * Computes distances of query rows [rowStart, rowEnd) to all n samples block by block and hands
 * each block to `fn` (block is (r1 - r0) x n, row-major). Between blocks it reports progress,
 * yields to the event loop (so an abort can arrive in-process) and checks the signal.
 */
export async function forEachRowBlock(
  x: Float32Array,
  n: number,
  dim: number,
  distance: DistanceKind,
  rowStart: number,
  rowEnd: number,
  progress: Progress | undefined,
  message: string,
  fn: (r0: number, r1: number, block: Float32Array) => void,
): Promise<void> {
  const step = blockRowsFor(n);
  const buf = new Float32Array(Math.min(step, Math.max(1, rowEnd - rowStart)) * n);
  for (let r0 = rowStart; r0 < rowEnd; r0 += step) {
    throwIfAborted(progress);
    const r1 = Math.min(rowEnd, r0 + step);
    const block = distanceRows(x, n, dim, r0, r1, distance, buf.subarray(0, (r1 - r0) * n));
    fn(r0, r1, block);
    progress?.onProgress?.((r1 - rowStart) / (rowEnd - rowStart), message);
    if (r1 < rowEnd) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throwIfAborted(progress);
}

/** Per-class sample counts. */
export function classCounts(labels: Int32Array, classes: number): Int32Array {
  const counts = new Int32Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * Above this k, quickselect beats the bounded heap (measured on rows of 10 000: heap ahead up to
 * k = 200, quickselect ahead from k = 1 000 on).
 */
export const HEAP_MAX_K = 256;

/**
 * Picks the `k` smallest entries of a distance row (ascending, ties by index), excluding one
 * index (the query itself). Reuses its buffers across rows. Small k uses a bounded max-heap
 * (most entries are rejected by one comparison with the heap top); large k uses quickselect.
 */
export class RowSelector {
  private readonly heap: Int32Array;
  private scratch: Int32Array | undefined;

  /** `maxK` bounds the k of every later `select` call. */
  constructor(
    private readonly n: number,
    readonly maxK: number,
  ) {
    this.heap = new Int32Array(Math.max(0, maxK));
  }

  /**
   * The k smallest of row[off .. off + n) other than index `exclude` (pass -1 to exclude none),
   * as indices 0..n-1 sorted ascending; k <= maxK and k <= the number of candidates. The
   * returned array is reused by the next call.
   */
  select(row: Float32Array, off: number, exclude: number, k = this.maxK): Int32Array {
    if (k > this.maxK) throw new RangeError(`k = ${k} exceeds this selector's maxK = ${this.maxK}`);
    if (k === 0) return this.heap.subarray(0, 0);
    if (k <= HEAP_MAX_K) return this.heapSelect(row, off, exclude, k);
    this.scratch ??= new Int32Array(this.n);
    return this.quickselect(row, off, exclude, k, this.scratch);
  }

  private heapSelect(row: Float32Array, off: number, exclude: number, k: number): Int32Array {
    const h = this.heap;
    let size = 0;
    for (let j = 0; j < this.n; j++) {
      if (j === exclude) continue;
      if (size < k) {
        // Sift up: h is a max-heap on (distance, index).
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (!before(row, off, h[p], j)) break;
          h[c] = h[p];
          c = p;
        }
        h[c] = j;
      } else if (before(row, off, j, h[0])) {
        siftDown(row, off, h, 0, k, j);
      }
    }
    // Heap sort in place: repeatedly move the max to the end.
    for (let end = size - 1; end > 0; end--) {
      const top = h[0];
      siftDown(row, off, h, 0, end, h[end]);
      h[end] = top;
    }
    return h.subarray(0, size);
  }

  private quickselect(row: Float32Array, off: number, exclude: number, kWanted: number, a: Int32Array): Int32Array {
    let m = 0;
    for (let j = 0; j < this.n; j++) if (j !== exclude) a[m++] = j;
    const k = Math.min(kWanted, m);
    let lo = 0;
    let hi = m - 1;
    while (hi > lo) {
      // Median of three as the pivot; Hoare partition on the (distance, index) order.
      const mid = (lo + hi) >> 1;
      if (before(row, off, a[mid], a[lo])) swap(a, mid, lo);
      if (before(row, off, a[hi], a[lo])) swap(a, hi, lo);
      if (before(row, off, a[hi], a[mid])) swap(a, hi, mid);
      const pivot = a[mid];
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (before(row, off, a[i], pivot)) i++;
        while (before(row, off, pivot, a[j])) j--;
        if (i <= j) {
          swap(a, i, j);
          i++;
          j--;
        }
      }
      if (k - 1 <= j) hi = j;
      else if (k - 1 >= i) lo = i;
      else break;
    }
    const head = a.subarray(0, k);
    head.sort((p, q) => row[off + p] - row[off + q] || p - q);
    return head;
  }
}

/** True when sample p comes before sample q in the row's order (distance, then index). */
function before(row: Float32Array, off: number, p: number, q: number): boolean {
  const dp = row[off + p];
  const dq = row[off + q];
  return dp < dq || (dp === dq && p < q);
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Places `item` at position c of the max-heap h[0..size) and sifts it down. */
function siftDown(row: Float32Array, off: number, h: Int32Array, c: number, size: number, item: number): void {
  for (;;) {
    let child = 2 * c + 1;
    if (child >= size) break;
    if (child + 1 < size && before(row, off, h[child], h[child + 1])) child++;
    if (!before(row, off, item, h[child])) break;
    h[c] = h[child];
    c = child;
  }
  h[c] = item;
}
