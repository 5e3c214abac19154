/**
 * One pass over the distance matrix (engine/pass.ts) across the analysis workers: the anchors go
 * chunk by chunk, each worker taking the next chunk when it is free (so a busy core does not hold
 * the others back), and every chunk is joined exactly (the result does not depend on the split).
 * A background job: a foreground request sent meanwhile stops the chunk in progress, which is
 * redone after it. Cancelling stops the chunk in progress; the workers stay up.
 */
import { PassAccumulator } from '../engine/passResult';
import type { ChunkResult, PassSpec } from '../engine/passTypes';
import { abortError } from '../engine/types';
import { requestYielding, type PoolAccess } from './poolAccess';
import type { WorkerSlot } from './workerSlot';

/** Options of {@link AnalysisClient.pass}. */
export interface PassOptions {
  /** The anchors (dataset ids) to count; every sample by default (a sample's ids for an estimate). */
  anchors?: Int32Array;
  /** Or the anchors as given chunks (a sample's groups): each is one request and one `onChunk`. */
  chunks?: Int32Array[];
  /** Anchors per request (default spec.blockAnchors): the unit of progress, balancing and cancellation. */
  chunkAnchors?: number;
  /** Cancels the pass: the chunk in progress stops within a block, the workers stay up. */
  signal?: AbortSignal;
  /** After every chunk: anchors done and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Every chunk as it arrives (a sample's groups are chunks). */
  onChunk?: (chunk: ChunkResult) => void;
  /** Keep the margin table's per-anchor columns (positions x n x 8 bytes); otherwise only their class sums. */
  columns?: boolean;
  /** Use at most this many workers (the memory plan may ask for fewer). */
  workers?: number;
}

/** The chunks of a pass: given, or `chunkAnchors` of the anchors (every sample by default) at a time. */
function chunksOf(
  spec: PassSpec,
  opts: PassOptions,
  n: number,
): { chunks: (Int32Array | { start: number; end: number })[]; total: number } {
  if (opts.chunks) return { chunks: [...opts.chunks], total: opts.chunks.reduce((t, c) => t + c.length, 0) };
  const step = Math.max(1, Math.floor(opts.chunkAnchors ?? spec.blockAnchors));
  const total = opts.anchors ? opts.anchors.length : n;
  const chunks: (Int32Array | { start: number; end: number })[] = [];
  for (let a = 0; a < total; a += step) {
    const e = Math.min(total, a + step);
    // slice, not subarray: a posted view would carry its whole buffer along.
    chunks.push(opts.anchors ? opts.anchors.slice(a, e) : { start: a, end: e });
  }
  return { chunks, total };
}

/** Runs one pass (the caller runs passes one after another: a worker holds one pass). */
export async function passJob(pool: PoolAccess, spec: PassSpec, opts: PassOptions): Promise<PassAccumulator> {
  if (opts.signal?.aborted) throw abortError();
  const input = pool.input(),
    n = input.n;
  pool.dropIndex({ distance: spec.distance.distance, normalize: spec.distance.normalize });
  const all = pool.slots();
  const slots = all.slice(0, Math.max(1, Math.min(all.length, opts.workers ?? all.length)));
  const prepared = pool.prepared(spec.distance.normalize);
  const { chunks, total } = chunksOf(spec, opts, n);
  const acc = new PassAccumulator(spec, input.labels, input.classes, opts.columns !== false);
  const onAbort = () => {
    for (const s of slots) s.yieldBackground();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0,
    done = 0,
    failed = false;
  const runSlot = async (s: WorkerSlot): Promise<void> => {
    s.background++;
    try {
      while (next < chunks.length && !failed) {
        if (opts.signal?.aborted) throw abortError();
        const c = chunks[next++];
        const r = await requestYielding(
          s,
          (stopEpoch) => s.request('passChunk', { anchors: c, stopEpoch }),
          opts.signal,
        );
        acc.addChunk(r);
        done += r.anchors.length;
        opts.onChunk?.(r);
        opts.onProgress?.(done, total);
      }
    } finally {
      s.background--;
    }
  };
  let ended = false;
  try {
    await Promise.all(
      slots.map((s) => s.request('passBegin', { spec, prepared, finiteChecked: pool.finiteChecked(input) })),
    );
    // Every worker's loop ends before this pass does (one failing stops the others taking chunks):
    // no late chunk may reach the next pass's runner.
    const results = await Promise.allSettled(
      slots.map((s) =>
        runSlot(s).catch((e: unknown) => {
          failed = true;
          throw e;
        }),
      ),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    if (opts.signal?.aborted) throw abortError();
    for (const t of await Promise.all(slots.map((s) => s.request('passEnd', {})))) acc.addTotals(t);
    ended = true;
  } catch (e) {
    // A worker that ran out of memory or died mid-pass: say what it means for the user.
    if ((e as Error)?.name !== 'AbortError' && slots.some((s) => s.isDead)) {
      throw new Error(
        `an analysis worker stopped during the pass over ${n} samples (${(e as Error)?.message ?? e}); ` +
          'if it ran out of memory, lower the memory budget so fewer anchors are counted at once, or count a sample of anchors',
      );
    }
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // A cancelled or failed pass still frees the workers' runners (distance rows, index buffers, GEMM operand).
    if (!ended) await Promise.allSettled(slots.filter((s) => !s.isDead).map((s) => s.request('passEnd', {})));
  }
  return acc;
}
