/**
 * The analysis worker's methods (analysisWorker.ts serves them, AnalysisClient sends them through
 * WorkerSlot): each one's parameters and result. The protocol itself is rpc.ts.
 */
import type { CensusResult, WorstTriplet } from '../engine/census';
import type { MarginTablePart } from '../engine/marginTable';
import type { BatchHardResult, SemihardResult } from '../engine/mining';
import type { KnnOptions, KnnResult, RowRange } from '../engine/knn';
import type { ContrastiveOptions, PairRows } from '../engine/pairLosses';
import type { RetrievalRows } from '../engine/retrieval';
import type { QueryGalleryRows, QueryGallerySpec } from '../engine/queryGallery';
import type { DistanceOptions, EngineInput } from '../engine/types';
import type { ChunkResult, PassSpec, WorkerTotals } from '../engine/passTypes';

/** Every method the worker serves: its parameters and its result. */
export type AnalysisMethods = {
  /** Keep this dataset (replaces the previous one and drops its index). Answers with the distance backend in use. */
  setDataset: { params: EngineInput; result: { backend: string } };
  /** Build the census index of anchors [anchorStart, anchorEnd) (the slow step: progress). */
  buildIndex: { params: { opts: DistanceOptions; anchorStart: number; anchorEnd: number }; result: null };
  /**
   * Recount the index at a margin (no distance recomputation). With `stopEpoch` the recount is
   * preemptible: it stops with an AbortError once the worker's shared stop counter (workerData.stop)
   * differs from `stopEpoch` (see WorkerSlot.preempt).
   */
  census: {
    params: {
      margin: number;
      topK: number;
      perSample: boolean;
      classPairs: boolean;
      perAnchor: boolean;
      stopEpoch?: number;
    };
    result: CensusResult;
  };
  /**
   * The census at every margin of `margins` for anchors [from, to) of the index (a chunk of a
   * background job). With `stopEpoch` it yields: it stops with an AbortError once the worker's
   * background stop counter (workerData.stop[1]) differs from it (WorkerSlot.yieldBackground).
   */
  marginTable: {
    params: { margins: Float64Array; from: number; to: number; stopEpoch?: number };
    result: MarginTablePart;
  };
  /** The `k` smallest-t triplets with t < limit of the index's anchors (see smallestT). */
  smallestT: { params: { limit: number; k: number }; result: WorstTriplet[] };
  /** Histogram of t = d(a,n) - d(a,p) over the index's triplets. */
  histogram: { params: { edges: Float64Array }; result: Float64Array };
  /** Batch-hard of the index's anchors (no distance recomputation). */
  batchHard: { params: { margin: number; soft: boolean }; result: BatchHardResult };
  /** Semi-hard selection of the index's anchors (no distance recomputation). */
  semihard: { params: { margin: number }; result: SemihardResult };
  /** Per-query retrieval values for the rows given. */
  retrievalRows: { params: { opts: DistanceOptions; range: RowRange }; result: RetrievalRows };
  /**
   * Query / gallery retrieval (Market-1501 protocol) of the queries at positions [start, end) of
   * spec.queries; `prepared`: the embeddings as the distance reads them (shared by every worker).
   */
  queryGalleryRows: {
    params: {
      spec: QueryGallerySpec;
      opts: DistanceOptions;
      range: { start: number; end: number };
      prepared?: Float32Array;
    };
    result: QueryGalleryRows;
  };
  /** Exact kNN of the rows given. */
  knn: { params: { k: number; opts: KnnOptions; range: RowRange }; result: KnnResult };
  /** Contrastive per-row sums for the rows given. */
  contrastiveRows: {
    params: { opts: DistanceOptions; options: ContrastiveOptions; range: RowRange };
    result: PairRows;
  };
  /** NT-Xent per-row sums for the rows given. */
  ntXentRows: { params: { tau: number; range: RowRange }; result: PairRows };
  /**
   * Start a pass over the distance matrix (engine/pass.ts) on the current dataset; `prepared` is the
   * embeddings as the distance reads them (shared by every worker), else the worker prepares them.
   */
  passBegin: { params: { spec: PassSpec; prepared?: Float32Array; finiteChecked?: boolean }; result: null };
  /**
   * One chunk of the pass: anchors [start, end) or the ids given. With `stopEpoch` it stops with an
   * AbortError once the background stop counter (workerData.stop[1]) differs from it.
   */
  passChunk: {
    params: { anchors: Int32Array | { start: number; end: number }; stopEpoch?: number };
    result: ChunkResult;
  };
  /** End the pass: its sums over samples that are not anchors (per-sample counts as positive / negative, class pairs).
   * */
  passEnd: { params: Record<string, never>; result: WorkerTotals };
};

export type Method = keyof AnalysisMethods;
export type Params<M extends Method> = AnalysisMethods[M]['params'];
export type Result<M extends Method> = AnalysisMethods[M]['result'];
