/**
 * One analysis worker thread as the client sees it: starts it, sends typed requests, routes
 * replies and progress by id, and fails every pending request when the worker is terminated or
 * dies. Keeps the process alive only while requests are pending (so a CLI that forgets
 * `dispose()` still exits).
 */
import { Worker } from 'node:worker_threads';
import { fromErrorInfo, Method, Params, ReplyMessage, RequestMessage, Result } from './rpc';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (fraction: number, message: string) => void;
}

/** Error with name 'AbortError' (the engine's cancellation contract). */
export function abortError(message = 'The operation was cancelled'): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

/** A started worker thread and its pending requests. */
export class WorkerSlot {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;
  /** Whether this worker holds a census index for the client's current index options. */
  indexed = false;
  /** The distance backend the worker reported for its latest dataset (rejects if that failed). */
  ready: Promise<string> = Promise.resolve('unknown');

  /**
   * Shared stop counters (workerData.stop): bumping [0] stops the worker's preemptible censuses at
   * once, bumping [1] its background work (the margin table's chunks).
   */
  private readonly stop = new Int32Array(new SharedArrayBuffer(8));
  /** Background requests in flight (yieldBackground only bumps the counter when there are some). */
  background = 0;

  constructor(script: string) {
    this.worker = new Worker(script, { workerData: { stop: this.stop } });
    this.worker.unref();
    this.worker.on('message', (m: ReplyMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    this.worker.on('exit', (code) => this.fail(new Error(`analysis worker exited (code ${code})`)));
  }

  /** True once the worker was terminated or died; a dead slot is replaced, never reused. */
  get isDead(): boolean {
    return this.dead !== undefined;
  }

  /** Sends a request; resolves with its result, rejects with the worker's error (name kept). */
  request<M extends Method>(method: M, params: Params<M>, onProgress?: (fraction: number, message: string) => void, transfer: ArrayBuffer[] = []): Promise<Result<M>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      if (this.pending.size === 1) this.worker.ref();
      const msg: RequestMessage<M> = { type: 'request', id, method, params };
      this.worker.postMessage(msg, transfer);
    });
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

  /** Terminates the thread; every pending request rejects with `reason`. */
  terminate(reason: Error): void {
    this.fail(reason);
  }

  private onMessage(m: ReplyMessage): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.fraction, m.message);
      return;
    }
    this.settle(m.id);
    if (m.type === 'result') p.resolve(m.ok);
    else p.reject(fromErrorInfo(m.error));
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(reason: Error): void {
    if (this.dead) return;
    this.dead = reason;
    void this.worker.terminate();
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(reason);
  }
}
