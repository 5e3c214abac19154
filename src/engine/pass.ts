/**
 * The streaming engine: one pass over the distance matrix in bounded memory, whatever N.
 *
 * Every figure the product shows is a sum over anchors of something computed from that anchor's
 * row of distances, so anchors go in blocks: a block's distance rows to all N samples are computed
 * once (distances.ts, blocked GEMM), indexed (each anchor's negatives sorted with prefix sums,
 * censusIndex.ts) in buffers reused from block to block, every per-anchor figure is read off that
 * block index, and the block is dropped. Memory is O(block x N) per worker, never O(N^2).
 *
 * The figures come from the very functions the in-memory index uses (countInto, marginTable,
 * smallestT, tHistogram, semihardPick), so a pass gives the same numbers as today's index, bit for
 * bit, at any N; and every chunk result adds exactly (integers, Shewchuk partials, top-K by a total
 * order), so any split of the anchors (blocks, workers, shard processes) gives the same result.
 */
import { anchorOf, indexBlock, indexContext, IndexStorage, type IndexContext, type IndexData } from './censusIndex';
import { countInto, emptyCensus, tHistogram } from './censusCount';
import { addCounts, addInto, partialsAdd, TopK, zeroCounts } from './censusMerge';
import type { CensusResult } from './censusTypes';
import { distanceRowsOf, prepareEmbeddings } from './distances';
import { marginTable, smallestTInto, checkMargins, TableScratch } from './marginTable';
import { batchHardLoss, hardestPair, semihardPick } from './mining';
import { nearestOf, retrievalOf } from './passNeighbours';
import type { ChunkResult, PassSpec, WorkerTotals } from './passTypes';
import { abortError, type EngineInput } from './types';

/** Checks a pass's options; throws a RangeError naming the bad one. */
export function checkSpec(spec: PassSpec): void {
  if (!Number.isFinite(spec.margin) || spec.margin < 0)
    throw new RangeError(`margin must be a finite number >= 0, got ${spec.margin}`);
  if (!(Number.isInteger(spec.topK) && spec.topK >= 0))
    throw new RangeError(`topK must be an integer >= 0, got ${spec.topK}`);
  if (!(Number.isInteger(spec.blockAnchors) && spec.blockAnchors >= 1))
    throw new RangeError(`blockAnchors must be a positive integer, got ${spec.blockAnchors}`);
  if (spec.indexAnchors !== undefined && !(Number.isInteger(spec.indexAnchors) && spec.indexAnchors >= 1))
    throw new RangeError(`indexAnchors must be a positive integer, got ${spec.indexAnchors}`);
  if (spec.table) {
    checkMargins(spec.table.margins);
    if (spec.table.margins.length === 0) throw new RangeError('margin table: no margins');
  }
  if (spec.knn && !(Number.isInteger(spec.knn.k) && spec.knn.k >= 1))
    throw new RangeError(`k must be a positive integer, got ${spec.knn.k}`);
}

/**
 * Runs chunks of one pass in one thread (a worker, or the CLI in process). Holds the prepared
 * embeddings, the reusable block buffers and the sums over samples that are not anchors.
 */
export class PassRunner {
  private readonly ctx: IndexContext;
  private readonly x: Float32Array;
  private readonly storage = new IndexStorage();
  private rows: Float32Array | undefined;
  private readonly tableScratch = new TableScratch();
  /** Accumulates per-sample sums as positive / negative and class pairs across chunks (its totals are unused). */
  private readonly acc: CensusResult;
  /**
   * The running chunk's own sums as positive / negative and class pairs, added to `acc` only when
   * the chunk ends: a chunk stopped half way (a foreground request) and redone must not count twice.
   */
  private readonly chunkSums:
    { violAsPositive: Float64Array; violAsNegative: Float64Array; classPairs: Float64Array } | undefined;
  /**
   * Without per-sample counts only the nearest negatives' ids are read (impostor, batch-hard, retrieval
   * up to the class size, kNN, the worst list's first triplets): sort the distances alone and find
   * those ids apart (indexBlock's `nearIds`); others are recovered if a reader goes further.
   */
  private readonly nearIds: number | undefined;

  /**
   * `prepared`: the embeddings already as the distance reads them (L2-normalised when
   * spec.distance.normalize; see prepareEmbeddings), e.g. one shared copy for every worker;
   * otherwise the runner prepares its own copy. `finiteChecked`: every coordinate is known to be
   * finite (the client checked it once), so each worker need not read all N x D again.
   */
  constructor(
    readonly input: EngineInput,
    readonly spec: PassSpec,
    prepared?: Float32Array,
    finiteChecked = false,
  ) {
    checkSpec(spec);
    this.ctx = indexContext(input, spec.distance, !finiteChecked);
    if (prepared && prepared.length < input.n * input.dim)
      throw new RangeError('pass: prepared embeddings do not match n x dim');
    this.x = prepared ?? prepareEmbeddings(input, spec.distance.normalize);
    this.acc = emptyCensus(input.n, input.classes, spec.margin, {
      perSample: spec.perSample,
      perAnchor: !spec.perSample,
      classPairs: spec.perSample,
    });
    if (spec.perSample) {
      const ps = this.acc.perSample!;
      this.chunkSums = {
        violAsPositive: new Float64Array(ps.violAsPositive.length),
        violAsNegative: new Float64Array(ps.violAsNegative.length),
        classPairs: new Float64Array(this.acc.classPairs.length),
      };
    }
    // Retrieval reads negative ids only on distance ties with a positive, so the class size need not be counted in.
    this.nearIds = spec.perSample ? undefined : knnWidth(spec, input.n) + spec.topK + 16;
  }

  /**
   * One chunk: anchors [start, end) or the ids given, in blocks of `spec.blockAnchors`.
   * `shouldStop` is polled between blocks and inside the census count (AbortError).
   */
  runChunk(anchors: Int32Array | { start: number; end: number }, shouldStop?: () => boolean): ChunkResult {
    const ids = anchors instanceof Int32Array ? anchors : rangeIds(anchors.start, anchors.end, this.input.n);
    const out = emptyChunk(ids, this.spec, this.input.n);
    if (this.chunkSums) for (const a of Object.values(this.chunkSums)) a.fill(0);
    const top = new TopK(this.spec.topK);
    const smallest = this.spec.table ? new TopK(this.spec.table.smallest) : undefined;
    const B = this.spec.blockAnchors,
      I = Math.max(1, Math.min(B, this.spec.indexAnchors ?? B)),
      n = this.input.n;
    for (let b = 0; b < ids.length; b += B) {
      if (shouldStop?.()) throw abortError();
      const block = ids.subarray(b, Math.min(ids.length, b + B));
      const rows = this.distances(block);
      for (let s = 0; s < block.length; s += I) {
        if (s > 0 && shouldStop?.()) throw abortError();
        const sub = block.subarray(s, Math.min(block.length, s + I));
        const idx = indexBlock(this.ctx, sub, rows.subarray(s * n, (s + sub.length) * n), this.storage, this.nearIds);
        this.countBlock(idx, b + s, out, top, shouldStop);
        if (smallest && this.spec.table)
          smallestTInto(idx, this.spec.table.margins[this.spec.table.margins.length - 1], smallest);
      }
    }
    out.worst = top.sorted();
    // As a per-part list would say: complete only when fewer than `smallest` were found and none was left out.
    if (smallest)
      out.smallest = { list: smallest.sorted(), truncated: smallest.dropped || smallest.size >= smallest.k };
    if (this.chunkSums) {
      const ps = this.acc.perSample!,
        c = this.chunkSums;
      addInto(ps.violAsPositive, c.violAsPositive);
      addInto(ps.violAsNegative, c.violAsNegative);
      addInto(this.acc.classPairs, c.classPairs);
    }
    return out;
  }

  /** The sums over samples that are not anchors (call after the last chunk). */
  totals(): WorkerTotals {
    const ps = this.acc.perSample;
    return {
      violAsPositive: ps ? ps.violAsPositive : new Float64Array(0),
      violAsNegative: ps ? ps.violAsNegative : new Float64Array(0),
      classPairs: this.acc.classPairs,
    };
  }

  /** Distance rows of the block (a view of a reused buffer, valid until the next block). */
  private distances(block: Int32Array): Float32Array {
    const n = this.input.n;
    if (!this.rows || this.rows.length < block.length * n) this.rows = new Float32Array(this.spec.blockAnchors * n);
    return distanceRowsOf(this.x, n, this.input.dim, block, this.spec.distance.distance, this.rows);
  }

  /** Every per-anchor figure of one block (its anchors are out.anchors[at .. at + block)). */
  private countBlock(idx: IndexData, at: number, out: ChunkResult, top: TopK, shouldStop?: () => boolean): void {
    const spec = this.spec,
      A = idx.anchorEnd - idx.anchorStart;
    // The census: totals of this chunk, per-anchor values into the shared per-sample arrays.
    const r: CensusResult = {
      ...this.acc,
      triplets: 0,
      pml: zeroCounts(),
      facenet: zeroCounts(),
      nonZero: 0,
      lossSumPartials: [],
      worst: [],
    };
    if (this.chunkSums) {
      r.perSample = {
        ...this.acc.perSample!,
        violAsPositive: this.chunkSums.violAsPositive,
        violAsNegative: this.chunkSums.violAsNegative,
      };
      r.classPairs = this.chunkSums.classPairs;
    }
    countInto(r, top, idx, spec.margin, {
      perSample: spec.perSample,
      perAnchor: !spec.perSample,
      classPairs: spec.perSample,
      shouldStop,
    });
    addTotals(out, r);
    const perAnchor = spec.perSample ? this.acc.perSample! : this.acc.perAnchor!;
    for (let i = 0; i < A; i++) {
      const a = anchorOf(idx, i),
        o = at + i;
      out.violAsAnchor[o] = perAnchor.violAsAnchor[a];
      out.lossAsAnchor[o] = perAnchor.lossAsAnchor[a];
      out.nearestImpostor[o] = this.acc.nearestImpostor[a];
      out.nearestImpostorDist[o] = this.acc.nearestImpostorDist[a];
      this.anchorFacts(idx, i, o, out);
    }
    if (spec.table) {
      const t = marginTable(idx, spec.table.margins, idx.anchorStart, idx.anchorEnd, shouldStop, this.tableScratch);
      const ct = out.table!,
        K = spec.table.margins.length;
      ct.triplets += t.triplets;
      ct.hard += t.hard;
      ct.hardStrict += t.hardStrict;
      for (let k = 0; k < K; k++) {
        ct.violating[k] += t.violating[k];
        ct.violatingStrict[k] += t.violatingStrict[k];
        for (const p of t.lossPartials[k]) partialsAdd(ct.lossPartials[k], p);
      }
      ct.violAsAnchor.set(t.violAsAnchor, at * K);
      ct.lossAsAnchor.set(t.lossAsAnchor, at * K);
    }
    if (spec.edges) {
      const h = tHistogram(idx, spec.edges);
      for (let e = 0; e < h.length; e++) out.histogram![e] += h[e];
    }
  }

  /** Margin-independent facts of local anchor i: hard count, batch-hard pair, semi-hard, neighbours. */
  private anchorFacts(idx: IndexData, i: number, o: number, out: ChunkResult): void {
    const spec = this.spec,
      a = anchorOf(idx, i);
    const p0 = idx.posOff[i],
      p1 = idx.posOff[i + 1];
    let hard = 0;
    for (let q = p0; q < p1; q++) hard += idx.hardLE[q];
    out.hardAsAnchor[o] = hard;
    const pair = hardestPair(idx, i);
    if (pair) {
      const { dap, dan } = pair;
      out.hardestPositive[o] = pair.positive;
      out.hardestNegative[o] = pair.negative;
      out.dap[o] = dap;
      out.dan[o] = dan;
      const hinge = batchHardLoss(spec.margin, dap, dan, false),
        soft = batchHardLoss(spec.margin, dap, dan, true);
      partialsAdd(out.batchHard.partials, hinge.loss);
      partialsAdd(out.batchHard.softPartials, soft.loss);
      out.batchHard.valid++;
      if (hinge.violating) out.batchHard.violating++;
    }
    if (spec.semihard && out.semihard) {
      const sh = out.semihard;
      sh.pairs += p1 - p0;
      for (let q = p0; q < p1; q++) {
        const pick = semihardPick(idx, i, q);
        if (!pick) continue;
        if (pick.fallback) sh.fallbacks++;
        partialsAdd(sh.partials, Math.max(0, spec.margin + idx.posDist[q] - pick.dan));
        sh.counted++;
      }
    }
    if (out.retrieval) {
      const v = retrievalOf(idx, i);
      out.retrieval.precisionAt1[o] = v.p1;
      out.retrieval.rPrecision[o] = v.rp;
      out.retrieval.apAtR[o] = v.ap;
    }
    if (out.knn)
      nearestOf(idx, i, a, out.knn.k, spec.knn!.includeSelf, out.knn.indices, out.knn.distances, o * out.knn.k);
  }
}

/** Neighbours per row a pass returns: k clamped as exactKnn clamps it. */
export function knnWidth(spec: PassSpec, n: number): number {
  return spec.knn ? Math.max(0, Math.min(spec.knn.k, spec.knn.includeSelf ? n : n - 1)) : 0;
}

function rangeIds(start: number, end: number, n: number): Int32Array {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= n))
    throw new RangeError(`bad anchor range [${start}, ${end}) for n = ${n}`);
  const ids = new Int32Array(end - start);
  for (let i = 0; i < ids.length; i++) ids[i] = start + i;
  return ids;
}

/** Adds a block's census totals to the chunk's. */
function addTotals(out: ChunkResult, r: CensusResult): void {
  const c = out.census;
  c.triplets += r.triplets;
  c.nonZero += r.nonZero;
  c.pml = addCounts(c.pml, r.pml);
  c.facenet = addCounts(c.facenet, r.facenet);
  for (const p of r.lossSumPartials) partialsAdd(c.lossSumPartials, p);
}

/** A chunk result with nothing counted yet, shaped by the spec. */
export function emptyChunk(anchors: Int32Array, spec: PassSpec, n: number): ChunkResult {
  const A = anchors.length,
    K = spec.table?.margins.length ?? 0;
  const nn = knnWidth(spec, n);
  return {
    anchors: Int32Array.from(anchors),
    census: { triplets: 0, pml: zeroCounts(), facenet: zeroCounts(), nonZero: 0, lossSumPartials: [] },
    violAsAnchor: new Float64Array(A),
    lossAsAnchor: new Float64Array(A),
    hardAsAnchor: new Float64Array(A),
    nearestImpostor: new Int32Array(A).fill(-1),
    nearestImpostorDist: new Float32Array(A).fill(NaN),
    hardestPositive: new Int32Array(A).fill(-1),
    hardestNegative: new Int32Array(A).fill(-1),
    dap: new Float32Array(A).fill(NaN),
    dan: new Float32Array(A).fill(NaN),
    batchHard: { partials: [], softPartials: [], valid: 0, violating: 0 },
    worst: [],
    table: spec.table
      ? {
          triplets: 0,
          hard: 0,
          hardStrict: 0,
          violating: new Float64Array(K),
          violatingStrict: new Float64Array(K),
          lossPartials: Array.from({ length: K }, () => []),
          violAsAnchor: new Uint32Array(A * K),
          lossAsAnchor: new Float32Array(A * K),
        }
      : undefined,
    histogram: spec.edges ? new Float64Array(spec.edges.length - 1) : undefined,
    retrieval: spec.retrieval
      ? {
          precisionAt1: new Float64Array(A).fill(NaN),
          rPrecision: new Float64Array(A).fill(NaN),
          apAtR: new Float64Array(A).fill(NaN),
        }
      : undefined,
    knn: spec.knn ? { k: nn, indices: new Int32Array(A * nn), distances: new Float32Array(A * nn) } : undefined,
    semihard: spec.semihard ? { pairs: 0, counted: 0, fallbacks: 0, partials: [] } : undefined,
  };
}
