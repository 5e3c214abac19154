/**
 * The memory plan of a pass: how many workers and how many anchors per block fit a budget, and
 * whether the margin table's per-anchor columns do. Estimates are what the arrays take (measured
 * against peak RSS in the tests and benches), plus a fixed allowance per process and per worker.
 * When nothing fits, the answer is a sentence for the user, not an allocation failure.
 */
import type { DistanceKind } from './types';
import { samplesLeft } from './distances';

/** What the plan depends on. */
export interface PlanInput {
  n: number;
  dim: number;
  classes: number;
  distance: DistanceKind;
  normalize: boolean;
  /** Workers wanted (the plan may use fewer). */
  workers: number;
  /** Slider positions of the margin table (0: no table). */
  positions: number;
  perSample: boolean;
  /** kNN neighbours per sample kept (0: none). */
  knn: number;
  /** The budget in bytes for the whole process (data, workers, results). */
  budgetBytes: number;
  /** The embeddings were normalised in place: no separate normalised copy. */
  normalizedInPlace?: boolean;
  /** Bytes the process holds besides the pass: the CLI counts its own baseline (PROCESS_BYTES); the extension host is
   * not the pass's. */
  otherBytes?: number;
}

export interface PassPlan {
  workers: number;
  /** Distance rows computed at once (the GEMM is efficient from about 32). */
  blockAnchors: number;
  /** Anchors indexed at once within a block (an index entry costs more than a distance). */
  indexAnchors: number;
  /** Keep the table's per-anchor columns (positions x n x 8 bytes). */
  columns: boolean;
  /** Estimated peak of the whole process. */
  estimateBytes: number;
}

/**
 * Node, V8 and the bundled code of a CLI process's main thread, and of one worker thread with its
 * wasm module (measured: 50 MB and about 20 MB idle, 33 MB after a small pass).
 */
export const PROCESS_BYTES = 80 * 2 ** 20;
export const WORKER_BYTES = 36 * 2 ** 20;
/** The GEMM's product tile (128 rows x up to 16 384 columns) and left operand in a worker's wasm heap. */
const gemmBytes = (n: number, dim: number): number => 128 * Math.min(n, 16384) * 4 + 128 * (dim + 2) * 4;
/** More distance rows per block than this gain nothing (the GEMM is cut at 128 rows). */
const MAX_BLOCK = 128;
/**
 * Anchors indexed at once: a few, so a sub-block's index (about 6.5 bytes per (anchor, negative)
 * pair) is still in cache when it is counted (measured at N = 100 000: 4.6 ms per anchor with 16,
 * 5.4 ms with 256).
 */
const MAX_INDEX = 16;

/** Bytes of the data every worker shares (embeddings, labels, the L2-normalised copy). */
function sharedBytes(p: PlanInput): number {
  return p.n * p.dim * 4 * (p.normalize && !p.normalizedInPlace ? 2 : 1) + p.n * 4;
}

/** Bytes of the host's joined result. */
function resultBytes(p: PlanInput, columns: boolean): number {
  const perAnchor = 96 + (p.perSample ? 16 : 0) + p.knn * 8;
  return (
    p.n * perAnchor +
    (p.perSample ? p.classes * p.classes * 8 : 0) +
    p.positions * p.classes * 8 +
    (columns ? p.positions * p.n * 8 : 0)
  );
}

/** Bytes of one worker that do not depend on the block sizes. */
function workerFixed(p: PlanInput): number {
  // The samples' GEMM operand, and XNNPACK's packed copy of it when it is the right operand (distances.ts).
  const operand = (p.dim + 2) * p.n * 4 * (samplesLeft(p.n, p.dim) ? 1 : 2);
  return (
    WORKER_BYTES +
    gemmBytes(p.n, p.dim) +
    operand +
    p.n * 8 + // squared norms
    (p.distance === 'cosine' ? p.n * p.dim * 4 : 0) + // unit rows
    p.n * 16 + // sort scratch
    p.n * (p.perSample ? 32 : 16) +
    (p.perSample ? p.classes * p.classes * 8 : 0) + // the worker's census sums
    p.n * 20
  ); // the margin table's decoded values and sums of one anchor, its buckets
}

/** Bytes per anchor of a block: its distance row, and (for indexed anchors) its index entries and fast-path fences. */
const rowBytes = (p: PlanInput): number => p.n * 4 + p.positions * 8 + 64;
const indexBytes = (p: PlanInput): number => p.n * ((p.n <= 65536 ? 4.5 : 6.5) + 1);

/**
 * The plan for a pass, or what it would need when none fits (`shortfall` says it in words; the
 * caller adds what its user can do about it).
 */
export function planPass(p: PlanInput): PassPlan | { needBytes: number } {
  const base = sharedBytes(p) + (p.otherBytes ?? 0);
  for (const columns of p.positions > 0 ? [true, false] : [false]) {
    const host = base + resultBytes(p, columns);
    for (let w = Math.max(1, p.workers); w >= 1; w--) {
      const perWorker = (p.budgetBytes - host) / w - workerFixed(p);
      // The largest distance block whose rows leave room to index at least a few of its anchors at once.
      for (
        let block = Math.min(MAX_BLOCK, Math.max(1, p.n));
        block >= 1;
        block = block > 8 ? Math.floor(block / 2) : block - 1
      ) {
        const index = Math.min(block, MAX_INDEX, Math.floor((perWorker - block * rowBytes(p)) / indexBytes(p)));
        if (index >= Math.min(block, 4, MAX_INDEX) || (block === 1 && index >= 1)) {
          return {
            workers: w,
            blockAnchors: block,
            indexAnchors: index,
            columns,
            estimateBytes: host + w * (workerFixed(p) + block * rowBytes(p) + index * indexBytes(p)),
          };
        }
      }
    }
  }
  return { needBytes: base + resultBytes(p, false) + workerFixed(p) + rowBytes(p) + indexBytes(p) };
}

/** A plan that does not fit, in the user's words: `remedies` is what to do, in the caller's terms. */
export function shortfall(p: PlanInput, needBytes: number, remedies: string): string {
  return (
    `counting ${p.n.toLocaleString('en-US')} samples of dimension ${p.dim} needs about ${mb(needBytes)} of memory, ` +
    `more than the budget of ${mb(p.budgetBytes)}; ${remedies}`
  );
}

function mb(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.ceil(bytes / 2 ** 20)} MB`;
}

/**
 * Anchors per chunk request: about 2e7 distance entries (a second or so of work on one core, the
 * unit of progress, balancing and stopping), at least one block.
 */
export function chunkAnchorsFor(plan: Pick<PassPlan, 'blockAnchors'>, n: number): number {
  return Math.max(plan.blockAnchors, Math.floor(2e7 / Math.max(1, n)));
}
