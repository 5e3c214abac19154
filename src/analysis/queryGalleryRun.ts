/**
 * Query / gallery retrieval for an open dataset (issue 16, item 6): reads the split and cameras
 * from the metadata, asks the analysis workers for the Market-1501 metrics under the session's
 * distance and normalisation, and keeps what the sidebar shows. The session starts it after each
 * census (a new distance or normalisation runs the analysis again, so this again); a newer run
 * stops an older one. Pure: no `vscode`.
 */
import { querySplitOf, type QueryGalleryColumns, type QuerySplit } from '../data/querySplit';
import { queryGalleryProtocol } from '../engine/queryGallery';
import type { DistanceOptions } from '../engine/types';
import type { Dataset } from '../shared/dataset';
import { distanceLabel, type QueryGalleryView } from '../shared/protocol';
import type { AnalysisClient } from '../worker/client';

/** Runs the evaluation and holds its view; `onChange` fires whenever the view changes. */
export class QueryGalleryRunner {
  /** What the sidebar shows; undefined when the metadata has no split column (nothing is shown). */
  view: QueryGalleryView | undefined;
  private job: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: AnalysisClient,
    private readonly dataset: Dataset,
    private readonly onChange: () => void,
  ) {}

  /**
   * Evaluates under `options` with these columns. Resolves when done, failed (shown in the view) or
   * stopped by a newer run; never rejects.
   */
  start(options: DistanceOptions, cols: QueryGalleryColumns): Promise<void> {
    this.job?.abort();
    const job = new AbortController();
    this.job = job;
    const run = this.run(options, cols, job.signal).finally(() => {
      if (this.job === job) this.job = undefined;
    });
    this.running = run;
    return run;
  }

  /** Stops a running evaluation (its result is dropped); the view stays until the next start. */
  stop(): void {
    this.job?.abort();
    this.job = undefined;
  }

  /** Resolves once the latest evaluation has ended (tests wait on it). */
  async idle(): Promise<void> {
    while (this.running) {
      const r = this.running;
      await r;
      if (r === this.running) break;
    }
  }

  private async run(options: DistanceOptions, cols: QueryGalleryColumns, signal: AbortSignal): Promise<void> {
    const distance = distanceLabel(options);
    let split: QuerySplit | undefined;
    try {
      split = querySplitOf(this.dataset, cols);
    } catch (e) {
      this.publish({
        state: 'error',
        distance,
        protocol: queryGalleryProtocol(false),
        splitColumn: cols.splitColumn,
        queries: 0,
        gallery: 0,
        message: (e as Error).message,
      });
      return;
    }
    if (!split) {
      this.publish(undefined);
      return;
    }
    const base = {
      distance,
      protocol: queryGalleryProtocol(!!split.cameras),
      splitColumn: split.splitColumn,
      cameraColumn: split.cameraColumn,
      queries: split.queries.length,
      gallery: split.gallery.length,
    };
    this.publish({ state: 'computing', ...base });
    try {
      const r = await this.client.queryGallery(split, options, { signal });
      if (signal.aborted) return;
      this.publish({
        state: 'ready',
        ...base,
        metrics: { validQueries: r.validQueries, rank1: r.rank1, rank5: r.rank5, rank10: r.rank10, mAP: r.mAP },
      });
    } catch (e) {
      if (signal.aborted) return; // a newer run, another analysis or closing: not a failure
      this.publish({
        state: 'error',
        ...base,
        message: `Query / gallery retrieval failed: ${(e as Error)?.message ?? e}`,
      });
    }
  }

  private publish(view: QueryGalleryView | undefined): void {
    this.view = view;
    this.onChange();
  }
}
