/**
 * Joins the chunks of a pass (any split of the anchors, any order, any number of workers or shard
 * processes) into one result, exactly: counts are integer sums, loss sums exact Shewchuk partials
 * rounded once, lists re-selected by the engine's total order, per-anchor values copied from the
 * one chunk that owns the anchor. Two accumulators over disjoint anchors merge the same way, so
 * `merge` of shard files gives what one process gives, bit for bit.
 */
import { addInto, checkInvariant, partialsAdd, partialsRound, TopK } from './censusMerge';
import type { CensusResult, WorstTriplet } from './censusTypes';
import { batchHardLoss, type BatchHardResult } from './mining';
import type { KnnResult } from './knn';
import { knnWidth } from './pass';
import type { ChunkResult, PassSpec, TableTotals, WorkerTotals } from './passTypes';
import { summarizeRetrievalArrays, type RetrievalResult } from './retrieval';

/** The margin table of a pass: totals at every position, optional per-anchor columns, class sums. */
export interface PassTable extends TableTotals {
  margins: Float64Array;
  /** Position-major K x n columns (as MarginTable's), when kept; 0 for anchors not covered. */
  violAsAnchor?: Uint32Array;
  lossAsAnchor?: Float32Array;
  /** K x classes, position-major: pml-violating triplets by anchor class at each position. */
  classViolating: Float64Array;
  /** The `smallest` smallest-t triplets below the last margin, and whether there were no more. */
  smallest: WorstTriplet[];
  complete: boolean;
}

/** Everything one pass computed, over the anchors it covered. */
export interface PassResult {
  spec: PassSpec;
  n: number;
  /** Anchors counted (all n for an exact pass). */
  anchors: number;
  census: CensusResult;
  hardAsAnchor: Float64Array;
  batchHard: BatchHardResult;
  softBatchHardMeanLoss: number;
  table?: PassTable;
  histogram?: Float64Array;
  retrieval?: RetrievalResult;
  /** Per-query retrieval values (NaN where lone or not covered). */
  retrievalRows?: { precisionAt1: Float64Array; rPrecision: Float64Array; apAtR: Float64Array };
  knn?: KnnResult;
  semihard?: { pairs: number; fallbacks: number; meanLoss: number };
}

/** The plain data an accumulator holds (what a shard's part file carries). */
export interface PassState {
  n: number;
  classes: number;
  covered: Uint8Array;
  anchors: number;
  triplets: number;
  pml: number[];
  facenet: number[];
  nonZero: number;
  lossSumPartials: number[];
  worst: WorstTriplet[];
  violAsAnchor: Float64Array;
  lossAsAnchor: Float64Array;
  hardAsAnchor: Float64Array;
  nearestImpostor: Int32Array;
  nearestImpostorDist: Float32Array;
  hardestPositive: Int32Array;
  hardestNegative: Int32Array;
  dap: Float32Array;
  dan: Float32Array;
  bhPartials: number[];
  bhSoftPartials: number[];
  bhValid: number;
  bhViolating: number;
  violAsPositive: Float64Array;
  violAsNegative: Float64Array;
  classPairs: Float64Array;
  table?: {
    triplets: number;
    hard: number;
    hardStrict: number;
    violating: Float64Array;
    violatingStrict: Float64Array;
    lossPartials: number[][];
    violAsAnchor?: Uint32Array;
    lossAsAnchor?: Float32Array;
    classViolating: Float64Array;
    smallest: WorstTriplet[];
    offered: number;
    truncated: boolean;
  };
  histogram?: Float64Array;
  retrieval?: { precisionAt1: Float64Array; rPrecision: Float64Array; apAtR: Float64Array };
  knn?: { k: number; indices: Int32Array; distances: Float32Array };
  semihard?: { pairs: number; counted: number; fallbacks: number; partials: number[] };
}

const CATS = ['easy', 'semihard', 'hard', 'violating'] as const;

/** Collects chunks and worker totals of one pass over one dataset. */
export class PassAccumulator {
  readonly state: PassState;

  /**
   * `labels` of the dataset; `columns` keeps the table's per-anchor columns (K x n x 8 bytes),
   * otherwise only their sums by class are kept.
   */
  constructor(
    readonly spec: PassSpec,
    readonly labels: Int32Array,
    classes: number,
    columns = true,
    state?: PassState,
  ) {
    const n = labels.length,
      K = spec.table?.margins.length ?? 0,
      kk = knnWidth(spec, n);
    this.state = state ?? {
      n,
      classes,
      covered: new Uint8Array(n),
      anchors: 0,
      triplets: 0,
      pml: [0, 0, 0, 0],
      facenet: [0, 0, 0, 0],
      nonZero: 0,
      lossSumPartials: [],
      worst: [],
      violAsAnchor: new Float64Array(n),
      lossAsAnchor: new Float64Array(n),
      hardAsAnchor: new Float64Array(n),
      nearestImpostor: new Int32Array(n).fill(-1),
      nearestImpostorDist: new Float32Array(n).fill(NaN),
      hardestPositive: new Int32Array(n).fill(-1),
      hardestNegative: new Int32Array(n).fill(-1),
      dap: new Float32Array(n).fill(NaN),
      dan: new Float32Array(n).fill(NaN),
      bhPartials: [],
      bhSoftPartials: [],
      bhValid: 0,
      bhViolating: 0,
      violAsPositive: new Float64Array(spec.perSample ? n : 0),
      violAsNegative: new Float64Array(spec.perSample ? n : 0),
      classPairs: new Float64Array(spec.perSample ? classes * classes : 0),
      table: spec.table
        ? {
            triplets: 0,
            hard: 0,
            hardStrict: 0,
            violating: new Float64Array(K),
            violatingStrict: new Float64Array(K),
            lossPartials: Array.from({ length: K }, () => []),
            violAsAnchor: columns ? new Uint32Array(K * n) : undefined,
            lossAsAnchor: columns ? new Float32Array(K * n) : undefined,
            classViolating: new Float64Array(K * classes),
            smallest: [],
            offered: 0,
            truncated: false,
          }
        : undefined,
      histogram: spec.edges ? new Float64Array(spec.edges.length - 1) : undefined,
      retrieval: spec.retrieval
        ? {
            precisionAt1: new Float64Array(n).fill(NaN),
            rPrecision: new Float64Array(n).fill(NaN),
            apAtR: new Float64Array(n).fill(NaN),
          }
        : undefined,
      knn: spec.knn ? { k: kk, indices: new Int32Array(n * kk), distances: new Float32Array(n * kk) } : undefined,
      semihard: spec.semihard ? { pairs: 0, counted: 0, fallbacks: 0, partials: [] } : undefined,
    };
  }

  /** Adds one chunk (its anchors must not have been added before). */
  addChunk(c: ChunkResult): void {
    const s = this.state,
      A = c.anchors.length;
    for (let i = 0; i < A; i++) {
      const a = c.anchors[i];
      if (!(a >= 0 && a < s.n)) throw new RangeError(`pass: anchor ${a} outside the dataset`);
      if (s.covered[a]) throw new RangeError(`pass: anchor ${a} counted twice`);
      s.covered[a] = 1;
      s.violAsAnchor[a] = c.violAsAnchor[i];
      s.lossAsAnchor[a] = c.lossAsAnchor[i];
      s.hardAsAnchor[a] = c.hardAsAnchor[i];
      s.nearestImpostor[a] = c.nearestImpostor[i];
      s.nearestImpostorDist[a] = c.nearestImpostorDist[i];
      s.hardestPositive[a] = c.hardestPositive[i];
      s.hardestNegative[a] = c.hardestNegative[i];
      s.dap[a] = c.dap[i];
      s.dan[a] = c.dan[i];
    }
    s.anchors += A;
    s.triplets += c.census.triplets;
    s.nonZero += c.census.nonZero;
    CATS.forEach((k, j) => {
      s.pml[j] += c.census.pml[k];
      s.facenet[j] += c.census.facenet[k];
    });
    for (const p of c.census.lossSumPartials) partialsAdd(s.lossSumPartials, p);
    s.worst = topOf(s.worst, c.worst, this.spec.topK);
    for (const p of c.batchHard.partials) partialsAdd(s.bhPartials, p);
    for (const p of c.batchHard.softPartials) partialsAdd(s.bhSoftPartials, p);
    s.bhValid += c.batchHard.valid;
    s.bhViolating += c.batchHard.violating;
    if (s.table && c.table) this.addTable(c);
    if (s.histogram && c.histogram) for (let e = 0; e < c.histogram.length; e++) s.histogram[e] += c.histogram[e];
    if (s.retrieval && c.retrieval) {
      for (let i = 0; i < A; i++) {
        const a = c.anchors[i];
        s.retrieval.precisionAt1[a] = c.retrieval.precisionAt1[i];
        s.retrieval.rPrecision[a] = c.retrieval.rPrecision[i];
        s.retrieval.apAtR[a] = c.retrieval.apAtR[i];
      }
    }
    if (s.knn && c.knn) {
      const k = s.knn.k;
      for (let i = 0; i < A; i++) {
        s.knn.indices.set(c.knn.indices.subarray(i * k, (i + 1) * k), c.anchors[i] * k);
        s.knn.distances.set(c.knn.distances.subarray(i * k, (i + 1) * k), c.anchors[i] * k);
      }
    }
    if (s.semihard && c.semihard) {
      s.semihard.pairs += c.semihard.pairs;
      s.semihard.counted += c.semihard.counted;
      s.semihard.fallbacks += c.semihard.fallbacks;
      for (const p of c.semihard.partials) partialsAdd(s.semihard.partials, p);
    }
  }

  private addTable(c: ChunkResult): void {
    const t = this.state.table!,
      ct = c.table!,
      K = t.violating.length,
      n = this.state.n,
      C = this.state.classes;
    t.triplets += ct.triplets;
    t.hard += ct.hard;
    t.hardStrict += ct.hardStrict;
    for (let k = 0; k < K; k++) {
      t.violating[k] += ct.violating[k];
      t.violatingStrict[k] += ct.violatingStrict[k];
      for (const p of ct.lossPartials[k]) partialsAdd(t.lossPartials[k], p);
    }
    for (let i = 0; i < c.anchors.length; i++) {
      const a = c.anchors[i],
        label = this.labels[a];
      for (let k = 0; k < K; k++) {
        const v = ct.violAsAnchor[i * K + k];
        t.classViolating[k * C + label] += v;
        if (t.violAsAnchor) {
          t.violAsAnchor[k * n + a] = v;
          t.lossAsAnchor![k * n + a] = ct.lossAsAnchor[i * K + k];
        }
      }
    }
    if (c.smallest) {
      t.offered += c.smallest.list.length;
      t.truncated ||= c.smallest.truncated;
      t.smallest = topOf(t.smallest, c.smallest.list, this.spec.table!.smallest);
    }
  }

  /** Adds a worker's sums over samples that are not anchors. */
  addTotals(w: WorkerTotals): void {
    const s = this.state;
    addInto(s.violAsPositive, w.violAsPositive);
    addInto(s.violAsNegative, w.violAsNegative);
    addInto(s.classPairs, w.classPairs);
  }

  /** Merges another accumulator of the same pass over disjoint anchors (a shard) into this one. */
  merge(o: PassAccumulator): void {
    const s = this.state,
      t = o.state;
    if (t.n !== s.n || t.classes !== s.classes) throw new RangeError('merge: the parts are of different datasets');
    const covered: number[] = [];
    for (let a = 0; a < s.n; a++)
      if (t.covered[a]) {
        if (s.covered[a]) throw new RangeError(`merge: anchor ${a} is in two parts`);
        covered.push(a);
      }
    const chunk = stateAsChunk(t, Int32Array.from(covered), this.spec);
    this.addChunk(chunk);
    this.addTotals({ violAsPositive: t.violAsPositive, violAsNegative: t.violAsNegative, classPairs: t.classPairs });
  }

  /** The joined result (call once every chunk and worker total is in). */
  result(): PassResult {
    const s = this.state,
      spec = this.spec,
      n = s.n;
    const lossSum = partialsRound(s.lossSumPartials);
    const perSample = spec.perSample;
    const census: CensusResult = {
      margin: spec.margin,
      triplets: s.triplets,
      pml: countsOf(s.pml),
      facenet: countsOf(s.facenet),
      lossSum,
      nonZero: s.nonZero,
      meanLoss: s.triplets > 0 ? lossSum / s.triplets : 0,
      meanLossNonZero: s.nonZero > 0 ? lossSum / s.nonZero : 0,
      nearestImpostor: s.nearestImpostor,
      nearestImpostorDist: s.nearestImpostorDist,
      classPairs: s.classPairs,
      worst: s.worst.map((w) => ({ ...w })),
      lossSumPartials: [...s.lossSumPartials],
      perSample: perSample
        ? {
            violAsAnchor: s.violAsAnchor,
            violAsPositive: s.violAsPositive,
            violAsNegative: s.violAsNegative,
            lossAsAnchor: s.lossAsAnchor,
          }
        : undefined,
      perAnchor: perSample ? undefined : { violAsAnchor: s.violAsAnchor, lossAsAnchor: s.lossAsAnchor },
    };
    checkInvariant(census);
    const loss = new Float64Array(n);
    for (let a = 0; a < n; a++)
      if (s.hardestPositive[a] >= 0 && s.hardestNegative[a] >= 0)
        loss[a] = batchHardLoss(spec.margin, s.dap[a], s.dan[a], false).loss;
    const batchHard: BatchHardResult = {
      margin: spec.margin,
      soft: false,
      hardestPositive: s.hardestPositive,
      hardestNegative: s.hardestNegative,
      dap: s.dap,
      dan: s.dan,
      loss,
      validAnchors: s.bhValid,
      violatingAnchors: s.bhViolating,
      meanLoss: s.bhValid ? partialsRound(s.bhPartials) / s.bhValid : 0,
    };
    const out: PassResult = {
      spec,
      n,
      anchors: s.anchors,
      census,
      hardAsAnchor: s.hardAsAnchor,
      batchHard,
      softBatchHardMeanLoss: s.bhValid ? partialsRound(s.bhSoftPartials) / s.bhValid : 0,
      histogram: s.histogram,
    };
    if (s.table) {
      const t = s.table;
      out.table = {
        margins: spec.table!.margins,
        triplets: t.triplets,
        hard: t.hard,
        hardStrict: t.hardStrict,
        violating: t.violating,
        violatingStrict: t.violatingStrict,
        lossPartials: t.lossPartials,
        violAsAnchor: t.violAsAnchor,
        lossAsAnchor: t.lossAsAnchor,
        classViolating: t.classViolating,
        smallest: t.smallest,
        complete: !t.truncated && t.offered < spec.table!.smallest, // as mergeSmallestT says of one list
      };
    }
    if (s.retrieval) {
      out.retrievalRows = s.retrieval;
      out.retrieval = summarizeRetrievalArrays(
        this.labels,
        s.classes,
        s.retrieval.precisionAt1,
        s.retrieval.rPrecision,
        s.retrieval.apAtR,
      );
    }
    if (s.knn) out.knn = { k: s.knn.k, indices: s.knn.indices, distances: s.knn.distances, rowStart: 0, rowEnd: n };
    if (s.semihard)
      out.semihard = {
        pairs: s.semihard.pairs,
        fallbacks: s.semihard.fallbacks,
        meanLoss: s.semihard.counted ? partialsRound(s.semihard.partials) / s.semihard.counted : 0,
      };
    return out;
  }
}

function countsOf(c: number[]): CensusResult['pml'] {
  return { easy: c[0], semihard: c[1], hard: c[2], violating: c[3] };
}

/** The best `k` of two lists by the engine's total order (loss desc, then ids). */
function topOf(a: WorstTriplet[], b: WorstTriplet[], k: number): WorstTriplet[] {
  if (b.length === 0) return a;
  const top = new TopK(k);
  for (const w of a) top.offer(w);
  for (const w of b) top.offer(w);
  return top.sorted();
}

/** An accumulator's state presented as one chunk over its covered anchors (for merging shards). */
function stateAsChunk(t: PassState, anchors: Int32Array, spec: PassSpec): ChunkResult {
  const pick = <T extends Float64Array | Float32Array | Int32Array>(arr: T): T => {
    const out = new (arr.constructor as new (len: number) => T)(anchors.length);
    anchors.forEach((a, i) => {
      out[i] = arr[a];
    });
    return out;
  };
  const K = spec.table?.margins.length ?? 0,
    n = t.n;
  const chunk: ChunkResult = {
    anchors,
    census: {
      triplets: t.triplets,
      pml: countsOf(t.pml),
      facenet: countsOf(t.facenet),
      nonZero: t.nonZero,
      lossSumPartials: t.lossSumPartials,
    },
    violAsAnchor: pick(t.violAsAnchor),
    lossAsAnchor: pick(t.lossAsAnchor),
    hardAsAnchor: pick(t.hardAsAnchor),
    nearestImpostor: pick(t.nearestImpostor),
    nearestImpostorDist: pick(t.nearestImpostorDist),
    hardestPositive: pick(t.hardestPositive),
    hardestNegative: pick(t.hardestNegative),
    dap: pick(t.dap),
    dan: pick(t.dan),
    batchHard: { partials: t.bhPartials, softPartials: t.bhSoftPartials, valid: t.bhValid, violating: t.bhViolating },
    worst: t.worst,
    histogram: t.histogram,
    retrieval: t.retrieval
      ? {
          precisionAt1: pick(t.retrieval.precisionAt1),
          rPrecision: pick(t.retrieval.rPrecision),
          apAtR: pick(t.retrieval.apAtR),
        }
      : undefined,
    semihard: t.semihard,
  };
  if (t.table) {
    const tt = t.table,
      va = new Uint32Array(anchors.length * K),
      la = new Float32Array(anchors.length * K);
    if (!tt.violAsAnchor || !tt.lossAsAnchor) throw new RangeError('merge: a part was kept without its table columns');
    anchors.forEach((a, i) => {
      for (let k = 0; k < K; k++) {
        va[i * K + k] = tt.violAsAnchor![k * n + a];
        la[i * K + k] = tt.lossAsAnchor![k * n + a];
      }
    });
    chunk.table = {
      triplets: tt.triplets,
      hard: tt.hard,
      hardStrict: tt.hardStrict,
      violating: tt.violating,
      violatingStrict: tt.violatingStrict,
      lossPartials: tt.lossPartials,
      violAsAnchor: va,
      lossAsAnchor: la,
    };
    chunk.smallest = { list: tt.smallest, truncated: tt.truncated || tt.offered > spec.table!.smallest };
  }
  if (t.knn) {
    const k = t.knn.k,
      ind = new Int32Array(anchors.length * k),
      dist = new Float32Array(anchors.length * k);
    anchors.forEach((a, i) => {
      ind.set(t.knn!.indices.subarray(a * k, (a + 1) * k), i * k);
      dist.set(t.knn!.distances.subarray(a * k, (a + 1) * k), i * k);
    });
    chunk.knn = { k, indices: ind, distances: dist };
  }
  return chunk;
}
