/**
 * Nearest neighbours of an anchor straight from its block index: its positives are sorted by
 * (distance, id) and its negatives by (distance bits, id), so the neighbours in order are a merge
 * of the two lists, O(k) per anchor instead of a selection over N. The order is knn.ts's (ascending
 * float32 distance, ties by the smaller index), so the retrieval values below are the ones
 * `retrievalRows` computes, bit for bit.
 */
import { floatOf, negIdAt, type IndexData } from './censusIndexData';

/**
 * Walks anchor i's nearest neighbours (itself excluded) in order, calling `visit(id, distance,
 * sameClass)` until it returns false or `count` were visited. Without `wantIds` a negative's id is
 * read only to break a distance tie with a positive (and `id` is -1): an index that keeps only the
 * nearest negatives' ids then need not recover the rest.
 */
export function walkNearest(
  idx: IndexData,
  i: number,
  count: number,
  wantIds: boolean,
  visit: (id: number, dist: number, same: boolean) => boolean,
): void {
  const p0 = idx.posOff[i],
    P = idx.posOff[i + 1] - p0,
    off = idx.negOff[i],
    neg = idx.negOff[i + 1] - off;
  const r1 = idx.runOff[i + 1];
  let q = 0,
    j = 0,
    run = idx.runOff[i],
    nextRun = run + 1 < r1 ? idx.runStart[run + 1] : neg;
  for (let seen = 0; seen < count && (q < P || j < neg); seen++) {
    let negValue = Infinity,
      negId = -1;
    if (j < neg) {
      while (j >= nextRun) {
        run++;
        nextRun = run + 1 < r1 ? idx.runStart[run + 1] : neg;
      }
      negValue = floatOf(((idx.runUpper[run] << 16) | idx.lower[off + j]) >>> 0);
    }
    const tie = q < P && j < neg && idx.posDist[p0 + q] === negValue;
    if (j < neg && (wantIds || tie)) negId = negIdAt(idx, i, j);
    const takePos = q < P && (j >= neg || idx.posDist[p0 + q] < negValue || (tie && idx.posId[p0 + q] < negId));
    const keep = takePos ? visit(idx.posId[p0 + q], idx.posDist[p0 + q], true) : visit(negId, negValue, false);
    if (takePos) q++;
    else j++;
    if (!keep) return;
  }
}

/**
 * PML AccuracyCalculator's values for anchor i as the query (R = the other samples of its class):
 * precision@1, R-precision and AP@R, in retrievalRows' arithmetic; NaN for a lone query (R = 0).
 */
export function retrievalOf(idx: IndexData, i: number): { p1: number; rp: number; ap: number } {
  const R = idx.posOff[i + 1] - idx.posOff[i];
  if (R < 1) return { p1: NaN, rp: NaN, ap: NaN };
  let hits = 0,
    apSum = 0,
    rank = 0,
    first = 0;
  walkNearest(idx, i, R, false, (_id, _d, same) => {
    if (same) {
      hits++;
      apSum += hits / (rank + 1);
      if (rank === 0) first = 1;
    }
    rank++;
    return true;
  });
  return { p1: first, rp: hits / R, ap: apSum / R };
}

/**
 * Anchor i's k nearest neighbours (ids and distances) written at `at` in the output arrays; with
 * `includeSelf` the anchor itself comes first at distance 0 and counts in k (exactKnn's layout).
 */
export function nearestOf(
  idx: IndexData,
  i: number,
  a: number,
  k: number,
  includeSelf: boolean,
  ids: Int32Array,
  dists: Float32Array,
  at: number,
): void {
  let o = at;
  if (includeSelf && k > 0) {
    ids[o] = a;
    dists[o] = 0;
    o++;
  }
  walkNearest(idx, i, includeSelf ? k - 1 : k, true, (id, d) => {
    ids[o] = id;
    dists[o] = d;
    o++;
    return true;
  });
}
