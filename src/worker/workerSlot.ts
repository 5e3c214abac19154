/**
 * One analysis worker thread as AnalysisClient sees it: an RpcWorker serving AnalysisMethods, plus
 * what the client keeps per worker — whether it holds the census index, the backend it reported,
 * and two shared stop counters for preemptible and background requests.
 */
import type { AnalysisMethods } from './analysisMethods';
import { RpcWorker } from './rpcWorker';

/** A started analysis worker and its per-worker state. */
export class WorkerSlot extends RpcWorker<AnalysisMethods> {
  /** Whether this worker holds a census index for the client's current index options. */
  indexed = false;
  /** The distance backend the worker reported for its latest dataset (rejects if that failed). */
  ready: Promise<string> = Promise.resolve('unknown');
  /** Background requests in flight (yieldBackground only bumps the counter when there are some). */
  background = 0;

  /**
   * Shared stop counters (workerData.stop): bumping [0] stops the worker's preemptible censuses at
   * once, bumping [1] its background work (the margin table's chunks, a pass's chunks).
   */
  private readonly stop: Int32Array;

  constructor(script: string) {
    const stop = new Int32Array(new SharedArrayBuffer(8));
    super(script, 'analysis worker', { stop });
    this.stop = stop;
  }

  /** The stop counter now: a preemptible request sent with it runs until the next `preempt()`. */
  get stopEpoch(): number {
    return Atomics.load(this.stop, 0);
  }

  /** Stops every preemptible request sent before now (they reject with an AbortError); others are unaffected. */
  preempt(): void {
    Atomics.add(this.stop, 0, 1);
  }

  /** The background stop counter now: a background request sent with it runs until the next `yieldBackground()`. */
  get backgroundEpoch(): number {
    return Atomics.load(this.stop, 1);
  }

  /** Stops the background request in progress (it rejects with an AbortError) so a foreground one runs now. */
  yieldBackground(): void {
    if (this.background > 0) Atomics.add(this.stop, 1, 1);
  }
}
