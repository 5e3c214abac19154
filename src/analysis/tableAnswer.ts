/**
 * The census at a slider position answered from the margin table, without the workers: counts,
 * worst list, per-anchor numbers and class rates at that position. Pure (the session publishes it).
 */
import { tableCounts } from '../engine/marginTable';
import type { AnalysisSettings, CensusView } from '../shared/protocol';
import { positionOf } from '../shared/marginTableView';
import { worstAt } from '../shared/worstAt';
import { classViolationRatesFromClassSums } from './derive';
import { nearestPosition, quickView, type IndexFacts, type ViewContext } from './censusViews';
import type { TableSource } from './streaming';

/** The margin table a session keeps, with the facts it was built for. */
export type SessionTable = TableSource & {
  facts: IndexFacts;
  ms: number;
  view?: unknown;
  classViolating?: Float64Array;
};

/** What answering from the table needs besides the table. */
export interface TableQuestion {
  ctx: ViewContext;
  settings: AnalysisSettings;
  /** The census shown now (its class pairs and per-sample positive / negative counts carry over). */
  prev: CensusView;
  facts: IndexFacts;
  /** Worst-list length wanted. */
  topK: number;
  /** Streaming: a typed margin between positions is answered at the nearest position, said so. */
  streaming: boolean;
  ntXent: CensusView['ntXent'];
}

/**
 * The census at `q.settings.margin` from table `t` when it holds it (a slider position, or the
 * nearest one when streaming; the worst list decidable across ties), else undefined. `exact` is
 * true when the margin is a position itself (the quick recount then has nothing to add).
 */
export function answerFromTable(t: SessionTable, q: TableQuestion): { view: CensusView; exact: boolean } | undefined {
  const s = q.settings,
    n = q.ctx.n;
  let k = positionOf(t.table.margins, s.margin);
  if (k < 0 && q.streaming) k = nearestPosition(t.table.margins, s.margin);
  if (k < 0 || q.topK > t.topK) return undefined;
  const shown = t.table.margins[k];
  const worst = worstAt(t.smallest, t.complete, t.limit, shown, q.topK);
  if (!worst) return undefined;
  const t0 = performance.now();
  const columns = t.table.violAsAnchor.length === t.table.margins.length * n;
  const viol = columns ? t.table.violAsAnchor.subarray(k * n, (k + 1) * n) : q.prev.violAsAnchor;
  const loss = columns ? t.table.lossAsAnchor.slice(k * n, (k + 1) * n) : q.prev.lossAsAnchor;
  const rates = t.classViolating ? classViolationRatesFromClassSums(t.classViolating, k, q.ctx.sizes) : undefined;
  const view = quickView(
    q.ctx,
    s,
    q.prev,
    q.facts,
    tableCounts(t.table, k),
    worst,
    viol,
    loss,
    undefined,
    q.ntXent,
    performance.now() - t0,
    rates,
  );
  return {
    view: { ...view, fromTable: true, shownMargin: shown !== s.margin ? shown : undefined, estimate: undefined },
    exact: shown === s.margin,
  };
}
