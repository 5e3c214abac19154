/**
 * What a job over the analysis workers (passJob.ts, marginTableJob.ts, rowJobs.ts) may use of
 * AnalysisClient's pool: the dataset, live workers, row ranges. The client stays the one owner of
 * the workers and of the index state; jobs only borrow them.
 */
import { abortError, type DistanceOptions, type EngineInput } from '../engine/types';
import type { WorkerSlot } from './workerSlot';

export type OnProgress = (fraction: number, message: string) => void;

export interface PoolAccess {
  /** The dataset (throws without one, or once disposed). */
  input(): EngineInput;
  /** Live workers (as many as useful), started and given the dataset as needed. */
  slots(): WorkerSlot[];
  /** Live workers holding the census index (rebuilt after a restart); throws without one. */
  indexedSlots(): Promise<WorkerSlot[]>;
  /** Row ranges [rowStart, rowEnd) for `count` workers. */
  ranges(count: number): { rowStart: number; rowEnd: number }[];
  /** The distance options of the last index build (throws without one). */
  options(): DistanceOptions;
  /** The embeddings as the distance reads them (L2-normalised when asked), in shared memory. */
  prepared(normalize: boolean): Float32Array;
  /** Whether the caller of setDataset checked this input's coordinates are finite. */
  finiteChecked(input: EngineInput): boolean;
  /** A pass drops the workers' census indexes (their memory goes to its blocks) and sets these options. */
  dropIndex(options: DistanceOptions): void;
}

/**
 * Sends a background request (a margin-table or pass chunk) until it completes: a foreground
 * request sent meanwhile stops it (AbortError while the worker lives and `signal` has not
 * fired), and it is sent again after.
 */
export async function requestYielding<T>(
  s: WorkerSlot,
  send: (stopEpoch: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (;;) {
    if (signal?.aborted) throw abortError();
    try {
      return await send(s.backgroundEpoch);
    } catch (e) {
      if ((e as Error)?.name === 'AbortError' && !s.isDead && !signal?.aborted) continue;
      throw e;
    }
  }
}
