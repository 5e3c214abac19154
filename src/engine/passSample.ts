/**
 * A stated estimate from a uniform random sample of anchors, for an answer in seconds at any N
 * before (or instead of) the exact pass. Every valid triplet belongs to exactly one anchor, so a
 * total over the sampled anchors scaled by N / s is unbiased. The sample is cut into G groups;
 * group totals are exchangeable, so their spread estimates the variance (batch means), times the
 * finite-population correction (1 - s / N). Shares (violating / valid) are ratio estimates with
 * the linearised variance. Every estimate says how it was made.
 */
import type { CensusTotals } from './passTypes';
import { partialsRound } from './censusMerge';

/** A value estimated from the sample and the half-width of its 95 % confidence interval. */
export interface Estimate {
  value: number;
  halfWidth95: number;
}

/** Which anchors were drawn, in groups. */
export interface SampleDraw {
  /** The sampled anchors (dataset ids, ascending within each group), one array per group. */
  groups: Int32Array[];
  sampled: number;
  population: number;
  seed: number;
}

/** The estimate at one margin. */
export interface SampleEstimate {
  /** How the numbers were obtained, in words: show it with them. */
  method: string;
  sampledAnchors: number;
  populationAnchors: number;
  seed: number;
  triplets: Estimate;
  pml: Record<'easy' | 'semihard' | 'hard' | 'violating', Estimate>;
  facenet: Record<'easy' | 'semihard' | 'hard' | 'violating', Estimate>;
  /** Shares of all valid triplets (0..1). */
  pmlShare: Record<'easy' | 'semihard' | 'hard' | 'violating', Estimate>;
  facenetShare: Record<'easy' | 'semihard' | 'hard' | 'violating', Estimate>;
  lossSum: Estimate;
  nonZero: Estimate;
  /** lossSum / triplets and lossSum / nonZero (ratio estimates). */
  meanLoss: Estimate;
  meanLossNonZero: Estimate;
}

/** Deterministic permutation (mulberry32), so a stated seed reproduces the sample. */
export function shuffle(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed | 0;
  for (let i = n - 1; i > 0; i--) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const j = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (i + 1));
    const x = p[i];
    p[i] = p[j];
    p[j] = x;
  }
  return p;
}

/** `size` anchors of n drawn uniformly without replacement (seeded), in `groups` groups of near-equal size. */
export function drawSample(n: number, size: number, seed = 1, groups = 20): SampleDraw {
  const s = Math.max(0, Math.min(n, Math.floor(size))),
    G = Math.max(1, Math.min(s || 1, groups));
  const p = shuffle(n, seed);
  const out: Int32Array[] = [];
  for (let g = 0; g < G; g++) out.push(p.slice(Math.floor((g * s) / G), Math.floor(((g + 1) * s) / G)).sort());
  return { groups: out, sampled: s, population: n, seed };
}

/** The t quantile for 95 % with G - 1 degrees of freedom (a little wider than 1.96 for few groups). */
function quantile95(groups: number): number {
  return groups >= 30 ? 1.96 : groups >= 20 ? 2.09 : groups >= 10 ? 2.26 : groups >= 5 ? 2.78 : 4.3;
}

/** Estimates from the census totals of each group of `draw`. */
export function estimateFromGroups(draw: SampleDraw, totals: CensusTotals[]): SampleEstimate {
  if (totals.length !== draw.groups.length) throw new RangeError('estimate: one census total per group is needed');
  return estimateTotals(draw.population, draw.sampled, draw.seed, totals);
}

/** Estimates from the census totals of G exchangeable groups of `s` sampled anchors of n (drawn with `seed`). */
export function estimateTotals(
  population: number,
  sampled: number,
  seed: number,
  totals: CensusTotals[],
): SampleEstimate {
  const G = totals.length,
    n = population,
    s = sampled;
  const scale = s > 0 ? n / s : 0,
    fpc = s > 0 ? 1 - s / n : 0,
    q = quantile95(G);
  const total = (xs: number[]): Estimate => {
    const sum = xs.reduce((a, b) => a + b, 0),
      mean = sum / G;
    const variance = G > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (G - 1) : NaN;
    return { value: sum * scale, halfWidth95: G > 1 ? scale * q * Math.sqrt(G * variance * fpc) : NaN };
  };
  // Ratio sum(num) / sum(den), variance by linearisation over the groups.
  const ratio = (num: number[], den: number[]): Estimate => {
    const N = num.reduce((a, b) => a + b, 0),
      D = den.reduce((a, b) => a + b, 0);
    if (!(D > 0)) return { value: 0, halfWidth95: NaN };
    const r = N / D,
      z = num.map((x, g) => x - r * den[g]);
    const variance = G > 1 ? ((G / (G - 1)) * z.reduce((a, x) => a + x * x, 0)) / (D * D) : NaN;
    return { value: r, halfWidth95: G > 1 ? q * Math.sqrt(variance * fpc) : NaN };
  };
  const T = totals.map((t) => t.triplets);
  const loss = totals.map((t) => partialsRound(t.lossSumPartials));
  const cats = ['easy', 'semihard', 'hard', 'violating'] as const;
  const by = (conv: 'pml' | 'facenet', f: (xs: number[]) => Estimate) =>
    Object.fromEntries(cats.map((c) => [c, f(totals.map((t) => t[conv][c]))])) as Record<
      (typeof cats)[number],
      Estimate
    >;
  const nonZero = totals.map((t) => t.nonZero);
  return {
    method:
      `estimate from a uniform random sample of ${s.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} anchors (seed ${seed}): ` +
      `totals are the sample's exact totals x ${scale.toPrecision(6)}; 95 % intervals from ${G} groups of anchors (batch means, finite-population corrected)`,
    sampledAnchors: s,
    populationAnchors: n,
    seed,
    triplets: total(T),
    pml: by('pml', total),
    facenet: by('facenet', total),
    pmlShare: by('pml', (xs) => ratio(xs, T)),
    facenetShare: by('facenet', (xs) => ratio(xs, T)),
    lossSum: total(loss),
    nonZero: total(nonZero),
    meanLoss: ratio(loss, T),
    meanLossNonZero: ratio(loss, nonZero),
  };
}

/**
 * Anchors to sample so the sample's distance rows cost about `rowEntries` entries in all
 * (anchors x N): a few seconds on two cores at any N (1 600 anchors at N = 100 000, 160 at
 * 1 000 000), and at most a quarter of the anchors (else the exact pass is hardly slower). At
 * least `min` (or N).
 */
export function sampleSizeFor(n: number, rowEntries = 1.6e8, min = 160): number {
  return Math.max(Math.min(n, min), Math.min(Math.floor(n / 4), Math.floor(rowEntries / Math.max(1, n))));
}
