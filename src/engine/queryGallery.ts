/**
 * Query / gallery retrieval with the Market-1501 protocol (person re-identification, face
 * identification), following torchreid's `eval_market1501` (torchreid/metrics/rank.py,
 * KaiyangZhou/deep-person-reid). Identity = the sample's label; camera = an optional column.
 *
 * Per query (torchreid's steps):
 * 1. the gallery is ordered by distance, ascending: the float32 values of `distanceRowsOf` (the
 *    session's distance and normalisation). Ties in distance are ordered by gallery position,
 *    which is the dataset's row order (torchreid's `np.argsort` is not stable, so its tie order is
 *    unspecified; ours is deterministic);
 * 2. gallery items with the query's identity AND the query's camera are removed ("junk"). Without
 *    a camera column nothing is removed, except that a query is never matched against its own row
 *    (only possible when the query and gallery values are the same, a leave-one-out evaluation);
 * 3. a match = a kept gallery item with the query's identity. A query with no match left is
 *    skipped (torchreid: "query identity does not appear in gallery") and the number of valid
 *    queries is reported;
 * 4. CMC@k = share of valid queries whose first match is at rank <= k (ranks 1-based among the
 *    kept items); AP = (1/M) * sum over the M matches of (matches up to it) / (its rank), the mean
 *    of the precision at each correct rank; mAP = the mean AP over valid queries.
 * torchreid casts the per-query CMC rows to float32 before averaging; we count first-match ranks
 * as integers and divide once (differences below 1e-7).
 *
 * Cost: per query the distance row to the gallery (blocked GEMM, `distances.ts`) plus one scan of
 * it; the gallery is never sorted, only the query's M matches are, and each other item closer than
 * the last match is placed among them by binary search. Memory: one block of query rows x
 * (queries + gallery) float32 at a time (about 16 MB), never a Q x G matrix.
 */
import { distanceRowsOf, normalizeRowsInPlace, releaseKernelMemory } from './distances';
import { blockRowsFor } from './knn';
import { throwIfAborted } from './types';
import type { DistanceOptions, EngineInput, Progress } from './types';

/** Which rows are queries and gallery items, and each row's camera. */
export interface QueryGallerySpec {
  /** Dataset rows of the queries, ascending. */
  queries: Int32Array;
  /** Dataset rows of the gallery, ascending (gallery position = index in this array). */
  gallery: Int32Array;
  /** Camera id per dataset row (length n); absent without a camera column. */
  cameras?: Int32Array;
}

/** Per-query values for the queries at positions [start, end) of `spec.queries`. */
export interface QueryGalleryRows {
  start: number;
  end: number;
  /** 1-based rank of the first match among the kept gallery items; 0 for a skipped query (no match). */
  firstMatch: Int32Array;
  /** Average precision; NaN for a skipped query. */
  ap: Float64Array;
}

/** The metrics over every query. */
export interface QueryGalleryResult {
  queries: number;
  gallery: number;
  /** Queries with at least one match left after removing junk (the ones averaged). */
  validQueries: number;
  /** CMC at ranks 1, 5 and 10 (0..1). */
  rank1: number;
  rank5: number;
  rank10: number;
  /** Mean average precision (0..1). */
  mAP: number;
  /** Whether a camera column was used (same identity and camera removed). */
  cameras: boolean;
}

/** The protocol in one line, as the sidebar and the CLI state it. */
export function queryGalleryProtocol(cameras: boolean): string {
  return cameras
    ? 'Market-1501 protocol (torchreid eval_market1501): each query ranked against the gallery, gallery items with the same identity and camera removed'
    : 'Market-1501 protocol (torchreid eval_market1501) without cameras: each query ranked against the gallery, nothing removed but the query itself';
}

/**
 * Per-query first-match rank and AP for the query positions in `range` (all by default).
 * Splitting the queries across workers and concatenating gives the same values as one call.
 */
export async function queryGalleryRows(
  input: EngineInput,
  spec: QueryGallerySpec,
  opts: DistanceOptions,
  range?: { start: number; end: number },
  progress?: Progress,
): Promise<QueryGalleryRows> {
  const { n, dim, labels } = input;
  const { queries, gallery, cameras } = spec;
  const start = range?.start ?? 0,
    end = range?.end ?? queries.length;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= queries.length && start <= end)) {
    throw new RangeError(`bad query range [${start}, ${end}) for ${queries.length} queries`);
  }
  for (const a of [queries, gallery])
    for (let i = 0; i < a.length; i++)
      if (!(a[i] >= 0 && a[i] < n)) throw new RangeError(`bad row ${a[i]} for n = ${n}`);
  if (cameras && cameras.length !== n) throw new RangeError(`cameras: expected ${n} values, got ${cameras.length}`);
  const firstMatch = new Int32Array(end - start);
  const ap = new Float64Array(end - start).fill(NaN);
  if (end === start || gallery.length === 0) return { start, end, firstMatch, ap };

  // The rows distances are measured between: every row that is a query or a gallery item, once, in
  // dataset order. Usually that is every row (the split column has no third value): the
  // embeddings are then read in place (the client passes them already normalised, shared by its
  // workers); otherwise those rows are copied.
  const col = new Int32Array(n).fill(-1);
  for (const a of [queries, gallery]) for (let i = 0; i < a.length; i++) col[a[i]] = 0;
  let m = 0;
  for (let r = 0; r < n; r++) if (col[r] === 0) col[r] = m++;
  let x: Float32Array;
  if (m === n && !opts.normalize) x = input.embeddings.subarray(0, n * dim);
  else {
    x = new Float32Array(m * dim);
    for (let r = 0; r < n; r++) if (col[r] >= 0) x.set(input.embeddings.subarray(r * dim, (r + 1) * dim), col[r] * dim);
    if (opts.normalize) normalizeRowsInPlace(x, m, dim);
  }
  const gCol = Int32Array.from(gallery, (r) => col[r]);
  const gLabel = Int32Array.from(gallery, (r) => labels[r]);
  const gCam = cameras ? Int32Array.from(gallery, (r) => cameras[r]) : undefined;

  const scorer = new QueryScorer(gallery.length, gCol, gLabel, gCam);
  const step = blockRowsFor(m);
  const buf = new Float32Array(Math.min(step, end - start) * m);
  try {
    for (let q0 = start; q0 < end; q0 += step) {
      throwIfAborted(progress);
      const q1 = Math.min(end, q0 + step);
      const ids = Int32Array.from({ length: q1 - q0 }, (_, i) => col[queries[q0 + i]]);
      const block = distanceRowsOf(x, m, dim, ids, opts.distance, buf.subarray(0, (q1 - q0) * m));
      for (let q = q0; q < q1; q++) {
        const row = queries[q];
        const s = scorer.score(block, (q - q0) * m, col[row], labels[row], cameras ? cameras[row] : -1);
        if (s) {
          firstMatch[q - start] = s.first;
          ap[q - start] = s.ap;
        }
      }
      progress?.onProgress?.((q1 - start) / (end - start), 'query / gallery retrieval');
      if (q1 < end) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    throwIfAborted(progress);
  } finally {
    releaseKernelMemory(); // the GEMM operand of these rows: no later request needs it
  }
  return { start, end, firstMatch, ap };
}

/** Scores one query's distance row; reuses its buffers across queries. */
class QueryScorer {
  /** The query's matches (gallery positions), sorted by (distance, position), and their distances. */
  private readonly matchPos: Int32Array;
  private readonly matchD: Float64Array;
  /** before[k]: non-matches ordered between match k - 1 and match k. */
  private readonly before: Int32Array;

  constructor(
    private readonly G: number,
    private readonly gCol: Int32Array,
    private readonly gLabel: Int32Array,
    private readonly gCam: Int32Array | undefined,
  ) {
    this.matchPos = new Int32Array(G);
    this.matchD = new Float64Array(G);
    this.before = new Int32Array(G + 1);
  }

  /**
   * First-match rank (1-based) and AP of the query whose distances to the rows are
   * row[off + column]; undefined when no match is left (a skipped query).
   */
  score(
    row: Float32Array,
    off: number,
    self: number,
    label: number,
    cam: number,
  ): { first: number; ap: number } | undefined {
    const { G, gCol, gLabel, gCam, matchD, before } = this;
    // Matches: same identity, another camera (or no cameras), not the query's own row.
    let M = 0;
    for (let g = 0; g < G; g++) {
      if (gLabel[g] !== label || gCol[g] === self || (gCam && gCam[g] === cam)) continue;
      this.matchPos[M++] = g;
    }
    if (M === 0) return undefined;
    const mp = this.matchPos.subarray(0, M);
    mp.sort((a, b) => row[off + gCol[a]] - row[off + gCol[b]] || a - b);
    for (let k = 0; k < M; k++) matchD[k] = row[off + gCol[mp[k]]];
    const lastD = matchD[M - 1],
      lastG = mp[M - 1];
    before.fill(0, 0, M + 1);
    // Each non-match (another identity) ordered before the last match, placed among the matches by
    // binary search; same-identity items are matches, junk or the query itself, never counted.
    for (let g = 0; g < G; g++) {
      if (gLabel[g] === label) continue;
      const d = row[off + gCol[g]];
      if (d > lastD || (d === lastD && g > lastG)) continue;
      let lo = 0,
        hi = M;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (matchD[mid] < d || (matchD[mid] === d && mp[mid] < g)) lo = mid + 1;
        else hi = mid;
      }
      before[lo]++;
    }
    // Match k (0-based) sits at rank k + 1 + (non-matches before it); precision there = (k + 1) / rank.
    let others = before[0],
      sum = 0;
    const first = 1 + others;
    for (let k = 0; k < M; k++) {
      if (k > 0) others += before[k];
      sum += (k + 1) / (k + 1 + others);
    }
    return { first, ap: sum / M };
  }
}

/**
 * Reduces per-query parts (any split of the queries, in any order) to the metrics; sums run in
 * query order, so the result does not depend on the split.
 */
export function summarizeQueryGallery(spec: QueryGallerySpec, parts: QueryGalleryRows[]): QueryGalleryResult {
  const Q = spec.queries.length;
  const first = new Int32Array(Q),
    ap = new Float64Array(Q),
    covered = new Uint8Array(Q);
  for (const p of parts) {
    for (let q = p.start; q < p.end; q++) {
      if (covered[q]) throw new RangeError(`query / gallery parts overlap at query ${q}`);
      covered[q] = 1;
    }
    first.set(p.firstMatch, p.start);
    ap.set(p.ap, p.start);
  }
  if (covered.indexOf(0) !== -1) throw new RangeError(`query / gallery parts miss query ${covered.indexOf(0)}`);
  let valid = 0,
    r1 = 0,
    r5 = 0,
    r10 = 0,
    apSum = 0;
  for (let q = 0; q < Q; q++) {
    const f = first[q];
    if (f === 0) continue;
    valid++;
    if (f <= 1) r1++;
    if (f <= 5) r5++;
    if (f <= 10) r10++;
    apSum += ap[q];
  }
  const mean = (s: number) => (valid ? s / valid : 0);
  return {
    queries: Q,
    gallery: spec.gallery.length,
    validQueries: valid,
    rank1: mean(r1),
    rank5: mean(r5),
    rank10: mean(r10),
    mAP: mean(apSum),
    cameras: !!spec.cameras,
  };
}

/** The metrics of every query (one call; the client splits the queries across workers). */
export async function queryGalleryMetrics(
  input: EngineInput,
  spec: QueryGallerySpec,
  opts: DistanceOptions,
  progress?: Progress,
): Promise<QueryGalleryResult> {
  return summarizeQueryGallery(spec, [await queryGalleryRows(input, spec, opts, undefined, progress)]);
}
