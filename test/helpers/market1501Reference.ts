/**
 * torchreid's eval_market1501 (torchreid/metrics/rank.py) written out in plain loops, as the
 * independent truth of the query / gallery tests (unit, CLI, integration): the gallery fully
 * sorted by (distance, gallery position), junk (same identity and camera) and the query's own row
 * removed, CMC from the first match, AP = mean precision at each correct rank, queries without a
 * match skipped.
 */
import type { QueryGallerySpec } from '../../src/engine/queryGallery';

/** Distance between dataset rows q and g, in float64 (or the engine's float32 values). */
export type Dist = (q: number, g: number) => number;

/** The metrics and each query's first-match rank (0: skipped) and AP (NaN: skipped). */
export function market1501Reference(labels: Int32Array, spec: QueryGallerySpec, dist: Dist) {
  const { queries, gallery, cameras } = spec;
  let valid = 0,
    r1 = 0,
    r5 = 0,
    r10 = 0,
    apSum = 0;
  const perQuery: { first: number; ap: number }[] = [];
  for (const q of queries) {
    const order = [...gallery.keys()].sort((a, b) => dist(q, gallery[a]) - dist(q, gallery[b]) || a - b);
    const raw: number[] = [];
    for (const gi of order) {
      const g = gallery[gi];
      if (g === q) continue;
      if (cameras && labels[g] === labels[q] && cameras[g] === cameras[q]) continue; // junk
      raw.push(labels[g] === labels[q] ? 1 : 0);
    }
    const numRel = raw.reduce((s, v) => s + v, 0);
    if (numRel === 0) {
      perQuery.push({ first: 0, ap: NaN });
      continue;
    }
    valid++;
    let cum = 0,
      ap = 0,
      first = 0;
    for (let i = 0; i < raw.length; i++) {
      cum += raw[i];
      if (raw[i]) {
        ap += cum / (i + 1);
        if (!first) first = i + 1;
      }
    }
    const cmc = (k: number) => (cum > 0 && first <= k ? 1 : 0);
    r1 += cmc(1);
    r5 += cmc(5);
    r10 += cmc(10);
    apSum += ap / numRel;
    perQuery.push({ first, ap: ap / numRel });
  }
  return { valid, rank1: r1 / valid, rank5: r5 / valid, rank10: r10 / valid, mAP: apSum / valid, perQuery };
}
