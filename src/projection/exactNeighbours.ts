/**
 * Exact neighbours for the layout, from the census. Above EXACT_NEIGHBOURS_UP_TO points the
 * layout starts from NN-descent's approximate neighbours (seconds, not minutes); a streaming
 * session's exact pass compares every pair anyway, so it also keeps each sample's nearest ones
 * (`PassSpec.knn`, a few MB), and the layout is computed again from them and replaces the
 * approximate one (host/projectLayouts.ts). This is the hand-over between the two: the session
 * offers what its pass found, the projection waits for neighbours of the rows it laid out.
 * Pure: no `vscode`.
 */
import type { KnnResult } from '../engine/knn';
import type { DistanceOptions } from '../engine/types';
import { EXACT_NEIGHBOURS_UP_TO, type ExactIds } from './params';

/** The rows the neighbours are found on: normalised for cosine or with `normalize` (as umap.ts decides). */
export function normalizedRows(options: { distance?: string; normalize?: boolean }): boolean {
  return options.normalize === true || options.distance === 'cosine';
}

/** Neighbours per sample a census pass over n samples should keep for a layout of `nNeighbors`: 0 when UMAP finds
 * exact ones itself. */
export function passNeighboursFor(n: number, nNeighbors: number): number {
  return n > EXACT_NEIGHBOURS_UP_TO ? Math.min(nNeighbors, n) : 0;
}

interface Waiter {
  normalized: boolean;
  k: number;
  resolve: (ids: ExactIds | undefined) => void;
}

/** See the file comment: the last exact neighbours a pass found, and who waits for them. */
export class ExactNeighbours {
  private have: { normalized: boolean; ids: ExactIds } | undefined;
  private waiters: Waiter[] = [];

  /**
   * A pass with `options` found `knn` (each row itself first, as `includeSelf` gives it); a pass
   * without kNN (undefined) changes nothing. Euclidean and squared Euclidean rank alike, cosine
   * as Euclidean on normalised rows: only the normalisation tells neighbours apart.
   */
  offer(options: DistanceOptions, knn: KnnResult | undefined): void {
    if (!knn || knn.rowStart !== 0) return;
    this.have = { normalized: normalizedRows(options), ids: { k: knn.k, indices: knn.indices } };
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) if (!this.answer(w)) this.waiters.push(w);
  }

  /**
   * Resolves with the exact neighbours of rows normalised or not, at least k per row, as soon as a
   * pass has offered them (at once when one did); with undefined when `signal` fires first.
   */
  wait(normalized: boolean, k: number, signal: AbortSignal): Promise<ExactIds | undefined> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(undefined);
      const w: Waiter = { normalized, k, resolve };
      if (this.answer(w)) return;
      this.waiters.push(w);
      signal.addEventListener(
        'abort',
        () => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(undefined);
        },
        { once: true },
      );
    });
  }

  private answer(w: Waiter): boolean {
    const h = this.have;
    if (!h || h.normalized !== w.normalized || h.ids.k < w.k) return false;
    w.resolve(h.ids);
    return true;
  }
}
