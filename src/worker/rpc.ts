/**
 * The one request/reply protocol between the host (or the CLI) and every worker thread — the
 * analysis workers (analysisMethods.ts) and the projection worker (projection/projectionMethods.ts).
 *
 * - A worker serves a method table `{ [method]: { params; result } }`. Every request carries an id;
 *   the worker answers exactly once with `result` (the value in `ok`) or `error`, and may send any
 *   number of `progress` messages for that id before.
 * - A worker runs requests one at a time in arrival order (rpcServer.ts), so a client can post
 *   several back to back without waiting.
 * - Typed arrays travel by structured clone; results may be sent with a transfer list (their
 *   buffers move instead of being copied). Cancellation is not a message: the client terminates
 *   the worker (rpcWorker.ts), or bumps a shared stop counter the computation polls.
 */

/** Methods a worker serves: each one's parameters and result. */
export type MethodTable = { [method: string]: { params: unknown; result: unknown } };

/** Client -> worker. */
export interface RequestMessage<T extends MethodTable = MethodTable, M extends keyof T & string = keyof T & string> {
  type: 'request';
  id: number;
  method: M;
  params: T[M]['params'];
}

/**
 * A serialisable error (Error objects lose their name and fields across threads): its name, message
 * and stack, and its own plain fields (an InputError's `file` and `problem`…) in `fields`.
 */
export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  fields?: Record<string, unknown>;
}

/** Worker -> client. */
export type ReplyMessage =
  /** The request succeeded; `ok` is its result. */
  | { type: 'result'; id: number; ok: unknown }
  /** The request failed. */
  | { type: 'error'; id: number; error: ErrorInfo }
  /** Progress of a running request (fraction 0..1). */
  | { type: 'progress'; id: number; fraction: number; message: string };

/**
 * The buffers of every typed array inside `value` (own enumerable properties, arrays, nested
 * plain objects), each once, for a postMessage transfer list. Shared buffers are skipped.
 * Only pass values whose arrays the sender no longer needs: transferred buffers are detached.
 */
export function transferablesOf(value: unknown, out = new Set<ArrayBuffer>(), depth = 0): ArrayBuffer[] {
  if (depth > 4 || value === null || typeof value !== 'object') return [...out];
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
    return [...out];
  }
  const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const v of items) if (v !== null && typeof v === 'object') transferablesOf(v, out, depth + 1);
  return [...out];
}

/** Turns any thrown value into an ErrorInfo. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (
      v === null ||
      ['string', 'number', 'boolean'].includes(typeof v) ||
      (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    )
      fields[k] = v;
  }
  return { name: e.name, message: e.message, stack: e.stack, ...(Object.keys(fields).length ? { fields } : {}) };
}

/** Rebuilds an Error with the original name and fields (so `AbortError`, `RangeError`, `InputError` survive). */
export function fromErrorInfo(info: ErrorInfo): Error {
  const e = new Error(info.message);
  if (info.fields) Object.assign(e, info.fields);
  e.name = info.name;
  if (info.stack) e.stack = info.stack;
  return e;
}

/** Splits [0, n) into `parts` contiguous ranges of near-equal size (none empty when parts <= n). */
export function splitRows(n: number, parts: number): { rowStart: number; rowEnd: number }[] {
  const p = Math.max(1, Math.min(parts, n));
  return Array.from({ length: p }, (_, i) => ({
    rowStart: Math.floor((i * n) / p),
    rowEnd: Math.floor(((i + 1) * n) / p),
  }));
}
