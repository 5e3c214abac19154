/**
 * When the exact index does not fit (about 4.5 bytes per (anchor, negative) pair: 1.8 GB at
 * N = 20 000, 45 GB at N = 100 000), the census of a uniform random sample of anchors, stated as
 * such: every total is the sample's exact total scaled by N / s, with a 95 % confidence interval.
 *
 * The sample is split into G groups of anchors; group totals are exchangeable, so the spread
 * between them estimates the variance (batch means), times the finite-population correction
 * (1 - s/N). Every valid triplet belongs to exactly one anchor, so the estimate is unbiased.
 * Each group keeps its own index, so a margin change is still answered without distances.
 */
import { buildIndexData } from './censusIndex';
import { countAtMargin } from './censusCount';
import { mergeCensus, sortWorst } from './censusMerge';
import type { CensusIndex, CensusResult, WorstTriplet } from './censusTypes';
import type { DistanceOptions, EngineInput, Progress } from './types';
import { estimateTotals, shuffle, type Estimate } from './passSample';

/** Bytes the exact index needs for these labels (all anchors): what decides between exact and sampled. */
export function censusIndexBytes(labels: Int32Array, classes: number): number {
  const n = labels.length, sizes = new Float64Array(classes);
  for (const c of labels) sizes[c]++;
  let pairs = 0, pos = 0;
  for (const s of sizes) { pairs += s * (n - s); pos += s * (s - 1); }
  return pairs * ((n <= 65536 ? 4 : 6) + 0.5) + pos * 16;
}

export type { Estimate } from './passSample';

export interface SampledCensus {
  /** Plain-language statement of how the numbers were obtained (show it with them). */
  method: string;
  margin: number;
  sampledAnchors: number;
  populationAnchors: number;
  seed: number;
  triplets: Estimate;
  pml: { easy: Estimate; semihard: Estimate; hard: Estimate; violating: Estimate };
  facenet: { easy: Estimate; semihard: Estimate; hard: Estimate; violating: Estimate };
  lossSum: Estimate;
  nonZero: Estimate;
  /** lossSum / triplets over the sample (a ratio estimate; its interval is not given). */
  meanLoss: number;
  meanLossNonZero: number;
  /** The exact census of the sampled anchors, ids mapped back to the dataset's. */
  sample: CensusResult;
}

/** Indexes over the groups of a sampled set of anchors. */
export interface SampledIndex {
  groups: CensusIndex[];
  /** perm[k] = dataset id of the k-th sample of the permuted input (sampled anchors first). */
  perm: Int32Array;
  sampled: number;
  n: number;
  seed: number;
}

/**
 * Builds indexes for `sampleSize` anchors drawn uniformly without replacement (seeded), in
 * `groups` groups (default 20). Every sample still counts as a positive or negative.
 */
export async function buildSampledCensus(input: EngineInput, opts: DistanceOptions, o: { sampleSize: number; seed?: number; groups?: number },
  progress?: Progress): Promise<SampledIndex> {
  const { n, dim } = input, seed = o.seed ?? 1;
  const s = Math.max(1, Math.min(n, Math.floor(o.sampleSize))), G = Math.max(1, Math.min(s, o.groups ?? 20));
  const perm = shuffle(n, seed);
  const embeddings = new Float32Array(n * dim), labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    embeddings.set(input.embeddings.subarray(perm[k] * dim, (perm[k] + 1) * dim), k * dim);
    labels[k] = input.labels[perm[k]];
  }
  const permuted: EngineInput = { embeddings, n, dim, labels, classes: input.classes };
  const groups: CensusIndex[] = [];
  for (let g = 0; g < G; g++) {
    const a0 = Math.floor((g * s) / G), a1 = Math.floor(((g + 1) * s) / G);
    const sub: Progress = { signal: progress?.signal, onProgress: (f, m) => progress?.onProgress?.((g + f) / G, `sampled census, group ${g + 1}/${G}: ${m}`) };
    groups.push(await buildIndexData(permuted, opts, { anchorStart: a0, anchorEnd: a1 }, sub));
  }
  return { groups, perm, sampled: s, n, seed };
}

/** The estimate at margin m, with the sample's exact census (ids mapped back). */
export function countSampled(si: SampledIndex, margin: number, o: { topK?: number } = {}): SampledCensus {
  const topK = o.topK ?? 20, parts = si.groups.map((g) => countAtMargin(g, margin, { topK }));
  const e = estimateTotals(si.n, si.sampled, si.seed, parts);
  const sample = mapIds(mergeCensus(parts, topK), si.perm);
  return {
    method: e.method, margin, sampledAnchors: si.sampled, populationAnchors: si.n, seed: si.seed,
    triplets: e.triplets, pml: e.pml, facenet: e.facenet, lossSum: e.lossSum, nonZero: e.nonZero,
    meanLoss: sample.meanLoss, meanLossNonZero: sample.meanLossNonZero, sample,
  };
}

/** Rewrites a census over the permuted input in the dataset's sample ids. */
function mapIds(r: CensusResult, perm: Int32Array): CensusResult {
  const n = perm.length, ni = new Int32Array(n).fill(-1), nd = new Float32Array(n).fill(NaN);
  for (let k = 0; k < n; k++) if (r.nearestImpostor[k] >= 0) { ni[perm[k]] = perm[r.nearestImpostor[k]]; nd[perm[k]] = r.nearestImpostorDist[k]; }
  const worst: WorstTriplet[] = sortWorst(r.worst.map((w) => ({ ...w, anchor: perm[w.anchor], positive: perm[w.positive], negative: perm[w.negative] })));
  return { ...r, nearestImpostor: ni, nearestImpostorDist: nd, worst, perSample: undefined };
}
