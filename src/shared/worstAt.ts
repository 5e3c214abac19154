/**
 * The worst-triplet list at any margin from a short list of the smallest-t triplets, ranked as the
 * engine's recount ranks it. Pure and shared: the host answers slider positions with it, and the
 * sidebar does the same locally, so both give the same rows.
 */
import type { TripletRow } from './protocol';

/** The recount's total order: larger loss first, then (anchor, positive, negative) ascending. */
export function rankWorst(w: TripletRow, v: TripletRow): number {
  if (w.loss !== v.loss) return w.loss > v.loss ? -1 : 1;
  return w.anchor - v.anchor || w.positive - v.positive || w.negative - v.negative;
}

/**
 * The worst `k` triplets at margin m (loss m - (dan - dap), the recount's expression), from
 * `smallest`: the first triplets in (t, ids) order with t < `limit`, more than k of them
 * (`complete` when there were no more). Every other triplet has a t at least the list's last, so
 * a loss at most the last one's: when that is below the k-th loss, none can enter. Undefined when
 * the list cannot decide (a tie across its end: ask the engine), or m > limit.
 */
export function worstAt(
  smallest: readonly TripletRow[],
  complete: boolean,
  limit: number,
  m: number,
  k: number,
): TripletRow[] | undefined {
  if (!(m <= limit)) return undefined;
  const list = smallest
    .map((w) => ({
      anchor: w.anchor,
      positive: w.positive,
      negative: w.negative,
      loss: m - (w.dan - w.dap),
      dap: w.dap,
      dan: w.dan,
    }))
    .filter((w) => w.loss > 0)
    .sort(rankWorst);
  if (!complete && k > 0) {
    if (!(smallest.length > k)) return undefined;
    const last = smallest[smallest.length - 1],
      bound = m - (last.dan - last.dap);
    // bound <= 0: nothing outside has a loss; otherwise the last is in the list, so list.length > k - 1.
    if (bound > 0 && !(bound < list[k - 1].loss)) return undefined;
  }
  return list.slice(0, k);
}
