/**
 * The row-wise jobs: each worker computes the rows of one contiguous range of samples (queries),
 * and the parts are merged in sample order, so the result is identical whatever the number of
 * workers. One table entry per job: which worker method, its parameters, how the parts merge.
 */
import type { KnnResult } from '../engine/knn';
import {
  summarizeContrastive,
  summarizeNtXent,
  type ContrastiveOptions,
  type ContrastiveResult,
  type NtXentResult,
} from '../engine/pairLosses';
import { summarizeRetrieval, type RetrievalResult } from '../engine/retrieval';
import type { DistanceOptions, EngineInput } from '../engine/types';
import type { AnalysisMethods } from './analysisMethods';

type RowRange = { rowStart: number; rowEnd: number };

/** One row-wise job: `A` its caller's arguments, `M` the worker method, `R` the merged result. */
interface RowJob<A, M extends keyof AnalysisMethods, R> {
  method: M;
  /** Whether it needs the distance options of the index build (when the caller gives none). */
  usesOptions: boolean;
  params(args: A, options: DistanceOptions, range: RowRange): AnalysisMethods[M]['params'];
  merge(input: EngineInput, parts: AnalysisMethods[M]['result'][], args: A): R;
}

const job = <A, M extends keyof AnalysisMethods, R>(j: RowJob<A, M, R>): RowJob<A, M, R> => j;

/** Every row-wise job (AnalysisClient.rows runs one). */
export const ROW_JOBS = {
  /** precision@1, R-precision, MAP@R (PML semantics), overall and per class. */
  retrieval: job({
    method: 'retrievalRows',
    usesOptions: true,
    params: (_: Record<string, never>, opts, range) => ({ opts, range }),
    merge: (input, parts): RetrievalResult => summarizeRetrieval(input.labels, input.classes, parts),
  }),
  /** Exact k nearest neighbours of every sample (see exactKnn). */
  knn: job({
    method: 'knn',
    usesOptions: true,
    params: (a: { k: number; includeSelf: boolean }, o, range) => ({
      k: a.k,
      opts: { distance: o.distance, normalize: o.normalize, includeSelf: a.includeSelf },
      range,
    }),
    merge: (input, parts): KnnResult => {
      const kk = parts[0].k;
      const indices = new Int32Array(input.n * kk);
      const distances = new Float32Array(input.n * kk);
      for (const p of parts) {
        indices.set(p.indices, p.rowStart * kk);
        distances.set(p.distances, p.rowStart * kk);
      }
      return { k: kk, indices, distances, rowStart: 0, rowEnd: input.n };
    },
  }),
  /** Contrastive loss (Hadsell or PML form) over all pairs. */
  contrastive: job({
    method: 'contrastiveRows',
    usesOptions: true,
    params: (a: ContrastiveOptions, opts, range) => ({ opts, options: a, range }),
    merge: (input, parts, a): ContrastiveResult => summarizeContrastive(input.labels, input.classes, a, parts),
  }),
  /** NT-Xent with temperature tau (cosine similarity, independent of the distance options). */
  ntXent: job({
    method: 'ntXentRows',
    usesOptions: false,
    params: (a: { tau: number }, _opts, range) => ({ tau: a.tau, range }),
    merge: (input, parts, a): NtXentResult => summarizeNtXent(input.labels, input.classes, a.tau, parts),
  }),
};

export type RowJobs = typeof ROW_JOBS;
export type RowJobName = keyof RowJobs;
/** A job's arguments and merged result. */
export type RowArgs<K extends RowJobName> = Parameters<RowJobs[K]['params']>[0];
export type RowResult<K extends RowJobName> = ReturnType<RowJobs[K]['merge']>;
