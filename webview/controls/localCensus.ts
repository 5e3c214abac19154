/**
 * Answers a slider position in the sidebar itself, from the host's margin table: the census the
 * host would send for that margin, without the round trip (webview → host → webview), so a moved
 * slider shows its counts in the same frame. Pure: no DOM, unit-tested in Node.
 *
 * Only what the table holds: a margin on the slider's grid, the index the table was counted on
 * (distance, normalisation), no semi-hard mining (its loss needs the workers), and a previous
 * census under the same settings for the margin-independent parts (retrieval, NT-Xent) and the
 * parts a quick census leaves as they were (class pairs: `partial`). Otherwise undefined, and the
 * host's answer is awaited as before.
 */
import type { AnalysisSettings } from '../../src/shared/protocol';
import { positionOf, viewCounts, type MarginTableView } from '../../src/shared/marginTableView';
import { worstAt } from '../../src/shared/worstAt';
import type { ControlsCensus } from './summary';

/** Whether two settings agree on everything but the margin. */
export function sameButMargin(a: AnalysisSettings, b: AnalysisSettings): boolean {
  return (
    a.distance === b.distance &&
    a.normalize === b.normalize &&
    a.convention === b.convention &&
    a.mining === b.mining &&
    a.temperature === b.temperature
  );
}

/**
 * The census at margin m from the table, or undefined when the table cannot answer it. `topK`:
 * the worst list's length the host uses now (embeddingInspector.worstTriplets, from its state).
 */
export function localCensus(
  view: MarginTableView | undefined,
  prev: ControlsCensus | undefined,
  current: AnalysisSettings | undefined,
  m: number,
  topK: number | undefined,
): ControlsCensus | undefined {
  if (!view || !prev || !current || current.mining === 'semi-hard' || !sameButMargin(prev.settings, current))
    return undefined;
  if (view.distance !== current.distance || view.normalize !== current.normalize) return undefined;
  if (!(topK !== undefined && topK >= 0 && topK <= view.topK)) return undefined;
  const k = positionOf(view.margins, m);
  if (k < 0) return undefined;
  const worst = worstAt(view.smallest, view.complete, view.limit, m, topK);
  if (!worst) return undefined;
  const c = viewCounts(view, k);
  return {
    ...prev,
    settings: { ...current, margin: m },
    triplets: c.triplets,
    counts: current.convention === 'pml' ? c.pml : c.facenet,
    pml: c.pml,
    facenet: c.facenet,
    lossSum: c.lossSum,
    meanLoss: c.meanLoss,
    meanLossNonZero: c.meanLossNonZero,
    worst,
    classViolationRate: c.classViolationRate,
    batchHard: c.batchHard,
    semihard: undefined,
    elapsedMs: 0,
    partial: true,
    fromTable: true,
  };
}

/** Whether the host's census `c` shows exactly what the local answer `shown` already shows (then it need not be
 * redrawn). */
export function sameAnswer(c: ControlsCensus, shown: ControlsCensus | undefined): boolean {
  if (!shown || !c.fromTable || !shown.fromTable) return false;
  const s = c.settings,
    t = shown.settings;
  if (s.margin !== t.margin || !sameButMargin(s, t)) return false;
  if (
    c.counts.violating !== shown.counts.violating ||
    !Object.is(c.lossSum, shown.lossSum) ||
    c.worst.length !== shown.worst.length
  )
    return false;
  return c.worst.every((w, i) => {
    const v = shown.worst[i];
    return w.anchor === v.anchor && w.positive === v.positive && w.negative === v.negative && Object.is(w.loss, v.loss);
  });
}
