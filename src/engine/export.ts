/**
 * Triplets for the next training run: the (anchor, positive, negative) index rows of a category
 * (hard, semi-hard, violating; definitions.md, under the chosen convention), optionally only for
 * selected anchors, and the hard negatives per anchor by rank window (ranks r0..r1 among the
 * anchor's negatives by distance, as in embedding-based retrieval practice, e.g. 101-500).
 *
 * Row order is deterministic: anchor ascending, then positive index ascending, then negative by
 * distance ascending (ties by index). Distances are `distanceRows`' float32 values and
 * t = d(a,n) - d(a,p) is a float64 expression on them, as in the census.
 *
 * Hard triplets can number in the billions: every export counts all rows it would write, keeps
 * at most `cap` of them, and throws ExportTooLargeError with the full count when it is over.
 */
import { distanceRows, prepareEmbeddings } from './distances';
import { Convention, DistanceOptions, EngineInput, Progress, throwIfAborted } from './types';

/** Which triplets: the census categories, or every violating triplet of the selected anchors. */
export type TripletCategory = 'hard' | 'semihard' | 'violating';

/** Default row cap (5 M rows: 120 MB as int64 N x 3). */
export const DEFAULT_EXPORT_CAP = 5_000_000;

/** Thrown when an export would write more than `cap` rows; `count` is how many it would. */
export class ExportTooLargeError extends Error {
  constructor(
    readonly count: number,
    readonly cap: number,
  ) {
    super(
      `${count.toLocaleString('en-US')} rows is more than the cap of ${cap.toLocaleString('en-US')}; raise the cap or pick fewer triplets (a narrower category, a smaller margin or a selection)`,
    );
    this.name = 'ExportTooLargeError';
  }
}

/** Rows of `cols` int32 indices, row-major (`rows.length === count * cols`). */
export interface IndexRows {
  rows: Int32Array;
  count: number;
  cols: number;
}

/** Options of exportTriplets. */
export interface TripletExportOptions extends DistanceOptions {
  margin: number;
  convention: Convention;
  category: TripletCategory;
  /** Only triplets whose anchor is one of these (a projection selection). Default: every anchor. */
  anchors?: ArrayLike<number>;
  /** Refuse above this many rows (default DEFAULT_EXPORT_CAP). */
  cap?: number;
}

/** Growing row buffer that stops storing past the cap but keeps counting. */
class RowSink {
  buf = new Int32Array(3 * 1024);
  count = 0;
  constructor(
    readonly cols: number,
    readonly cap: number,
  ) {}
  push3(x: number, y: number, z: number): void {
    if (this.count++ >= this.cap) return;
    const at = (this.count - 1) * this.cols;
    if (at + this.cols > this.buf.length) {
      const next = new Int32Array(Math.min(Math.max(this.buf.length * 2, at + this.cols), this.cap * this.cols));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[at] = x;
    this.buf[at + 1] = y;
    this.buf[at + 2] = z;
  }
  result(): IndexRows {
    if (this.count > this.cap) throw new ExportTooLargeError(this.count, this.cap);
    return { rows: this.buf.slice(0, this.count * this.cols), count: this.count, cols: this.cols };
  }
}

/** Per anchor: negatives and positives, negatives sorted by (distance, index). */
function splitAnchor(a: number, row: Float32Array, labels: Int32Array): { negs: number[]; pos: number[] } {
  const negs: number[] = [],
    pos: number[] = [];
  for (let j = 0; j < labels.length; j++) {
    if (labels[j] !== labels[a]) negs.push(j);
    else if (j !== a) pos.push(j);
  }
  negs.sort((x, y) => row[x] - row[y] || x - y);
  return { negs, pos };
}

/** Number of sorted negatives with (d(a,n) - dap) <= thr (strict: < thr). */
function countBelow(row: Float32Array, negs: number[], dap: number, thr: number, strict: boolean): number {
  let lo = 0,
    hi = negs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1,
      t = row[negs[mid]] - dap;
    if (strict ? t < thr : t <= thr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Runs `each(anchor, row)` over the chosen anchors, distance rows computed in blocks. */
async function forAnchors(
  input: EngineInput,
  opts: DistanceOptions,
  anchors: ArrayLike<number> | undefined,
  each: (a: number, row: Float32Array) => void,
  progress?: Progress,
): Promise<void> {
  const { n, dim } = input;
  const x = prepareEmbeddings(input, opts.normalize);
  const list = anchors ? [...new Set(Array.from(anchors))].sort((p, q) => p - q) : [...Array(n).keys()];
  for (const a of list)
    if (!(Number.isInteger(a) && a >= 0 && a < n)) throw new RangeError(`anchor ${a} is outside 0..${n - 1}`);
  const step = Math.max(1, Math.floor((1 << 22) / Math.max(1, n)));
  let lastYield = Date.now();
  for (let i = 0; i < list.length; i += step) {
    throwIfAborted(progress);
    const chunk = list.slice(i, i + step);
    if (!anchors) {
      // Every anchor: one block of consecutive rows (the GEMM kernel wants blocks, not single rows).
      const block = distanceRows(x, n, dim, chunk[0], chunk[0] + chunk.length, opts.distance);
      for (let k = 0; k < chunk.length; k++) {
        each(chunk[k], block.subarray(k * n, (k + 1) * n));
        // On the extension host's main thread: give the event loop a turn every ~50 ms.
        if ((k & 15) === 15 && Date.now() - lastYield > 50) {
          await new Promise((res) => setImmediate(res));
          throwIfAborted(progress);
          lastYield = Date.now();
        }
      }
    } else {
      for (const a of chunk) each(a, distanceRows(x, n, dim, a, a + 1, opts.distance));
    }
    progress?.onProgress?.(Math.min(1, (i + step) / list.length), 'Selecting triplets');
    await new Promise((res) => setImmediate(res));
  }
}

/**
 * The (anchor, positive, negative) rows of one category at margin m. pml: hard t <= 0, semi-hard
 * 0 < t <= m, violating t <= m; facenet: hard t < 0, semi-hard 0 <= t < m, violating t < m.
 */
export async function exportTriplets(
  input: EngineInput,
  o: TripletExportOptions,
  progress?: Progress,
): Promise<IndexRows> {
  if (!Number.isFinite(o.margin) || o.margin < 0)
    throw new RangeError(`margin must be a finite number >= 0, got ${o.margin}`);
  const sink = new RowSink(3, o.cap ?? DEFAULT_EXPORT_CAP);
  const strict = o.convention === 'facenet';
  await forAnchors(
    input,
    o,
    o.anchors,
    (a, row) => {
      const { negs, pos } = splitAnchor(a, row, input.labels);
      for (const p of pos) {
        const dap = row[p];
        const h = countBelow(row, negs, dap, 0, strict),
          v = countBelow(row, negs, dap, o.margin, strict);
        const from = o.category === 'semihard' ? h : 0,
          to = o.category === 'hard' ? h : v;
        for (let k = from; k < to; k++) sink.push3(a, p, negs[k]);
      }
    },
    progress,
  );
  return sink.result();
}

/** Options of hardNegatives. */
export interface RankWindowOptions extends DistanceOptions {
  /** First and last rank, 1-based and inclusive, among each anchor's negatives by distance. */
  from: number;
  to: number;
  /** `pairs`: (anchor, negative, rank) rows; `triplets`: (anchor, hardest positive, negative). */
  form: 'pairs' | 'triplets';
  anchors?: ArrayLike<number>;
  cap?: number;
}

/**
 * The negatives of rank from..to (1-based; nearest negative is rank 1, ties by index) for every
 * anchor. In the triplet form the positive is the anchor's hardest (farthest, ties by lowest
 * index); anchors without a positive are skipped there.
 */
export async function hardNegatives(input: EngineInput, o: RankWindowOptions, progress?: Progress): Promise<IndexRows> {
  if (!(Number.isInteger(o.from) && Number.isInteger(o.to) && o.from >= 1 && o.to >= o.from)) {
    throw new RangeError(`rank window must be whole numbers 1 <= from <= to, got ${o.from}..${o.to}`);
  }
  const sink = new RowSink(3, o.cap ?? DEFAULT_EXPORT_CAP);
  await forAnchors(
    input,
    o,
    o.anchors,
    (a, row) => {
      const { negs, pos } = splitAnchor(a, row, input.labels);
      let hardest = -1;
      for (const p of pos) if (hardest < 0 || row[p] > row[hardest]) hardest = p;
      if (o.form === 'triplets' && hardest < 0) return;
      for (let r = o.from; r <= Math.min(o.to, negs.length); r++) {
        if (o.form === 'pairs') sink.push3(a, negs[r - 1], r);
        else sink.push3(a, hardest, negs[r - 1]);
      }
    },
    progress,
  );
  return sink.result();
}

/** Parses a rank window typed by a user: `101-500`, `101..500`, `101 500` or `50` (1..50). */
export function parseRankWindow(text: string): { from: number; to: number } | string {
  const m = /^\s*(\d+)\s*(?:(?:-|\.\.|–|\s)\s*(\d+))?\s*$/.exec(text);
  if (!m) return 'Type a rank window like 101-500 (1-based, inclusive).';
  const from = m[2] === undefined ? 1 : parseInt(m[1], 10),
    to = parseInt(m[2] ?? m[1], 10);
  if (from < 1 || to < from) return 'The window needs 1 <= first <= last.';
  return { from, to };
}
