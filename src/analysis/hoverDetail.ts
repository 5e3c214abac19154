/**
 * The hover detail of one anchor: its hardest positive and its violating negatives, nearest first
 * (ties by index), capped. One distance row, computed on demand. Pure: no `vscode`, no DOM.
 */
import { distanceRows } from '../engine/distances';
import type { DistanceOptions } from '../engine/types';

/** `x`: the embeddings as the distance reads them (prepared for `options`); `hardestPositive` per anchor (-1 without).
 */
export function hoverDetail(
  x: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  options: DistanceOptions,
  hardestPositive: Int32Array,
  index: number,
  margin: number,
  cap: number,
): { hardestPositive: number; negatives: number[] } {
  const hp = hardestPositive[index];
  if (hp < 0) return { hardestPositive: -1, negatives: [] };
  const row = distanceRows(x, n, dim, index, index + 1, options.distance);
  const limit = row[hp] + margin;
  const negs: number[] = [];
  for (let j = 0; j < n; j++) if (labels[j] !== labels[index] && row[j] <= limit) negs.push(j);
  negs.sort((a, b) => row[a] - row[b] || a - b);
  return { hardestPositive: hp, negatives: negs.slice(0, cap) };
}
