/**
 * What the projection asks about single samples, under the session's current distance and
 * normalisation: a hovered anchor's hardest positive and violating negatives, a sample's nearest
 * neighbours (one distance row each, on the host), every sample's nearest neighbours (in the
 * workers, for the suspected label errors). Pure: no `vscode`.
 */
import type { Dataset } from '../shared/dataset';
import type { AnalysisSettings } from '../shared/protocol';
import type { AnalysisClient } from '../worker/client';
import type { KnnResult } from '../engine/knn';
import type { Progress } from '../engine/types';
import type { IndexFacts } from './censusViews';
import { hoverDetail } from './hoverDetail';
import { nearestNeighbours, type Neighbours } from './neighbours';

export class SampleQueries {
  /** `facts` and `settings` are the session's current ones. */
  constructor(
    private readonly client: AnalysisClient,
    private readonly dataset: Dataset,
    private readonly facts: () => IndexFacts | undefined,
    private readonly settings: () => AnalysisSettings,
  ) {}

  /** Hover detail: hardest positive and the violating negatives of one anchor (worst first, capped). */
  detail(index: number, cap = 20): { hardestPositive: number; negatives: number[] } {
    const f = this.facts(),
      d = this.dataset;
    if (!f) return { hardestPositive: -1, negatives: [] };
    return hoverDetail(
      this.client.preparedEmbeddings(f.options.normalize),
      d.n,
      d.dim,
      d.labels,
      f.options,
      f.hardestPositive,
      index,
      this.settings().margin,
      cap,
    );
  }

  /** Sample `index`'s k nearest neighbours under the current distance and normalisation (one distance row). */
  neighbours(index: number, k: number): Neighbours {
    const d = this.dataset,
      s = this.settings();
    return nearestNeighbours(
      this.client.preparedEmbeddings(s.normalize || s.distance === 'cosine'),
      d.n,
      d.dim,
      d.labels,
      s.distance,
      index,
      k,
    );
  }

  /** Every sample's k nearest neighbours (exact, in the workers) under the current distance and normalisation. */
  knnAll(k: number, progress?: Progress): Promise<KnnResult> {
    const s = this.settings();
    return this.client.knn(k, false, progress, { distance: s.distance, normalize: s.normalize });
  }
}
