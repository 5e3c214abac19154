/**
 * The in-memory recount at a new margin, as a census view: quick while the slider moves, full once
 * it rests (streamingRecounts.ts has the streaming ones). Pure: the session decides when to run
 * it, and publishes what it returns.
 */
import type { AnalysisSettings, CensusView } from '../shared/protocol';
import type { AnalysisClient } from '../worker/client';
import { fullView, quickView, type IndexFacts, type ViewContext } from './censusViews';
import type { NtXentCache } from './ntXentCache';

/** What a recount needs besides the settings. */
export interface RecountContext {
  client: AnalysisClient;
  ctx: ViewContext;
  facts: IndexFacts;
  ntXent: NtXentCache;
  /** Worst-list length wanted. */
  topK: number;
  /** True once the session closed (a failure then is not worth a warning). */
  gone: () => boolean;
}

/**
 * The in-memory census at settings `s`. Quick (`full` false, while the slider moves): counts,
 * losses, worst list, per-anchor numbers, colours and class rates on the engine's fast path; class
 * pairs and per-sample positive / negative counts stay those of `prev` (`partial`). A
 * `preemptible` recount rejects with an AbortError when preempted.
 */
export async function memoryRecount(
  r: RecountContext,
  s: AnalysisSettings,
  prev: CensusView | undefined,
  full: boolean,
  preemptible: boolean,
): Promise<CensusView> {
  const t0 = Date.now();
  if (!prev) full = true;
  const c = await r.client.census(s.margin, {
    topK: r.topK,
    perSample: full,
    classPairs: full,
    perAnchor: !full,
    preemptible,
  });
  let semihard: CensusView['semihard'];
  if (s.mining === 'semi-hard') {
    const sh = await r.client.semihard(s.margin);
    semihard = { meanLoss: sh.meanLoss, pairs: sh.pairs };
  }
  const ntXent = await r.ntXent.get(s.temperature, r.gone);
  const pa = c.perAnchor;
  if (!full && prev && pa)
    return quickView(
      r.ctx,
      s,
      prev,
      r.facts,
      c,
      c.worst,
      pa.violAsAnchor,
      Float32Array.from(pa.lossAsAnchor),
      semihard,
      ntXent,
      Date.now() - t0,
    );
  return fullView(r.ctx, s, c, r.facts, semihard, ntXent, Date.now() - t0);
}
