/**
 * Approximate k-nearest neighbours by NN-descent (Dong, Moses & Li 2011) seeded with a
 * random-projection forest, in the style of pynndescent (`pynndescent_.py`: `init_rp_tree`,
 * `init_random`, `new_build_candidates`, `nn_descent_internal`), which umap-learn uses. The
 * engine's exact kNN is O(n^2 dim): minutes at n = 100 000; this is about O(n k^2 dim) per
 * iteration and converges in a handful of iterations.
 *
 * Single-threaded, so unlike pynndescent's parallel version an update lands in the graph the
 * moment it is found (later joins of the same iteration already see the smaller thresholds).
 * Everything lives in flat typed arrays: per point a bounded max-heap of its k - 1 nearest others
 * found so far (squared distance, index, "new" flag), candidate lists sampled by reservoir, and a
 * stamp array instead of Sets for de-duplication. Memory: O(n (k + maxCandidates)) plus the data
 * (and a normalised copy of it with `normalize`). (Reordering a copy of the rows by the first
 * tree's leaves, so a join reads nearby memory, was measured: no faster at n = 100 000 x 128, the
 * distance arithmetic dominates, so the rows are read where they are.)
 *
 * Output is the `KnnTable` umap.ts builds from the exact search: each row the point itself at
 * distance 0, then its neighbours by ascending Euclidean distance (float64, rounded once to
 * float32), ties by smaller index. Seeded: the same data, k, options and seed give the same bytes.
 * Pure: no `vscode`, no DOM, no tfjs.
 */
import { throwIfAborted, type Progress } from '../engine/types';
import type { KnnTable } from './fuzzyGraph';
import { seededRandom } from './random';
import { defaultTrees, RpTreeScratch, rpTreeLeaves } from './rpTrees';

/** The progress message while the search runs. */
export const NN_DESCENT_MESSAGE = 'approximate k-nearest neighbours (NN-descent)';

/** Options of `nnDescent`; defaults in brackets. */
export interface NnDescentOptions {
  /** Seed of every random choice (tree splits, candidate samples) [42]. */
  seed?: number;
  /** L2-normalise rows first, exactly as the engine's prepareEmbeddings does [false]. */
  normalize?: boolean;
  /** Random-projection trees for the initial graph [pynndescent's max(3, min(12, round(2 log10 n)))]. */
  nTrees?: number;
  /** Largest leaf of those trees (all pairs of a leaf are compared) [max(k, 30)]. */
  leafSize?: number;
  /**
   * New (and old) candidates sampled per point per iteration [4k, at most 60: 60 at k = 15, as
   * umap-learn]. Measured at n = 100 000 x 128, k = 15 (recall, distances computed): 30 gives
   * 0.926 / 79 M on overlapping classes and 0.847 / 97 M on 1 000 Gaussian classes, 45 gives
   * 0.950 / 92 M and 0.861 / 110 M, 60 gives 0.962 / 101 M and 0.872 / 119 M (pynndescent as
   * umap-learn runs it: 0.963 and 0.852). At 1 000 000 overlapping points 45 gives 0.64, 60 gives
   * 0.67 in the same time (pynndescent: 0.71, with 10x the memory).
   */
  maxCandidates?: number;
  /** At most this many NN-descent iterations [pynndescent's max(5, round(log2 n))]. */
  nIters?: number;
  /** Stop when an iteration changes fewer than delta * k * n heap entries [0.001, as pynndescent]. */
  delta?: number;
}

/** Marks an empty heap slot: above every index, so at distance Infinity it still sorts after any real neighbour. */
const EMPTY = 0x7fffffff;
/** Share of the progress bar given to the forest. */
const FOREST_SHARE = 0.25;
/** Dimensions summed between two checks of the early exit in `sqDist`. */
const CHUNK = 32;

/**
 * The k nearest neighbours of every row of x (row-major n x dim), the point itself included
 * first (k is clamped to n). Approximate: see the file comment. Reports progress in 0..1 with
 * `NN_DESCENT_MESSAGE`, and stops with an AbortError between trees and between blocks of points
 * when the signal fires.
 */
export async function nnDescent(
  x: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts: NnDescentOptions = {},
  progress?: Progress,
): Promise<KnnTable> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (!Number.isInteger(n) || !Number.isInteger(dim) || n < 0 || dim < 1 || x.length < n * dim) {
    throw new RangeError(`bad nnDescent input: n = ${n}, dim = ${dim}, ${x.length} values`);
  }
  const kk = Math.min(k, n);
  const random = seededRandom(opts.seed ?? 42);
  const nTrees = Math.max(1, opts.nTrees ?? defaultTrees(n));
  // A leaf must be able to hold a whole neighbourhood, so tiny inputs are one leaf: exact.
  const leafSize = Math.max(opts.leafSize ?? 30, kk);
  const maxCandidates = opts.maxCandidates ?? Math.min(60, 4 * kk);
  const nIters = opts.nIters ?? Math.max(5, Math.round(Math.log2(Math.max(2, n))));
  const delta = opts.delta ?? 0.001;
  throwIfAborted(progress);
  const data = opts.normalize ? normalizedCopy(x, n, dim) : x;
  const g = new NeighbourGraph(data, n, dim, kk - 1);
  const ticker = new Ticker(progress);
  if (kk > 1) {
    const scratch = new RpTreeScratch(n, dim);
    for (let t = 0; t < nTrees; t++) {
      let leaves = 0;
      for (const [start, end] of rpTreeLeaves(data, n, dim, leafSize, random, scratch)) {
        g.joinLeaf(scratch.perm, start, end);
        // A tree takes seconds at n = 1 000 000: check in within it too.
        if (++leaves % 2048 === 0) await ticker.tick((FOREST_SHARE * (t + end / n)) / nTrees);
      }
      await ticker.tick((FOREST_SHARE * (t + 1)) / nTrees);
    }
    g.fillEmpty(random);
    const cand = new Candidates(n, maxCandidates);
    for (let it = 0; it < nIters; it++) {
      cand.sample(g, random);
      let changes = 0;
      for (let i0 = 0; i0 < n; i0 += 4096) {
        const i1 = Math.min(n, i0 + 4096);
        for (let i = i0; i < i1; i++) changes += cand.join(g, i);
        await ticker.tick(FOREST_SHARE + ((1 - FOREST_SHARE) * (it + i1 / n)) / nIters);
      }
      if (changes <= delta * kk * n) break;
    }
  }
  const table = g.toTable();
  progress?.onProgress?.(1, NN_DESCENT_MESSAGE);
  return table;
}

/**
 * Per point a bounded max-heap of its nearest others found so far, keyed on (squared distance,
 * index) so ties resolve as in the exact table, with a flag telling whether the entry arrived
 * since the point's last local join ("new" in NN-descent).
 */
class NeighbourGraph {
  readonly idx: Int32Array;
  /** Squared distances, rounded to float32; [p * m] is the heap top, p's current threshold. */
  readonly dist: Float32Array;
  readonly isNew: Uint8Array;
  /**
   * top[p] === dist[p * m], p's threshold, kept apart because every comparison reads two of
   * them: n floats stay in cache where the heaps (m times larger) do not.
   */
  private readonly top: Float32Array;

  constructor(
    readonly x: Float32Array,
    readonly n: number,
    readonly dim: number,
    readonly m: number,
  ) {
    this.idx = new Int32Array(n * m).fill(EMPTY);
    this.dist = new Float32Array(n * m).fill(Infinity);
    this.isNew = new Uint8Array(n * m);
    this.top = new Float32Array(n).fill(Infinity);
  }

  /** Compares p and q and offers each to the other's heap; returns how many heaps changed. */
  pair(p: number, q: number): number {
    const top = this.top;
    const tp = top[p],
      tq = top[q];
    const bound = tp > tq ? tp : tq;
    const d = sqDist(this.x, p * this.dim, q * this.dim, this.dim, bound);
    if (d > bound) return 0;
    const f = Math.fround(d);
    return this.push(p, q, f) + this.push(q, p, f);
  }

  /** All pairs of a tree leaf, perm[start..end). */
  joinLeaf(perm: Int32Array, start: number, end: number): void {
    for (let a = start; a < end; a++) {
      const p = perm[a];
      for (let b = a + 1; b < end; b++) this.pair(p, perm[b]);
    }
  }

  /** Puts q (at squared distance d) into p's heap when it beats the top and is not there yet; 1 if it did. */
  push(p: number, q: number, d: number): number {
    const m = this.m,
      idx = this.idx,
      dist = this.dist,
      o = p * m;
    if (d !== d) d = Infinity; // NaN rows: keep the order total so the heaps stay consistent
    if (!(d < dist[o] || (d === dist[o] && q < idx[o]))) return 0;
    for (let t = 0; t < m; t++) if (idx[o + t] === q) return 0;
    // Sift (d, q) down from the root, replacing the old top.
    let c = 0;
    for (;;) {
      let child = 2 * c + 1;
      if (child >= m) break;
      const dl = dist[o + child],
        dr = child + 1 < m ? dist[o + child + 1] : -1;
      if (dr > dl || (dr === dl && idx[o + child + 1] > idx[o + child])) child++;
      const dc = dist[o + child];
      if (dc < d || (dc === d && idx[o + child] < q)) break;
      idx[o + c] = idx[o + child];
      dist[o + c] = dc;
      this.isNew[o + c] = this.isNew[o + child];
      c = child;
    }
    idx[o + c] = q;
    dist[o + c] = d;
    this.isNew[o + c] = 1;
    this.top[p] = dist[o];
    return 1;
  }

  /**
   * Rows the forest left incomplete (points in leaves smaller than k) get random others, as
   * pynndescent's `init_random`, then a sweep so no slot stays empty whatever the draws.
   */
  fillEmpty(random: () => number): void {
    const { n, m, idx } = this;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let tries = 0; idx[o] === EMPTY && tries < 2 * m; tries++) {
        const j = Math.floor(random() * n);
        if (j !== i) this.push(i, j, this.distance(i, j));
      }
      for (let s = 1; idx[o] === EMPTY && s < n; s++) {
        const j = (i + s) % n;
        this.push(i, j, this.distance(i, j));
      }
    }
  }

  private distance(p: number, q: number): number {
    return Math.fround(sqDist(this.x, p * this.dim, q * this.dim, this.dim, Infinity));
  }

  /** The table: self first, then the heap's entries by (Euclidean distance, index). */
  toTable(): KnnTable {
    const { x, n, dim, m, idx } = this;
    const k = m + 1;
    const indices = new Int32Array(n * k);
    const distances = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      indices[o] = i;
      for (let t = 0; t < m; t++) {
        const j = idx[i * m + t];
        // One float64 sum in dimension order, as the exact path's canonical distances, rounded once.
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const v = x[i * dim + d] - x[j * dim + d];
          s += v * v;
        }
        // Insertion into the sorted row (k is small); the point itself stays first.
        const dv = Math.fround(Math.sqrt(s));
        let b = o + t;
        while (b > o && (distances[b] > dv || (distances[b] === dv && indices[b] > j))) {
          distances[b + 1] = distances[b];
          indices[b + 1] = indices[b];
          b--;
        }
        distances[b + 1] = dv;
        indices[b + 1] = j;
      }
    }
    return { k, indices, distances };
  }
}

/**
 * The candidate lists of one iteration: per point up to `c` new and `c` old neighbours, forward
 * (its own heap entries) and reverse (points whose heap holds it), each a uniform reservoir sample
 * of what was offered, as pynndescent's random-priority heaps are.
 */
class Candidates {
  private readonly newList: Int32Array;
  private readonly oldList: Int32Array;
  private readonly newSeen: Int32Array;
  private readonly oldSeen: Int32Array;
  /** stamp[v] === the current stamp: v is already in the list being built (no Set per point). */
  private readonly stamp: Int32Array;
  private stampId = 0;
  private readonly newBuf: Int32Array;
  private readonly oldBuf: Int32Array;

  constructor(
    private readonly n: number,
    private readonly c: number,
  ) {
    this.newList = new Int32Array(n * c);
    this.oldList = new Int32Array(n * c);
    this.newSeen = new Int32Array(n);
    this.oldSeen = new Int32Array(n);
    this.stamp = new Int32Array(n);
    this.newBuf = new Int32Array(c);
    this.oldBuf = new Int32Array(c);
  }

  /** Samples this iteration's candidates from the graph and marks the sampled new entries old. */
  sample(g: NeighbourGraph, random: () => number): void {
    const { n, c } = this;
    const { m, idx, isNew } = g;
    this.newSeen.fill(0);
    this.oldSeen.fill(0);
    for (let i = 0; i < n; i++) {
      for (let t = i * m, end = t + m; t < end; t++) {
        const j = idx[t];
        if (isNew[t]) {
          offer(this.newList, this.newSeen, c, i, j, random);
          offer(this.newList, this.newSeen, c, j, i, random);
        } else {
          offer(this.oldList, this.oldSeen, c, i, j, random);
          offer(this.oldList, this.oldSeen, c, j, i, random);
        }
      }
    }
    // An entry that made it into its point's new list will be joined now: from then on it is old.
    // Entries left out stay new and get their chance next iteration.
    for (let i = 0; i < n; i++) {
      const s = this.nextStamp();
      const cnt = Math.min(c, this.newSeen[i]);
      for (let a = 0; a < cnt; a++) this.stamp[this.newList[i * c + a]] = s;
      for (let t = i * m, end = t + m; t < end; t++) if (isNew[t] && this.stamp[idx[t]] === s) isNew[t] = 0;
    }
  }

  /** The local join around point i: every new candidate against the other new ones and the old ones. */
  join(g: NeighbourGraph, i: number): number {
    const c = this.c,
      stamp = this.stamp,
      s = this.nextStamp();
    const nb = this.newBuf,
      ob = this.oldBuf;
    // De-duplicated copies (a point offered forward and reverse can be sampled twice).
    let nn = 0,
      no = 0;
    for (let a = 0, cnt = Math.min(c, this.newSeen[i]); a < cnt; a++) {
      const v = this.newList[i * c + a];
      if (stamp[v] !== s) {
        stamp[v] = s;
        nb[nn++] = v;
      }
    }
    for (let a = 0, cnt = Math.min(c, this.oldSeen[i]); a < cnt; a++) {
      const v = this.oldList[i * c + a];
      if (stamp[v] !== s) {
        stamp[v] = s;
        ob[no++] = v;
      }
    }
    let changes = 0;
    for (let a = 0; a < nn; a++) {
      const p = nb[a];
      for (let b = a + 1; b < nn; b++) changes += g.pair(p, nb[b]);
      for (let b = 0; b < no; b++) changes += g.pair(p, ob[b]);
    }
    return changes;
  }

  private nextStamp(): number {
    if (this.stampId === 0x7fffffff) {
      this.stamp.fill(0);
      this.stampId = 0;
    }
    return ++this.stampId;
  }
}

/** Reservoir sampling: after t offers, list[o..o+c) is a uniform sample of min(c, t) of them. */
function offer(list: Int32Array, seen: Int32Array, c: number, owner: number, v: number, random: () => number): void {
  const t = seen[owner]++;
  if (t < c) list[owner * c + t] = v;
  else {
    const r = Math.floor(random() * (t + 1));
    if (r < c) list[owner * c + r] = v;
  }
}

/**
 * Squared Euclidean distance between rows at offsets a and b, four partial sums (unrolled by 4).
 * Returns Infinity once a partial sum exceeds `bound` (the pair cannot enter either heap); the
 * value returned otherwise does not depend on `bound`. Most compared pairs are rejected, but on
 * high-dimensional overlapping data the partial sums cross the bound late (at D = 128 about 4 %
 * of the arithmetic is saved); on separated clusters far more. The checks cost little either way.
 */
function sqDist(x: Float32Array, a: number, b: number, dim: number, bound: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const dim4 = dim - (dim & 3);
  let d = 0;
  while (d < dim4) {
    const stop = Math.min(dim4, d + CHUNK);
    for (; d < stop; d += 4) {
      const t0 = x[a + d] - x[b + d];
      const t1 = x[a + d + 1] - x[b + d + 1];
      const t2 = x[a + d + 2] - x[b + d + 2];
      const t3 = x[a + d + 3] - x[b + d + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    if (s0 + s1 + (s2 + s3) > bound) return Infinity;
  }
  for (; d < dim; d++) {
    const t = x[a + d] - x[b + d];
    s0 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}

/** A copy of x with unit rows, rounded as the engine's `prepareEmbeddings` rounds (zero rows stay zero). */
function normalizedCopy(x: Float32Array, n: number, dim: number): Float32Array {
  const out = Float32Array.from(x.subarray(0, n * dim));
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += out[o + k] * out[o + k];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[o + k] *= inv;
  }
  return out;
}

/** Progress and cancellation between blocks; yields to the event loop now and then so an in-process abort can arrive.
 */
class Ticker {
  private last = Date.now();

  constructor(private readonly progress?: Progress) {}

  async tick(fraction: number): Promise<void> {
    throwIfAborted(this.progress);
    this.progress?.onProgress?.(fraction, NN_DESCENT_MESSAGE);
    if (this.progress?.signal && Date.now() - this.last > 50) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.last = Date.now();
      throwIfAborted(this.progress);
    }
  }
}
