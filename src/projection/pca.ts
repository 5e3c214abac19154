/**
 * The first two principal components of the embeddings: the layout drawn at once, before UMAP
 * (TensorBoard's projector opens on PCA too). Pure: no `vscode`, no DOM.
 *
 * The axes come from a uniform seeded sample of rows (all rows up to `sampleRowsFor(dim)`, 16 384
 * at D = 128): on that sample the result is exact PCA, the same as NumPy's SVD of the centred rows
 * (tested against a NumPy-written case). Every row is then projected on those axes, so the cost at
 * N = 1 000 000 is one pass over the data (2 N D multiply-adds) after a fixed amount of work.
 *
 * How: the sample's covariance (D <= 256) or the sample itself (larger D) is the operator of a
 * subspace iteration with 8 vectors and Rayleigh-Ritz steps (Jacobi on 8 x 8); the top two Ritz
 * vectors converge at the rate lambda_9 / lambda_2. Each axis's sign is fixed so that its entry of
 * largest magnitude is positive (ties: the first), so the picture does not flip between runs.
 */
import { throwIfAborted, type Progress } from '../engine/types';
import { seededRandom } from './random';

/** Options of `pcaLayout`. */
export interface PcaOptions {
  /** L2-normalise each row before everything else (the distance is cosine or normalize is on). */
  normalize?: boolean;
  /** Seed of the row sample and the starting vectors [42]. */
  seed?: number;
  /** Rows used to find the axes [sampleRowsFor(dim)]; all rows when n is at most this. */
  sampleRows?: number;
}

/** The layout and what it was made from. */
export interface PcaResult {
  /** Row-major n x 2 float32: each row's coordinates on the two axes (centred). */
  layout: Float32Array;
  /** The two axes, row-major 2 x dim, unit length. */
  components: Float64Array;
  /** The sample's mean (subtracted before projecting). */
  mean: Float64Array;
  /** Variance along each axis, and the total variance, on the sample (divisor s - 1). */
  variance: [number, number];
  totalVariance: number;
  /** Rows the axes were found on (n when all). */
  sampled: number;
}

const VECTORS = 8;
/** Covariance operator up to this dimension (D^2 doubles), the sample's rows above it. */
const COVARIANCE_MAX_DIM = 256;

/** Rows sampled to find the axes: the sample's s x D values stay near 2^21 (16 MB of float64). */
export function sampleRowsFor(dim: number): number {
  return Math.max(2048, Math.floor(2 ** 21 / Math.max(1, dim)));
}

/** The PCA layout of row-major n x dim `x` (see the file comment). */
export function pcaLayout(
  x: Float32Array,
  n: number,
  dim: number,
  opts: PcaOptions = {},
  progress?: Progress,
): PcaResult {
  if (!Number.isInteger(n) || !Number.isInteger(dim) || n < 0 || dim < 1 || x.length < n * dim) {
    throw new RangeError(`bad PCA input: n = ${n}, dim = ${dim}, ${x.length} values`);
  }
  const random = seededRandom(opts.seed ?? 42);
  const rows = sampleRowIds(n, opts.sampleRows ?? sampleRowsFor(dim), random);
  const s = rows.length;
  const mean = new Float64Array(dim);
  const xs = new Float64Array(s * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < s; r++) {
    readRow(x, rows[r], dim, opts.normalize === true, row);
    xs.set(row, r * dim);
    for (let d = 0; d < dim; d++) mean[d] += row[d];
  }
  for (let d = 0; d < dim; d++) mean[d] /= Math.max(1, s);
  for (let r = 0; r < s; r++) for (let d = 0; d < dim; d++) xs[r * dim + d] -= mean[d];
  throwIfAborted(progress);

  const k = Math.min(VECTORS, dim);
  const op = dim <= COVARIANCE_MAX_DIM ? covarianceOperator(xs, s, dim) : sampleOperator(xs, s, dim);
  const { vectors, values } = topEigenvectors(op, dim, k, random, dim <= COVARIANCE_MAX_DIM ? 300 : 12, progress);
  const components = new Float64Array(2 * dim);
  for (let j = 0; j < Math.min(2, k); j++) {
    let big = 0;
    for (let d = 1; d < dim; d++) if (Math.abs(vectors[j * dim + d]) > Math.abs(vectors[j * dim + big])) big = d;
    const sign = vectors[j * dim + big] < 0 ? -1 : 1;
    for (let d = 0; d < dim; d++) components[j * dim + d] = sign * vectors[j * dim + d];
  }
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += xs[i] * xs[i];
  const denom = Math.max(1, s - 1);

  const layout = new Float32Array(2 * n);
  const c0 = components.subarray(0, dim),
    c1 = components.subarray(dim, 2 * dim);
  // The mean's projection once, instead of subtracting the mean from every row.
  let m0 = 0,
    m1 = 0;
  for (let d = 0; d < dim; d++) {
    m0 += mean[d] * c0[d];
    m1 += mean[d] * c1[d];
  }
  for (let i = 0; i < n; i++) {
    if ((i & 0xffff) === 0) throwIfAborted(progress);
    const o = i * dim;
    let a = 0,
      b = 0,
      scale = 1;
    if (opts.normalize) {
      let q = 0;
      for (let d = 0; d < dim; d++) q += x[o + d] * x[o + d];
      scale = q > 0 ? 1 / Math.sqrt(q) : 0;
    }
    for (let d = 0; d < dim; d++) {
      const v = x[o + d];
      a += v * c0[d];
      b += v * c1[d];
    }
    layout[2 * i] = a * scale - m0;
    layout[2 * i + 1] = b * scale - m1;
  }
  return {
    layout,
    components,
    mean,
    variance: [(values[0] ?? 0) / denom, (values[1] ?? 0) / denom],
    totalVariance: total / denom,
    sampled: s,
  };
}

/** All rows (in order) when n <= want, else `want` distinct rows drawn uniformly, ascending. */
function sampleRowIds(n: number, want: number, random: () => number): Int32Array {
  if (n <= want) return Int32Array.from({ length: n }, (_, i) => i);
  // Partial Fisher-Yates over a lazily materialised permutation (a Map of the swapped slots).
  const swapped = new Map<number, number>();
  const out = new Int32Array(want);
  for (let i = 0; i < want; i++) {
    const j = i + Math.floor(random() * (n - i));
    const vi = swapped.get(i) ?? i,
      vj = swapped.get(j) ?? j;
    out[i] = vj;
    swapped.set(j, vi);
  }
  return out.sort();
}

function readRow(x: Float32Array, i: number, dim: number, normalize: boolean, out: Float64Array): void {
  let q = 0;
  for (let d = 0; d < dim; d++) {
    out[d] = x[i * dim + d];
    q += out[d] * out[d];
  }
  if (normalize) {
    const scale = q > 0 ? 1 / Math.sqrt(q) : 0;
    for (let d = 0; d < dim; d++) out[d] *= scale;
  }
}

/** W = A V for the k column vectors stored row-major k x dim in `v`; A symmetric dim x dim. */
type Operator = (v: Float64Array, k: number, out: Float64Array) => void;

/** A = Xs^T Xs, formed once (dim^2 doubles). */
function covarianceOperator(xs: Float64Array, s: number, dim: number): Operator {
  const c = new Float64Array(dim * dim);
  for (let r = 0; r < s; r++) {
    const o = r * dim;
    for (let a = 0; a < dim; a++) {
      const va = xs[o + a];
      if (va === 0) continue;
      const ca = a * dim;
      for (let b = a; b < dim; b++) c[ca + b] += va * xs[o + b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) c[a * dim + b] = c[b * dim + a];
  return (v, k, out) => {
    for (let j = 0; j < k; j++) {
      const vj = j * dim;
      for (let a = 0; a < dim; a++) {
        let t = 0;
        const ca = a * dim;
        for (let b = 0; b < dim; b++) t += c[ca + b] * v[vj + b];
        out[vj + a] = t;
      }
    }
  };
}

/** A = Xs^T Xs applied as Xs^T (Xs v), never formed. */
function sampleOperator(xs: Float64Array, s: number, dim: number): Operator {
  const y = new Float64Array(s);
  return (v, k, out) => {
    out.fill(0, 0, k * dim);
    for (let j = 0; j < k; j++) {
      const vj = j * dim;
      for (let r = 0; r < s; r++) {
        let t = 0;
        const o = r * dim;
        for (let d = 0; d < dim; d++) t += xs[o + d] * v[vj + d];
        y[r] = t;
      }
      for (let r = 0; r < s; r++) {
        const t = y[r],
          o = r * dim;
        if (t !== 0) for (let d = 0; d < dim; d++) out[vj + d] += t * xs[o + d];
      }
    }
  };
}

/**
 * The k leading eigenpairs of the operator by subspace iteration with Rayleigh-Ritz; vectors
 * row-major k x dim, values descending. Stops when the top two values change by < 1e-12 relative.
 */
function topEigenvectors(
  op: Operator,
  dim: number,
  k: number,
  random: () => number,
  maxIter: number,
  progress?: Progress,
): { vectors: Float64Array; values: Float64Array } {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let q: Float64Array = Float64Array.from({ length: k * dim }, gauss);
  orthonormalize(q, k, dim);
  // A Q, kept alongside Q: the Ritz rotation applies to both, so each iteration applies A once.
  let aq: Float64Array = new Float64Array(k * dim);
  op(q, k, aq);
  let values: Float64Array = new Float64Array(k),
    prev = [NaN, NaN];
  for (let it = 0; it < maxIter; it++) {
    throwIfAborted(progress);
    const w = aq;
    orthonormalize(w, k, dim);
    const aw = new Float64Array(k * dim);
    op(w, k, aw);
    // Rayleigh-Ritz: H = W^T A W; rotate W and A W by H's eigenvectors.
    const h = new Float64Array(k * k);
    for (let a = 0; a < k; a++)
      for (let b = a; b < k; b++) {
        let t = 0;
        for (let d = 0; d < dim; d++) t += w[a * dim + d] * aw[b * dim + d];
        h[a * k + b] = h[b * k + a] = t;
      }
    const eig = jacobiEigen(h, k);
    values = eig.values;
    q = rotate(w, eig.vectors, k, dim);
    aq = rotate(aw, eig.vectors, k, dim);
    const scale = Math.max(Math.abs(values[0]), 1e-300);
    const done =
      it > 2 &&
      Math.abs(values[0] - prev[0]) <= 1e-12 * scale &&
      Math.abs((values[1] ?? 0) - (prev[1] ?? 0)) <= 1e-12 * scale;
    prev = [values[0], values[1] ?? 0];
    if (done) break;
  }
  return { vectors: q, values };
}

/** Row j of the result = sum over a of e[a][j] * v row a (v: k x dim, e: k x k). */
function rotate(v: Float64Array, e: Float64Array, k: number, dim: number): Float64Array {
  const out = new Float64Array(k * dim);
  for (let j = 0; j < k; j++)
    for (let a = 0; a < k; a++) {
      const f = e[a * k + j];
      if (f !== 0) for (let d = 0; d < dim; d++) out[j * dim + d] += f * v[a * dim + d];
    }
  return out;
}

/** Modified Gram-Schmidt, twice, on k row vectors of length dim (a zero vector stays zero). */
function orthonormalize(v: Float64Array, k: number, dim: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < k; j++) {
      const vj = j * dim;
      for (let i = 0; i < j; i++) {
        let t = 0;
        for (let d = 0; d < dim; d++) t += v[i * dim + d] * v[vj + d];
        for (let d = 0; d < dim; d++) v[vj + d] -= t * v[i * dim + d];
      }
      let q = 0;
      for (let d = 0; d < dim; d++) q += v[vj + d] * v[vj + d];
      const scale = q > 1e-300 ? 1 / Math.sqrt(q) : 0;
      for (let d = 0; d < dim; d++) v[vj + d] *= scale;
    }
  }
}

/**
 * Eigen-decomposition of a symmetric k x k matrix by cyclic Jacobi rotations: values descending,
 * vectors as the columns of row-major `vectors` (column j belongs to values[j]).
 */
export function jacobiEigen(m: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let r = p + 1; r < k; r++) off += a[p * k + r] ** 2;
    if (off < 1e-300) break;
    for (let p = 0; p < k; p++) {
      for (let r = p + 1; r < k; r++) {
        const apr = a[p * k + r];
        if (apr === 0) continue;
        const theta = (a[r * k + r] - a[p * k + p]) / (2 * apr);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let i = 0; i < k; i++) {
          const aip = a[i * k + p],
            air = a[i * k + r];
          a[i * k + p] = c * aip - s * air;
          a[i * k + r] = s * aip + c * air;
        }
        for (let i = 0; i < k; i++) {
          const api = a[p * k + i],
            ari = a[r * k + i];
          a[p * k + i] = c * api - s * ari;
          a[r * k + i] = s * api + c * ari;
        }
        for (let i = 0; i < k; i++) {
          const vip = v[i * k + p],
            vir = v[i * k + r];
          v[i * k + p] = c * vip - s * vir;
          v[i * k + r] = s * vip + c * vir;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => a[j * k + j] - a[i * k + i] || i - j);
  const values = Float64Array.from(order, (i) => a[i * k + i]);
  const vectors = new Float64Array(k * k);
  order.forEach((src, j) => {
    for (let i = 0; i < k; i++) vectors[i * k + j] = v[i * k + src];
  });
  return { values, vectors };
}
