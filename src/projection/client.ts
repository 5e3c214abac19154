/**
 * `ProjectionClient`: the extension host's (and the CLI's) handle on the projection worker, over
 * worker/rpc.ts. Plain Node, no `vscode`.
 *
 * One worker thread, started on the first job and kept for the next ones (the tfjs backend the
 * kNN uses starts once). Jobs run one at a time in call order. Aborting a job terminates the
 * worker (an epoch loop cannot be interrupted any other way) and rejects with an AbortError; the
 * next job starts a fresh worker. `dispose()` terminates it and rejects whatever is pending.
 */
import * as path from 'node:path';
import { abortError, type Progress } from '../engine/types';
import { RpcWorker } from '../worker/rpcWorker';
import type { LayoutInput, LayoutParams } from './params';
import type { PcaOptions } from './pca';
import type { LayoutReply, ProjectionMethods } from './projectionMethods';

/** Construction options. */
export interface ProjectionClientOptions {
  /** The bundled worker (default dist/projectionWorker.js beside this bundle). */
  workerScript?: string;
}

/** Runs UMAP and PCA in a worker thread; see the file comment. */
export class ProjectionClient {
  private readonly script: string;
  private worker: RpcWorker<ProjectionMethods> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** The engine backend ('wasm', 'tensorflow', 'js') the worker's kNN used in the last job, for diagnostics. */
  lastBackend: string | undefined;

  constructor(opts: ProjectionClientOptions = {}) {
    this.script = opts.workerScript ?? path.join(__dirname, 'projectionWorker.js');
  }

  /**
   * The n x 2 UMAP layout of `input` (see `computeLayout`), computed in the worker. Progress arrives
   * through `progress.onProgress`; an abort of `progress.signal` rejects with an AbortError.
   */
  compute(input: LayoutInput, params: LayoutParams, progress?: Progress): Promise<Float32Array> {
    return this.computeWithNote(input, params, progress).then((r) => r.layout);
  }

  /** The same, with how its neighbours were found ("approximate neighbours (NN-descent), recall 0.982 on 200 sampled
   * rows"). */
  computeWithNote(input: LayoutInput, params: LayoutParams, progress?: Progress): Promise<LayoutReply> {
    return this.enqueue((w) => w.request('umap', { input, params }, progress?.onProgress), progress).then((r) => {
      this.lastBackend = r.backend;
      return r;
    });
  }

  /** The PCA layout of `input` (pca.ts) and a note on it ("31 % of the variance"), computed in the worker. */
  pca(input: LayoutInput, options: PcaOptions, progress?: Progress): Promise<LayoutReply> {
    return this.enqueue((w) => w.request('pca', { input, options }, progress?.onProgress), progress);
  }

  /** Terminates the worker; pending and later calls reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.worker?.terminate(new Error('The projection client was disposed'));
    this.worker = undefined;
  }

  /** Runs `job` after the jobs queued before it, on a live worker, cancelled by `progress.signal`. */
  private enqueue(
    job: (w: RpcWorker<ProjectionMethods>) => Promise<LayoutReply>,
    progress?: Progress,
  ): Promise<LayoutReply> {
    const run = this.chain.then(async () => {
      if (this.disposed) throw new Error('The projection client was disposed');
      const signal = progress?.signal;
      if (signal?.aborted) throw abortError();
      if (!this.worker || this.worker.isDead)
        this.worker = new RpcWorker<ProjectionMethods>(this.script, 'projection worker');
      const w = this.worker;
      const onAbort = () => w.terminate(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await job(w);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
