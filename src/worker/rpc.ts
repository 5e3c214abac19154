/**
 * The typed request/response protocol between `AnalysisClient` (extension host, CLI) and the
 * analysis worker (`analysisWorker.ts`, bundled to dist/worker.js).
 *
 * - Every request carries an id; the worker answers exactly once with `result` (the value in
 *   `ok`) or `error`, and may send any number of `progress` messages for that id before.
 * - The worker runs requests one at a time in arrival order, so the client can post
 *   `setDataset`, `buildIndex`, `census` back to back without waiting.
 * - Typed arrays travel by structured clone; results are sent with a transfer list (their
 *   buffers move instead of being copied). Cancellation is not a message: the client terminates
 *   the worker (a running computation cannot be interrupted any other way).
 */
import type { CensusResult, WorstTriplet } from '../engine/census';
import type { MarginTablePart } from '../engine/marginTable';
import type { BatchHardResult, SemiHardResult } from '../engine/mining';
import type { KnnOptions, KnnResult, RowRange } from '../engine/knn';
import type { ContrastiveOptions, PairRows } from '../engine/pairLosses';
import type { RetrievalRows } from '../engine/retrieval';
import type { QueryGalleryRows, QueryGallerySpec } from '../engine/queryGallery';
import type { DistanceOptions, EngineInput } from '../engine/types';
import type { ChunkResult, PassSpec, WorkerTotals } from '../engine/passTypes';

/** Every method the worker serves: its parameters and its result. */
export interface WorkerMethods {
  /** Keep this dataset (replaces the previous one and drops its index). Answers with the distance backend in use. */
  setDataset: { params: EngineInput; result: { backend: string } };
  /** Build the census index of anchors [anchorStart, anchorEnd) (the slow step: progress). */
  buildIndex: { params: { opts: DistanceOptions; anchorStart: number; anchorEnd: number }; result: null };
  /**
   * Recount the index at a margin (no distance recomputation). With `stopEpoch` the recount is
   * preemptible: it stops with an AbortError once the worker's shared stop counter (workerData.stop)
   * differs from `stopEpoch` (see WorkerSlot.preempt).
   */
  census: { params: { margin: number; topK: number; perSample: boolean; classPairs: boolean; perAnchor: boolean; stopEpoch?: number }; result: CensusResult };
  /**
   * The census at every margin of `margins` for anchors [from, to) of the index (a chunk of a
   * background job). With `stopEpoch` it yields: it stops with an AbortError once the worker's
   * background stop counter (workerData.stop[1]) differs from it (WorkerSlot.yieldBackground).
   */
  marginTable: { params: { margins: Float64Array; from: number; to: number; stopEpoch?: number }; result: MarginTablePart };
  /** The `k` smallest-t triplets with t < limit of the index's anchors (see smallestT). */
  smallestT: { params: { limit: number; k: number }; result: WorstTriplet[] };
  /** Histogram of t = d(a,n) - d(a,p) over the index's triplets. */
  histogram: { params: { edges: Float64Array }; result: Float64Array };
  /** Batch-hard of the index's anchors (no distance recomputation). */
  batchHard: { params: { margin: number; soft: boolean }; result: BatchHardResult };
  /** Semi-hard selection of the index's anchors (no distance recomputation). */
  semiHard: { params: { margin: number }; result: SemiHardResult };
  /** Per-query retrieval values for the rows given. */
  retrievalRows: { params: { opts: DistanceOptions; range: RowRange }; result: RetrievalRows };
  /**
   * Query / gallery retrieval (Market-1501 protocol) of the queries at positions [start, end) of
   * spec.queries; `prepared`: the embeddings as the distance reads them (shared by every worker).
   */
  queryGalleryRows: { params: { spec: QueryGallerySpec; opts: DistanceOptions; range: { start: number; end: number }; prepared?: Float32Array }; result: QueryGalleryRows };
  /** Exact kNN of the rows given. */
  knn: { params: { k: number; opts: KnnOptions; range: RowRange }; result: KnnResult };
  /** Contrastive per-row sums for the rows given. */
  contrastiveRows: { params: { opts: DistanceOptions; options: ContrastiveOptions; range: RowRange }; result: PairRows };
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
  passChunk: { params: { anchors: Int32Array | { start: number; end: number }; stopEpoch?: number }; result: ChunkResult };
  /** End the pass: its sums over samples that are not anchors (per-sample counts as positive / negative, class pairs). */
  passEnd: { params: Record<string, never>; result: WorkerTotals };
}

export type Method = keyof WorkerMethods;
export type Params<M extends Method> = WorkerMethods[M]['params'];
export type Result<M extends Method> = WorkerMethods[M]['result'];

/** Client -> worker. */
export interface RequestMessage<M extends Method = Method> {
  type: 'request';
  id: number;
  method: M;
  params: Params<M>;
}

/** A serialisable error (Error objects lose their name across threads). */
export interface ErrorInfo { name: string; message: string; stack?: string }

/** Worker -> client. */
export type ReplyMessage =
  /** The request succeeded; `ok` is its result. */
  | { type: 'result'; id: number; ok: unknown }
  /** The request failed. */
  | { type: 'error'; id: number; error: ErrorInfo }
  /** Progress of a running request (fraction 0..1). */
  | { type: 'progress'; id: number; fraction: number; message: string };

/**
 * The buffers of every typed array inside `value` (own enumerable properties, arrays, nested
 * plain objects), each once, for a postMessage transfer list. Shared buffers are skipped.
 * Only pass values whose arrays the sender no longer needs: transferred buffers are detached.
 */
export function transferablesOf(value: unknown, out = new Set<ArrayBuffer>(), depth = 0): ArrayBuffer[] {
  if (depth > 4 || value === null || typeof value !== 'object') return [...out];
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
    return [...out];
  }
  const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const v of items) if (v !== null && typeof v === 'object') transferablesOf(v, out, depth + 1);
  return [...out];
}

/** Turns any thrown value into an ErrorInfo. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** Rebuilds an Error with the original name (so `AbortError`, `RangeError`, `InputError` survive). */
export function fromErrorInfo(info: ErrorInfo): Error {
  const e = new Error(info.message);
  e.name = info.name;
  if (info.stack) e.stack = info.stack;
  return e;
}

/** Splits [0, n) into `parts` contiguous ranges of near-equal size (none empty when parts <= n). */
export function splitRows(n: number, parts: number): RowRange[] {
  const p = Math.max(1, Math.min(parts, n));
  return Array.from({ length: p }, (_, i) => ({ rowStart: Math.floor((i * n) / p), rowEnd: Math.floor(((i + 1) * n) / p) }));
}
