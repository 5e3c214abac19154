/**
 * The census at a slider position answered from the margin table: the one answer both sides give.
 * The session publishes it (with the per-sample columns it keeps) and the sidebar shows it in the
 * frame the slider moves (webview/controls/localCensus.ts), so the sidebar's numbers are the
 * host's, bit for bit. Pure and shared: no `vscode`, no DOM.
 */
import type { CategoryCounts, TripletRow } from './model';
import { positionOf, totalsAt, type MarginAnswers } from './marginTableView';
import { worstAt } from './worstAt';

/** The census numbers at one position of the table. */
export interface TableAnswer {
  /** The position answered and its margin (`exact`: the margin asked; otherwise the nearest position's). */
  k: number;
  margin: number;
  exact: boolean;
  triplets: number;
  pml: CategoryCounts;
  facenet: CategoryCounts;
  lossSum: number;
  meanLoss: number;
  meanLossNonZero: number;
  batchHard: { meanLoss: number; violatingAnchors: number };
  /** The worst `topK` triplets at that margin, ranked as the engine's recount ranks them. */
  worst: TripletRow[];
}

/** Index of the margin nearest to m among ascending `margins` (the first of two as near; -1 when there is none). */
export function nearestPosition(margins: ArrayLike<number>, m: number): number {
  if (!margins.length || !Number.isFinite(m)) return -1;
  let best = 0;
  for (let k = 1; k < margins.length; k++) if (Math.abs(margins[k] - m) < Math.abs(margins[best] - m)) best = k;
  return best;
}

/**
 * The census at margin m from table `t` with a worst list of `topK`, or undefined when the table
 * cannot answer it: m is not a position (unless `nearest`: then the nearest position's numbers,
 * `exact` false), the table decides a shorter worst list only, or a tie crosses the end of its
 * smallest-t list (the engine must count it).
 */
export function answerAt(t: MarginAnswers, m: number, topK: number, nearest = false): TableAnswer | undefined {
  if (!(topK >= 0 && topK <= t.topK)) return undefined;
  let k = positionOf(t.margins, m);
  if (k < 0 && nearest) k = nearestPosition(t.margins, m);
  if (k < 0) return undefined;
  const shown = t.margins[k];
  const worst = worstAt(t.smallest, t.complete, t.limit, shown, topK);
  if (!worst) return undefined;
  return {
    k,
    margin: shown,
    exact: shown === m,
    ...totalsAt(t, k, t.lossSum[k]),
    batchHard: { meanLoss: t.batchHardLoss[k], violatingAnchors: t.batchHardViolating[k] },
    worst,
  };
}
