/**
 * The k nearest neighbours of one sample in the original space (the current distance and
 * normalisation), for the projection's neighbours list: one distance row, never a matrix, so a
 * click answers at once at 100 000 samples. Pure: no `vscode`, no DOM.
 *
 * Order: ascending distance, ties by the smaller index (the engine's order everywhere). The sample
 * itself is left out; a duplicate of it is a neighbour at distance 0.
 */
import { distanceRows } from '../engine/distances';
import type { DistanceKind } from '../engine/types';

/** One neighbour: its index, its distance (the user's distance) and whether it shares the label. */
export interface Neighbour {
  index: number;
  distance: number;
  sameClass: boolean;
}

/** The list and the rank (1-based, among all other samples) of the nearest sample of the same class; -1 when the class
 * has no other sample. */
export interface Neighbours {
  index: number;
  k: number;
  items: Neighbour[];
  firstSameRank: number;
}

/** `x`: the embeddings as `distance` reads them (already normalised when the setting says so). */
export function nearestNeighbours(
  x: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  distance: DistanceKind,
  index: number,
  k: number,
): Neighbours {
  if (!(Number.isInteger(index) && index >= 0 && index < n)) throw new RangeError(`no sample ${index} (n = ${n})`);
  const row = distanceRows(x, n, dim, index, index + 1, distance);
  const before = (a: number, b: number) => row[a] < row[b] || (row[a] === row[b] && a < b);
  // Bounded insertion into the k best: O(n k) worst case, O(n) typically (k is small).
  const want = Math.max(0, Math.min(k, n - 1));
  const best: number[] = [];
  let same = -1;
  for (let j = 0; j < n; j++) {
    if (j === index) continue;
    if (labels[j] === labels[index] && (same < 0 || before(j, same))) same = j;
    if (want === 0) continue;
    if (best.length === want) {
      if (!before(j, best[want - 1])) continue;
      best.pop();
    }
    let p = best.length;
    best.push(j);
    while (p > 0 && before(j, best[p - 1])) {
      best[p] = best[p - 1];
      p--;
    }
    best[p] = j;
  }
  let firstSameRank = -1;
  if (same >= 0) {
    firstSameRank = 1;
    for (let j = 0; j < n; j++) if (j !== index && before(j, same)) firstSameRank++;
  }
  return {
    index,
    k: want,
    items: best.map((j) => ({ index: j, distance: row[j], sameClass: labels[j] === labels[index] })),
    firstSameRank,
  };
}
