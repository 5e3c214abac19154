/**
 * Pure helpers the session uses to turn engine results into what the views show: per-sample
 * category, class violation rates, colliding class pairs, slider range and histogram edges.
 * No `vscode`, no DOM: unit-tested in plain Node.
 */

/** Sample categories as sent to the projection (SampleCategory in protocol.ts). */
export const CAT_NONE = 0,
  CAT_EASY = 1,
  CAT_SEMIHARD = 2,
  CAT_HARD = 3;

/**
 * Category of each sample as anchor by where most of its triplets fall: hard = t <= 0,
 * semi-hard = 0 < t <= m, easy = t > m (counts of its triplets as anchor; ties go to the harder
 * category). Unlike the worst-triplet category — on real data nearly every anchor has at least one
 * hard triplet — this separates the samples the model really confuses from the rest.
 * `hard` = triplets with t <= 0, `violating` = t <= m, `total` = valid triplets with this anchor.
 */
export function dominantCategories(
  hard: ArrayLike<number>,
  violating: ArrayLike<number>,
  total: ArrayLike<number>,
): Uint8Array {
  const n = total.length;
  const out = new Uint8Array(n);
  for (let a = 0; a < n; a++) {
    if (!(total[a] > 0)) {
      out[a] = CAT_NONE;
      continue;
    }
    const h = hard[a],
      semi = violating[a] - hard[a],
      easy = total[a] - violating[a];
    out[a] = h >= semi && h >= easy ? CAT_HARD : semi >= easy ? CAT_SEMIHARD : CAT_EASY;
  }
  return out;
}

/** Valid triplets with each sample as anchor: (n_c - 1) (N - n_c) for its class c. */
export function tripletsAsAnchor(labels: Int32Array, sizes: Float64Array): Float64Array {
  const n = labels.length;
  const out = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const c = sizes[labels[a]];
    out[a] = (c - 1) * (n - c);
  }
  return out;
}

/** Samples per class. */
export function classSizes(labels: Int32Array, classes: number): Float64Array {
  const s = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) s[labels[i]]++;
  return s;
}

/** Violating triplets per anchor class (summed) divided by that class's valid triplets, n_c (n_c - 1) (N - n_c). */
function ratesOf(violating: Float64Array, sizes: Float64Array): Float64Array {
  const c = sizes.length;
  let n = 0;
  for (let i = 0; i < c; i++) n += sizes[i];
  for (let a = 0; a < c; a++) {
    const valid = sizes[a] * (sizes[a] - 1) * (n - sizes[a]);
    violating[a] = valid > 0 ? violating[a] / valid : 0;
  }
  return violating;
}

/** Violating / valid triplets per anchor class, from the classes x classes violating matrix. */
export function classViolationRates(classPairs: Float64Array, sizes: Float64Array): Float64Array {
  const c = sizes.length,
    v = new Float64Array(c);
  for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) v[a] += classPairs[a * c + b];
  return ratesOf(v, sizes);
}

/**
 * The same rates from each sample's violating triplets as anchor (no class-pair matrix needed, so
 * the slider's quick recount keeps the class table live). Integer sums: exactly equal to
 * `classViolationRates` of the same census.
 */
export function classViolationRatesFromAnchors(
  labels: Int32Array,
  violAsAnchor: ArrayLike<number>,
  sizes: Float64Array,
): Float64Array {
  const v = new Float64Array(sizes.length);
  for (let a = 0; a < labels.length; a++) v[labels[a]] += violAsAnchor[a];
  return ratesOf(v, sizes);
}

/**
 * The same rates from violating triplets summed by anchor class (the margin table's class sums at
 * position k of a K x classes position-major array).
 */
export function classViolationRatesFromClassSums(
  classViolating: ArrayLike<number>,
  k: number,
  sizes: Float64Array,
): Float64Array {
  const c = sizes.length;
  return ratesOf(
    Float64Array.from({ length: c }, (_, a) => classViolating[k * c + a]),
    sizes,
  );
}

/** The (anchor class, negative class) pairs with the most violating triplets, most first. */
export function topClassPairs(
  classPairs: Float64Array,
  classes: number,
  k: number,
): { a: number; b: number; count: number }[] {
  const all: { a: number; b: number; count: number }[] = [];
  for (let a = 0; a < classes; a++) {
    for (let b = 0; b < classes; b++) {
      const count = classPairs[a * classes + b];
      if (a !== b && count > 0) all.push({ a, b, count });
    }
  }
  all.sort((x, y) => y.count - x.count || x.a - y.a || x.b - y.b);
  return all.slice(0, k);
}

/** A "nice" number >= x (1, 2, 2.5, 5 x 10^k). */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

function quantile(values: number[], q: number): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
}

/**
 * Slider range from the data's distance scale: up to a nice number above the 95th percentile of
 * the nearest-negative distance (a margin past every anchor's nearest impostor makes nearly every
 * triplet violate), never below the current margin; about `positions` steps (fewer when streaming:
 * each position costs a pass work per (anchor, positive) pair).
 */
export function marginRange(
  dan: ArrayLike<number>,
  current: number,
  positions = 500,
): { min: number; max: number; step: number } {
  const finite: number[] = [];
  for (let i = 0; i < dan.length; i++) if (Number.isFinite(dan[i])) finite.push(dan[i]);
  const max = niceCeil(Math.max(quantile(finite, 0.95), current, 1e-6));
  return { min: 0, max, step: niceCeil(max / positions) };
}

/**
 * The slider's range and the histogram's edges from each anchor's hardest pair (batch-hard's
 * farthest positive dap and nearest negative dan; -1 / NaN where an anchor has none or was not
 * counted): the range from the nearest negatives, the edges from the smallest dan - dap.
 */
export function rangeAndEdges(
  bh: { hardestPositive: Int32Array; dap: ArrayLike<number>; dan: ArrayLike<number> },
  margin: number,
  positions = 500,
): { range: { min: number; max: number; step: number }; edges: Float64Array } {
  let tMin = Infinity;
  for (let a = 0; a < bh.hardestPositive.length; a++)
    if (bh.hardestPositive[a] >= 0 && Number.isFinite(bh.dan[a])) tMin = Math.min(tMin, bh.dan[a] - bh.dap[a]);
  const range = marginRange(bh.dan, margin, positions);
  return { range, edges: histogramEdges(Number.isFinite(tMin) ? tMin : -range.max, range.max * 1.5) };
}

/** Histogram edges for t = d(a,n) - d(a,p): `bins` equal bins over [lo, hi]. */
export function histogramEdges(tMin: number, hi: number, bins = 60): Float64Array {
  const lo = Math.min(tMin, -hi / 10);
  const e = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) e[i] = lo + ((hi - lo) * i) / bins;
  return e;
}
