/**
 * The projection worker's methods (projectionWorker.ts serves them, ProjectionClient sends them),
 * over the same protocol as the analysis workers (worker/rpc.ts). Pure types.
 */
import type { LayoutInput, LayoutParams } from './params';
import type { PcaOptions } from './pca';

/** A 2-D layout (n x 2, row-major) and how it was made. */
export interface LayoutReply {
  layout: Float32Array;
  /** "exact neighbours", "approximate neighbours (NN-descent), recall 0.982 on 200 sampled rows", "31 % of the
   * variance". */
  note: string;
  /** The engine backend the kNN ran on (UMAP only; diagnostics). */
  backend?: string;
}

export type ProjectionMethods = {
  /** UMAP of `input` with `params` (umap.ts), with progress. */
  umap: { params: { input: LayoutInput; params: LayoutParams }; result: LayoutReply };
  /** The PCA layout of `input` (pca.ts). */
  pca: { params: { input: LayoutInput; options: PcaOptions }; result: LayoutReply };
};
