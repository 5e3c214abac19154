/**
 * The histogram of t = d(a,n) - d(a,p) and the margin sweep derived from it. Pure: no DOM,
 * unit-tested in Node against brute force.
 *
 * Sweep: under the pml convention a triplet violates margin m when t <= m, so the share of violating
 * triplets as a function of m is the cumulative distribution of t. From a histogram we only know it
 * exactly at the bin edges; between edges it is interpolated linearly (t assumed uniform inside a
 * bin). The big violating number in the sidebar is the engine's exact count, never this estimate.
 */

/** Bins as the host sends them: `counts[i]` triplets with t in bin i = [edges[i], edges[i+1]). */
export interface Histogram {
  edges: Float64Array;
  counts: Float64Array;
  triplets: number;
}

/** Cumulative counts: `cum[i]` = triplets in bins 0..i-1 (length bins + 1, `cum[0] = 0`). */
export function cumulativeCounts(counts: ArrayLike<number>): Float64Array {
  const cum = new Float64Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) cum[i + 1] = cum[i] + counts[i];
  return cum;
}

/** Index i of the bin with edges[i] <= x < edges[i+1] (edges ascending, x inside the range). */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Estimated number of triplets with t <= x: exact at the edges, linear inside a bin, 0 below the
 * first edge and everything at or above the last.
 */
export function countAtOrBelow(edges: ArrayLike<number>, cum: ArrayLike<number>, x: number): number {
  const bins = edges.length - 1;
  if (bins < 1 || x < edges[0]) return 0;
  if (x >= edges[bins]) return cum[bins];
  const i = binIndex(edges, x);
  const width = edges[i + 1] - edges[i];
  const inBin = cum[i + 1] - cum[i];
  return cum[i] + (width > 0 ? (inBin * (x - edges[i])) / width : inBin);
}

/** The sweep curve: `share[j]` = estimated share of violating triplets at margin `margins[j]`. */
export interface Sweep {
  margins: Float64Array;
  share: Float64Array;
}

/**
 * Share of violating triplets (t <= m) for `points` margins evenly spaced over [from, to], divided
 * by `triplets` (the number of valid triplets; 0 gives an all-zero curve).
 */
export function sweepCurve(h: Histogram, from: number, to: number, points: number): Sweep {
  const n = Math.max(2, Math.floor(points));
  const cum = cumulativeCounts(h.counts);
  const margins = new Float64Array(n);
  const share = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const m = from + ((to - from) * j) / (n - 1);
    margins[j] = m;
    share[j] = h.triplets > 0 ? countAtOrBelow(h.edges, cum, m) / h.triplets : 0;
  }
  return { margins, share };
}

/**
 * The sweep from exact counts (the host's margin table: violating triplets at each slider
 * position). Unlike `sweepCurve` it is exact at every point; `share` = violating / triplets.
 */
export function exactSweep(margins: ArrayLike<number>, violating: ArrayLike<number>, triplets: number): Sweep {
  const n = Math.min(margins.length, violating.length);
  const out = { margins: new Float64Array(n), share: new Float64Array(n) };
  for (let j = 0; j < n; j++) {
    out.margins[j] = margins[j];
    out.share[j] = triplets > 0 ? violating[j] / triplets : 0;
  }
  return out;
}

/** The sweep's share at margin m, linear between its points (0 before the first, the last after). */
export function shareAt(s: Sweep, m: number): number {
  const n = s.margins.length;
  if (n === 0 || !(m >= s.margins[0])) return n ? s.share[0] : 0;
  if (m >= s.margins[n - 1]) return s.share[n - 1];
  const i = binIndex(s.margins, m),
    a = s.margins[i],
    b = s.margins[i + 1];
  return b > a ? s.share[i] + ((s.share[i + 1] - s.share[i]) * (m - a)) / (b - a) : s.share[i];
}

/** How a stretch of the t axis is drawn: hard (t <= 0), violating but not hard (0 < t <= m), easy. */
export type Zone = 'hard' | 'violating' | 'easy';

/** One coloured piece of a bar. */
export interface Segment {
  from: number;
  to: number;
  zone: Zone;
}

/**
 * Splits bin [lo, hi] at t = 0 and t = margin so a bar that straddles the margin line is coloured
 * on each side of it. Pieces come out left to right and cover [lo, hi] exactly.
 */
export function splitBin(lo: number, hi: number, margin: number): Segment[] {
  const cuts = [lo];
  for (const c of [0, margin]) if (c > lo && c < hi && c !== cuts[cuts.length - 1]) cuts.push(c);
  cuts.push(hi);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const mid = (cuts[i] + cuts[i + 1]) / 2;
    const zone: Zone = mid <= 0 ? 'hard' : mid <= margin ? 'violating' : 'easy';
    out.push({ from: cuts[i], to: cuts[i + 1], zone });
  }
  return out;
}

/**
 * Round tick values covering [min, max] with about `target` intervals, spaced 1, 2 or 5 times a
 * power of ten (the classic "nice numbers" axis).
 */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag; // nearest of 1, 2, 5, 10
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}
