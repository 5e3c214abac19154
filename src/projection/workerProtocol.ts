/**
 * Messages between `ProjectionClient` (extension host, CLI) and the projection worker
 * (dist/projectionWorker.js). Typed arrays travel by structured clone; the layout comes back in
 * the transfer list. Pure types.
 */
import type { LayoutInput, LayoutParams } from './params';
import type { PcaOptions } from './pca';

/** Client -> worker. */
export type ToProjectionWorker =
  /** Lay out `input` with `params`; answered by progress messages then `done` or `error` with the same id. */
  | { type: 'compute'; id: number; input: LayoutInput; params: LayoutParams }
  /** The PCA layout of `input` (pca.ts); answered by `done` (with `note`) or `error`. */
  | { type: 'pca'; id: number; input: LayoutInput; options: PcaOptions };

/** Worker -> client. */
export type FromProjectionWorker =
  /** Fraction 0..1 of the job done, and what it is doing. */
  | { type: 'progress'; id: number; fraction: number; message: string }
  /** The n x 2 layout, and the engine backend its kNN ran on (diagnostics). */
  | { type: 'done'; id: number; layout: Float32Array; backend?: string; note?: string }
  /** The job failed; `name` keeps e.g. RangeError / AbortError. */
  | { type: 'error'; id: number; name: string; message: string };
