/**
 * The margin table over the analysis workers: the census at every slider position, built in the
 * background chunk by chunk (engine/marginTable.ts), yielding to any foreground request.
 */
import {
  checkMargins,
  mergeMarginTable,
  mergeSmallestT,
  type MarginTable,
  type MarginTablePart,
} from '../engine/marginTable';
import type { WorstTriplet } from '../engine/census';
import { abortError } from '../engine/types';
import { requestYielding, type PoolAccess } from './poolAccess';
import type { WorkerSlot } from './workerSlot';

/** `AnalysisClient.marginTable`'s answer: the table and what `worstAt` needs. */
export interface MarginTableResult {
  table: MarginTable;
  /** The topK + 32 smallest-t triplets with t < limit, in (t, ids) order, and whether there were no more. */
  smallest: WorstTriplet[];
  complete: boolean;
  limit: number;
  topK: number;
}

/** Options of the margin table job. */
export interface MarginTableOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Anchors per request (default 32). */
  chunk?: number;
}

/** See AnalysisClient.marginTable. */
export async function marginTableJob(
  pool: PoolAccess,
  margins: Float64Array,
  topK: number,
  opts: MarginTableOptions = {},
): Promise<MarginTableResult> {
  checkMargins(margins);
  const n = pool.input().n,
    chunk = Math.max(1, Math.floor(opts.chunk ?? 32));
  const slots = await pool.indexedSlots();
  const ranges = pool.ranges(slots.length);
  // Cancelled: the chunk in progress stops too (not only the next ones).
  const onAbort = () => {
    for (const s of slots) s.yieldBackground();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let done = 0;
  const runSlot = async (s: WorkerSlot, from: number, to: number): Promise<MarginTablePart[]> => {
    const parts: MarginTablePart[] = [];
    s.background++;
    try {
      for (let a = from; a < to;) {
        const end = Math.min(to, a + chunk);
        parts.push(
          await requestYielding(
            s,
            (stopEpoch) => s.request('marginTable', { margins, from: a, to: end, stopEpoch }),
            opts.signal,
          ),
        );
        done += end - a;
        opts.onProgress?.(done / n);
        a = end;
      }
    } finally {
      s.background--;
    }
    return parts;
  };
  let parts: MarginTablePart[];
  try {
    parts = (await Promise.all(slots.map((s, i) => runSlot(s, ranges[i].rowStart, ranges[i].rowEnd)))).flat();
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) throw abortError();
  const limit = margins[margins.length - 1],
    count = Math.max(0, Math.floor(topK)) + 32;
  const smallest = await Promise.all(slots.map((s) => s.request('smallestT', { limit, k: count })));
  const { list, complete } = mergeSmallestT(smallest, count);
  return { table: mergeMarginTable(parts, n), smallest: list, complete, limit, topK: count - 32 };
}
