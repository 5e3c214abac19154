/**
 * Types shared by every engine module (distances, census, mining, pair losses, retrieval, kNN)
 * and by the worker / CLI that drive them. Pure types: no `vscode`, no DOM.
 */

import type { DistanceKind } from '../shared/model';

export type { Convention, DistanceKind } from '../shared/model';

/** Which distance, and whether rows are L2-normalised first (PML's default). */
export interface DistanceOptions {
  distance: DistanceKind;
  normalize: boolean;
}

/** What the engine needs from a `Dataset`: N x D row-major float32 embeddings and class ids 0..classes-1. */
export interface EngineInput {
  embeddings: Float32Array;
  n: number;
  dim: number;
  labels: Int32Array;
  classes: number;
}

/**
 * Progress reporting and cancellation for long work. Cancellation: the engine throws an Error
 * whose `name` is `'AbortError'` as soon as it notices `signal.aborted`.
 */
export interface Progress {
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

/** The error thrown on cancellation (name `AbortError`, like `fetch`). */
export function abortError(): Error {
  const e = new Error('The operation was cancelled');
  e.name = 'AbortError';
  return e;
}

/** Throws an AbortError when the signal is aborted; cheap enough to call once per block. */
export function throwIfAborted(progress?: Progress): void {
  if (progress?.signal?.aborted) throw abortError();
}
