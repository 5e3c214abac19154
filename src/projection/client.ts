/**
 * `ProjectionClient`: the extension host's (and the CLI's, if it wants) handle on the projection
 * worker. Plain Node, no `vscode`.
 *
 * One worker thread, started on the first `compute` and kept for the next ones (the tfjs
 * backend the kNN uses starts once). Jobs run one at a time in call order. Aborting a job
 * terminates the worker (an epoch loop cannot be interrupted any other way) and rejects with an
 * AbortError; the next job starts a fresh worker. `dispose()` terminates it and rejects whatever
 * is pending.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortError, type Progress } from '../engine/types';
import type { LayoutInput, LayoutParams } from './params';
import type { PcaOptions } from './pca';
import type { FromProjectionWorker, ToProjectionWorker } from './workerProtocol';

/** Construction options. */
export interface ProjectionClientOptions {
  /** The bundled worker (default dist/projectionWorker.js beside this bundle). */
  workerScript?: string;
}

interface Job {
  id: number;
  reject(e: Error): void;
}

/** Runs `computeLayout` in a worker thread; see the file comment. */
export class ProjectionClient {
  private readonly script: string;
  private worker: Worker | undefined;
  private current: Job | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private disposed = false;
  /** The engine backend ('wasm', 'tensorflow', 'js') the worker's kNN used in the last job, for diagnostics. */
  lastBackend: string | undefined;

  constructor(opts: ProjectionClientOptions = {}) {
    this.script = opts.workerScript ?? path.join(__dirname, 'projectionWorker.js');
  }

  /**
   * The n x 2 layout of `input` (see `computeLayout`), computed in the worker. Progress arrives
   * through `progress.onProgress`; an abort of `progress.signal` rejects with an AbortError.
   */
  compute(input: LayoutInput, params: LayoutParams, progress?: Progress): Promise<Float32Array> {
    return this.computeWithNote(input, params, progress).then((r) => r.layout);
  }

  /** The same, with how its neighbours were found ("approximate neighbours (NN-descent), recall 0.982 on 200 sampled rows"). */
  computeWithNote(input: LayoutInput, params: LayoutParams, progress?: Progress): Promise<{ layout: Float32Array; note: string }> {
    return this.enqueue((id) => ({ type: 'compute', id, input, params }), progress);
  }

  /** The PCA layout of `input` (pca.ts) and a note on it ("31 % of the variance"), computed in the worker. */
  pca(input: LayoutInput, options: PcaOptions, progress?: Progress): Promise<{ layout: Float32Array; note: string }> {
    return this.enqueue((id) => ({ type: 'pca', id, input, options }), progress);
  }

  private enqueue(message: (id: number) => ToProjectionWorker, progress?: Progress): Promise<{ layout: Float32Array; note: string }> {
    const job = this.chain.then(() => this.run(message, progress));
    this.chain = job.catch(() => undefined);
    return job;
  }

  /** Terminates the worker; pending and later calls reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.current?.reject(new Error('The projection client was disposed'));
    this.kill();
  }

  private run(message: (id: number) => ToProjectionWorker, progress?: Progress): Promise<{ layout: Float32Array; note: string }> {
    if (this.disposed) return Promise.reject(new Error('The projection client was disposed'));
    const signal = progress?.signal;
    if (signal?.aborted) return Promise.reject(abortError());
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<{ layout: Float32Array; note: string }>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        if (this.current?.id === id) this.current = undefined;
        worker.unref();
      };
      const fail = (e: Error) => {
        cleanup();
        reject(e);
      };
      const onMessage = (m: FromProjectionWorker) => {
        if (m.id !== id) return;
        if (m.type === 'progress') {
          progress?.onProgress?.(m.fraction, m.message);
        } else if (m.type === 'done') {
          this.lastBackend = m.backend;
          cleanup();
          resolve({ layout: m.layout, note: m.note ?? '' });
        } else if (m.type === 'error') {
          const e = new Error(m.message);
          e.name = m.name;
          fail(e);
        }
      };
      const onError = (e: Error) => {
        this.forget(worker);
        fail(e);
      };
      const onExit = (code: number) => {
        this.forget(worker);
        fail(new Error(`the projection worker stopped (exit code ${code})`));
      };
      const onAbort = () => {
        fail(abortError());
        this.kill();
      };
      this.current = { id, reject: fail };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Keep the process alive while a job runs (the idle worker is unref'd).
      worker.ref();
      worker.postMessage(message(id));
    });
  }

  private spawn(): Worker {
    const w = new Worker(this.script);
    // A worker that only waits for the next job must not keep a CLI process alive.
    w.unref();
    return w;
  }

  private forget(w: Worker): void {
    if (this.worker === w) this.worker = undefined;
  }

  private kill(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}
