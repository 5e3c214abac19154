/**
 * The worker side of rpc.ts: serves a method table on a port, one request at a time in arrival
 * order, with throttled progress and errors that keep their name. Used by the analysis worker and
 * the projection worker.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Progress } from '../engine/types';
import { toErrorInfo, transferablesOf, type MethodTable, type ReplyMessage, type RequestMessage } from './rpc';

/** One method's implementation: its params and a progress sink (no signal: cancellation is the client's). */
export type Handler<T extends MethodTable, M extends keyof T> = (
  params: T[M]['params'],
  progress: Progress,
) => Promise<T[M]['result']> | T[M]['result'];

/**
 * Every method's handler, and whether the result's buffers may be transferred (moved, not copied)
 * — false when the result shares arrays with state the worker keeps.
 */
export type Handlers<T extends MethodTable> = { [M in keyof T]: [Handler<T, M>, boolean] };

/** Serves `handlers` on `port`; progress goes out at most every `progressMs` (plus the final 100 %). */
export function serve<T extends MethodTable>(
  port: Pick<MessagePort, 'on' | 'postMessage'>,
  handlers: Handlers<T>,
  progressMs = 50,
): void {
  const post = (m: ReplyMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const handle = async (msg: RequestMessage<T>): Promise<void> => {
    const { id, method } = msg;
    let last = 0;
    const progress: Progress = {
      onProgress: (fraction, message) => {
        const now = Date.now();
        if (fraction < 1 && now - last < progressMs) return;
        last = now;
        post({ type: 'progress', id, fraction, message });
      },
    };
    try {
      const entry = Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : undefined;
      if (msg?.type !== 'request' || !entry) throw new Error(`unknown method ${String(method)}`);
      const result = await entry[0](msg.params, progress);
      post({ type: 'result', id, ok: result }, entry[1] ? transferablesOf(result) : []);
    } catch (e) {
      post({ type: 'error', id, error: toErrorInfo(e) });
    }
  };
  let queue = Promise.resolve();
  port.on('message', (msg: RequestMessage<T>) => {
    queue = queue.then(() => handle(msg));
  });
}
