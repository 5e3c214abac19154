/**
 * The census view the session publishes for a slider position answered from the margin table,
 * without the workers: the shared answer (shared/tableAnswer.ts, the sidebar's too) with the
 * per-anchor numbers and class rates the session's table keeps. Pure (the session publishes it).
 */
import type { AnalysisSettings, CensusView } from '../shared/protocol';
import { answerAt } from '../shared/tableAnswer';
import { classViolationRatesFromClassSums } from './derive';
import { quickView, type IndexFacts, type ViewContext } from './censusViews';
import type { KeptTable } from './marginTables';

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
export function censusFromTable(t: KeptTable, q: TableQuestion): { view: CensusView; exact: boolean } | undefined {
  const s = q.settings,
    n = q.ctx.n;
  const t0 = performance.now();
  const a = answerAt(t.answers, s.margin, q.topK, q.streaming);
  if (!a) return undefined;
  const k = a.k;
  const columns = t.table.violAsAnchor.length === t.table.margins.length * n;
  const viol = columns ? t.table.violAsAnchor.subarray(k * n, (k + 1) * n) : q.prev.violAsAnchor;
  const loss = columns ? t.table.lossAsAnchor.slice(k * n, (k + 1) * n) : q.prev.lossAsAnchor;
  const rates = t.classViolating ? classViolationRatesFromClassSums(t.classViolating, k, q.ctx.sizes) : undefined;
  const view = quickView(
    q.ctx,
    s,
    q.prev,
    q.facts,
    a,
    a.worst,
    viol,
    loss,
    undefined,
    q.ntXent,
    performance.now() - t0,
    rates,
  );
  return {
    view: { ...view, fromTable: true, shownMargin: a.exact ? undefined : a.margin, estimate: undefined },
    exact: a.exact,
  };
}
