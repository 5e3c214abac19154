/**
 * What makes a census independent of how anchors were split between workers: an exact float64
 * sum (Shewchuk partials, rounded once like Python's math.fsum), a top-K with a total order,
 * and the merge of anchor-range results.
 */
import type { CategoryCounts, CensusResult, WorstTriplet } from './censusTypes';

/** Adds x to non-overlapping partials (increasing magnitude) exactly. */
export function partialsAdd(partials: number[], x: number): void {
  let i = 0;
  for (let k = 0; k < partials.length; k++) {
    let y = partials[k];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y,
      lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** The correctly rounded value of the partials' exact sum (math.fsum's final step). */
export function partialsRound(partials: number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n],
    lo = 0;
  while (n > 0) {
    const x = hi,
      y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half-even across the remaining partials: only when lo is exactly half an ulp.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2,
      x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** True when w ranks before v: larger loss first, then (anchor, positive, negative) ascending. */
export function ranksBefore(w: WorstTriplet, v: WorstTriplet): boolean {
  if (w.loss !== v.loss) return w.loss > v.loss;
  if (w.anchor !== v.anchor) return w.anchor < v.anchor;
  if (w.positive !== v.positive) return w.positive < v.positive;
  return w.negative < v.negative;
}

/** Keeps the K best-ranked triplets offered; the root is the worst kept one. */
export class TopK {
  private heap: WorstTriplet[] = [];
  /** Whether some triplet offered (or passed over as unable to enter) was left out. */
  dropped = false;
  constructor(readonly k: number) {}
  get full(): boolean {
    return this.heap.length >= this.k;
  }
  get size(): number {
    return this.heap.length;
  }
  /** Loss of the worst kept triplet (only meaningful when full). */
  get minLoss(): number {
    return this.heap.length ? this.heap[0].loss : -Infinity;
  }
  offer(w: WorstTriplet): void {
    if (this.k <= 0) return;
    const h = this.heap;
    if (h.length < this.k) {
      h.push(w);
      for (let i = h.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!ranksBefore(h[p], h[i])) break;
        [h[p], h[i]] = [h[i], h[p]];
        i = p;
      }
    } else {
      this.dropped = true; // full: w or the root is left out
      if (!ranksBefore(w, h[0])) return;
      h[0] = w;
      for (let i = 0; ;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < h.length && ranksBefore(h[m], h[l])) m = l;
        if (r < h.length && ranksBefore(h[m], h[r])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
  }
  /** The kept triplets, best first. */
  sorted(): WorstTriplet[] {
    return sortWorst([...this.heap]);
  }
}

/** Sorts best-ranked first. */
export function sortWorst(list: WorstTriplet[]): WorstTriplet[] {
  return list.sort((w, v) => (ranksBefore(w, v) ? -1 : ranksBefore(v, w) ? 1 : 0));
}

/** Zero counts of every category. */
export function zeroCounts(): CategoryCounts {
  return { easy: 0, semihard: 0, hard: 0, violating: 0 };
}

export function addCounts(a: CategoryCounts, b: CategoryCounts): CategoryCounts {
  return {
    easy: a.easy + b.easy,
    semihard: a.semihard + b.semihard,
    hard: a.hard + b.hard,
    violating: a.violating + b.violating,
  };
}

/** dst += src, element-wise (sums over samples or class pairs from another part). */
export function addInto(dst: Float64Array, src: Float64Array): void {
  if (src.length !== dst.length) throw new RangeError('census: sums of a different shape');
  for (let i = 0; i < src.length; i++) dst[i] += src[i];
}

/**
 * Every census satisfies easy + semi-hard + hard = triplets under both conventions, with no count
 * negative; a census that does not (distances that are not numbers) is an error, never shown.
 */
export function checkInvariant(r: Pick<CensusResult, 'triplets' | 'pml' | 'facenet'>): void {
  for (const conv of ['pml', 'facenet'] as const) {
    const c = r[conv];
    if (c.easy + c.semihard + c.hard !== r.triplets || c.easy < 0 || c.semihard < 0 || c.hard < 0 || c.violating < 0) {
      throw new RangeError(
        `census: ${conv} easy ${c.easy} + semi-hard ${c.semihard} + hard ${c.hard} is not the ${r.triplets} valid triplets (were some distances not finite?)`,
      );
    }
  }
}

/** Fills lossSum and the two means from the partials and counts. */
export function finishMeans(r: CensusResult): CensusResult {
  checkInvariant(r);
  r.lossSum = partialsRound(r.lossSumPartials);
  r.meanLoss = r.triplets > 0 ? r.lossSum / r.triplets : 0;
  r.meanLossNonZero = r.nonZero > 0 ? r.lossSum / r.nonZero : 0;
  return r;
}

/**
 * Merges results over disjoint anchor ranges of one dataset at one margin. Exact: counts are
 * integers, the loss sum is re-rounded from exact partials, the top K is re-selected by the same
 * total order, so the result does not depend on how the anchors were split.
 */
export function mergeCensus(parts: CensusResult[], topK: number): CensusResult {
  if (parts.length === 0) throw new RangeError('mergeCensus: nothing to merge');
  const first = parts[0],
    n = first.nearestImpostor.length;
  for (const p of parts)
    if (p.margin !== first.margin || p.nearestImpostor.length !== n)
      throw new RangeError('mergeCensus: parts differ in margin or dataset size');
  const out: CensusResult = {
    margin: first.margin,
    triplets: 0,
    pml: zeroCounts(),
    facenet: zeroCounts(),
    lossSum: 0,
    nonZero: 0,
    meanLoss: 0,
    meanLossNonZero: 0,
    nearestImpostor: new Int32Array(n).fill(-1),
    nearestImpostorDist: new Float32Array(n).fill(NaN),
    classPairs: new Float64Array(first.classPairs.length),
    worst: [],
    lossSumPartials: [],
  };
  const withPerSample = parts.every((p) => p.perSample);
  if (withPerSample) {
    out.perSample = {
      violAsAnchor: new Float64Array(n),
      violAsPositive: new Float64Array(n),
      violAsNegative: new Float64Array(n),
      lossAsAnchor: new Float64Array(n),
    };
  }
  if (parts.every((p) => p.perAnchor))
    out.perAnchor = { violAsAnchor: new Float64Array(n), lossAsAnchor: new Float64Array(n) };
  const worst: WorstTriplet[] = [];
  for (const p of parts) {
    out.triplets += p.triplets;
    out.nonZero += p.nonZero;
    out.pml = addCounts(out.pml, p.pml);
    out.facenet = addCounts(out.facenet, p.facenet);
    for (const x of p.lossSumPartials) partialsAdd(out.lossSumPartials, x);
    for (let i = 0; i < n; i++) {
      if (p.nearestImpostor[i] >= 0) {
        out.nearestImpostor[i] = p.nearestImpostor[i];
        out.nearestImpostorDist[i] = p.nearestImpostorDist[i];
      }
    }
    for (let i = 0; i < p.classPairs.length; i++) out.classPairs[i] += p.classPairs[i];
    if (out.perSample && p.perSample) {
      for (const key of ['violAsAnchor', 'violAsPositive', 'violAsNegative', 'lossAsAnchor'] as const) {
        const dst = out.perSample[key],
          src = p.perSample[key];
        for (let i = 0; i < n; i++) dst[i] += src[i];
      }
    }
    if (out.perAnchor && p.perAnchor) {
      for (const key of ['violAsAnchor', 'lossAsAnchor'] as const) {
        const dst = out.perAnchor[key],
          src = p.perAnchor[key];
        for (let i = 0; i < n; i++) dst[i] += src[i];
      }
    }
    worst.push(...p.worst);
  }
  out.worst = sortWorst(worst).slice(0, Math.max(0, topK));
  return finishMeans(out);
}
