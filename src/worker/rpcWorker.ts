/**
 * The client side of rpc.ts: one worker thread serving the method table `T`. Starts it, sends
 * typed requests, routes replies and progress by id, and fails every pending request when the
 * worker is terminated or dies (a dead worker is replaced by its owner, never reused). Keeps the
 * process alive only while requests are pending, so a CLI that forgets to dispose still exits.
 */
import { Worker } from 'node:worker_threads';
import { fromErrorInfo, type MethodTable, type ReplyMessage, type RequestMessage } from './rpc';

type OnProgress = (fraction: number, message: string) => void;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: OnProgress;
}

/** A started worker thread serving `T`, and its pending requests. */
export class RpcWorker<T extends MethodTable> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;

  /** `name` is how errors call it ("analysis worker exited (code 1)"); `workerData` goes to the thread. */
  constructor(script: string, name: string, workerData?: unknown) {
    this.worker = new Worker(script, workerData === undefined ? {} : { workerData });
    this.worker.unref();
    this.worker.on('message', (m: ReplyMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    this.worker.on('exit', (code) => this.fail(new Error(`${name} exited (code ${code})`)));
  }

  /** True once the worker was terminated or died. */
  get isDead(): boolean {
    return this.dead !== undefined;
  }

  /** Sends a request; resolves with its result, rejects with the worker's error (name kept). */
  request<M extends keyof T & string>(
    method: M,
    params: T[M]['params'],
    onProgress?: OnProgress,
    transfer: ArrayBuffer[] = [],
  ): Promise<T[M]['result']> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T[M]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      if (this.pending.size === 1) this.worker.ref();
      const msg: RequestMessage<T, M> = { type: 'request', id, method, params };
      this.worker.postMessage(msg, transfer);
    });
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
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.type === 'result') p.resolve(m.ok);
    else p.reject(fromErrorInfo(m.error));
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
