/**
 * Pairwise distances in row blocks (definitions.md, "Distances").
 *
 * "The distance" everywhere in the engine is the float32 value this module returns; the census,
 * the mining and the tests' brute-force references all read it from `distanceRows`, so ties
 * (t == 0, t == m) are decided on the same numbers everywhere.
 *
 * Two kernels, chosen from (n, dim) only so every worker picks the same one and ranges computed
 * in different workers agree bit for bit:
 * - tfjs (tfjs-node when installed, else the wasm backend): one fused, NON-transposed matMul
 *   `[x, |x|^2, 1] x [-2y; 1; |y|^2]` (cosine: `[u, 1] x [-u; 1]` on unit rows). A `transposeB`
 *   matMul misses XNNPACK in the wasm backend and runs 8x slower (performance.md), so the right
 *   operand is built transposed once and cached. The float32 GEMM has cancellation error when
 *   d^2 is small against |x|^2 + |y|^2, so such pairs (the near ones, where ties and duplicates
 *   live) are recomputed directly in float64 and rounded once: for them the value is the correctly
 *   rounded distance, and duplicates are exactly 0.
 * - plain JS, float64 accumulation, one rounding to float32: used for tiny inputs (faster than a
 *   tfjs round trip) and when no tfjs backend could start.
 */
import * as tfc from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DistanceKind, EngineInput } from './types';

type TfApi = typeof tfc;
/** Which kernel distanceRows uses: `auto` picks by size, the others force one (tests, benches). */
export type KernelMode = 'auto' | 'js' | 'tfjs';

let tf: TfApi | undefined;
let backendName: 'tensorflow' | 'wasm' | 'js' | undefined;
let kernelMode: KernelMode = 'auto';
/** Below this many multiply-adds (n * n * dim) the plain-JS kernel beats a tfjs round trip (measured: even at 2^18; 3.5x slower at 2^21). */
const JS_WORK_LIMIT = 1 << 18;
/** Recompute in float64 when the GEMM's d^2 < RECOMPUTE_RATIO * (|x|^2 + |y|^2) (cancellation). */
const RECOMPUTE_RATIO = 1 / 64;
/** Cosine: recompute in float64 when the GEMM's 1 - cos is below this. */
const COSINE_RECOMPUTE = 1 / 32;
/** Rows per GEMM call are capped so one block's output stays near 16 MB. */
const BLOCK_ENTRIES = 1 << 22;

/** Copies the embeddings; L2-normalises every row when asked (float64 norms; zero rows stay zero). */
export function prepareEmbeddings(input: EngineInput, normalize: boolean): Float32Array {
  const x = Float32Array.from(input.embeddings.subarray(0, input.n * input.dim));
  if (normalize) normalizeRows(x, input.n, input.dim);
  return x;
}

function normalizeRows(x: Float32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[o + k] * x[o + k];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) x[o + k] *= inv;
  }
}

/** Folder holding the tfjs wasm binaries: $EI_WASM_DIR, else dist/wasm next to a bundle, else node_modules. */
function findWasmDir(): string | undefined {
  const file = 'tfjs-backend-wasm.wasm';
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [process.env.EI_WASM_DIR ?? ''];
  for (let dir = here, up = 0; up < 6; up++, dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'wasm'), path.join(dir, 'dist', 'wasm'));
    candidates.push(path.join(dir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'));
  }
  candidates.push(path.join(process.cwd(), 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'));
  return candidates.find((d) => d !== '' && fs.existsSync(path.join(d, file)));
}

let initPromise: Promise<'tensorflow' | 'wasm' | 'js'> | undefined;

/**
 * Starts the fastest available backend once: tfjs-node when installed, else tfjs wasm, else plain
 * JS. Until it resolves, distanceRows uses the plain-JS kernel. `EI_DISTANCE_BACKEND=js` in the
 * environment (inherited by the workers) keeps the plain-JS kernel: distances are exact to float32
 * rounding within one kernel, but two kernels can differ in the last bits, so tests that compare
 * processes bit for bit pin one.
 */
export function initBackend(): Promise<'tensorflow' | 'wasm' | 'js'> {
  initPromise ??= (async () => {
    if (process.env.EI_DISTANCE_BACKEND === 'js') { tf = undefined; return (backendName = 'js'); }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const node = require('@tensorflow/tfjs-node') as TfApi;
      await node.setBackend('tensorflow');
      await node.ready();
      tf = node;
      return (backendName = 'tensorflow');
    } catch {
      /* not installed (the usual case here): fall through to wasm */
    }
    try {
      const dir = findWasmDir();
      if (!dir) throw new Error('tfjs wasm binaries not found');
      setWasmPaths(dir + path.sep);
      if (!(await tfc.setBackend('wasm'))) throw new Error('wasm backend failed to start');
      await tfc.ready();
      tf = tfc;
      return (backendName = 'wasm');
    } catch {
      tf = undefined;
      return (backendName = 'js');
    }
  })();
  return initPromise;
}

/** The backend initBackend settled on (undefined before it ran). */
export function currentBackend(): 'tensorflow' | 'wasm' | 'js' | undefined {
  return backendName;
}

/** Forces a kernel (tests compare both; benches time both). `tfjs` needs initBackend first. */
export function setKernelMode(mode: KernelMode): void {
  kernelMode = mode;
}

/** The kernel distanceRows will use for this problem size (depends on n and dim only). */
export function kernelFor(n: number, dim: number): 'js' | 'tfjs' {
  if (!tf || kernelMode === 'js') return 'js';
  if (kernelMode === 'tfjs') return 'tfjs';
  return n * n * dim <= JS_WORK_LIMIT ? 'js' : 'tfjs';
}

/** Per-matrix data reused across row blocks: squared norms, unit rows, the GEMM's right operand. */
interface Prepared {
  x: Float32Array; n: number; dim: number; distance: DistanceKind;
  /** Rows the kernel reads: x itself, or unit rows for cosine. */
  rows: Float32Array;
  /** Float64 squared norms of `rows`. */
  sq: Float64Array;
  right?: tfc.Tensor2D;
}
let cache: Prepared | undefined;

function prepare(x: Float32Array, n: number, dim: number, distance: DistanceKind): Prepared {
  if (cache && cache.x === x && cache.n === n && cache.dim === dim && cache.distance === distance) return cache;
  cache?.right?.dispose();
  let rows = x;
  if (distance === 'cosine') {
    rows = Float32Array.from(x.subarray(0, n * dim));
    normalizeRows(rows, n, dim);
  }
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0, o = i * dim; k < dim; k++) s += rows[o + k] * rows[o + k];
    sq[i] = s;
  }
  cache = { x, n, dim, distance, rows, sq };
  return cache;
}

/**
 * Distances from rows [rowStart, rowEnd) to all n rows: (rowEnd - rowStart) x n, row-major, float32.
 * The diagonal is exactly 0 and no value is negative. Deterministic: a row's values do not depend
 * on the block it was computed in.
 */
export function distanceRows(x: Float32Array, n: number, dim: number, rowStart: number, rowEnd: number,
  distance: DistanceKind, out?: Float32Array): Float32Array {
  if (!(rowStart >= 0 && rowEnd <= n && rowStart <= rowEnd)) throw new RangeError(`bad row range [${rowStart}, ${rowEnd}) for n = ${n}`);
  const rowsOut = rowEnd - rowStart;
  const res = out ?? new Float32Array(rowsOut * n);
  if (res.length < rowsOut * n) throw new RangeError('distanceRows: output buffer too small');
  const p = prepare(x, n, dim, distance);
  if (kernelFor(n, dim) === 'js') {
    jsRows(p, rowStart, rowEnd, res);
  } else {
    const step = Math.max(1, Math.floor(BLOCK_ENTRIES / Math.max(1, n)));
    for (let r = rowStart; r < rowEnd; r += step) tfRows(p, r, Math.min(rowEnd, r + step), res, (r - rowStart) * n);
  }
  return res;
}

/** Exact reference kernel: float64 accumulation, one rounding (also the fallback). */
function jsRows(p: Prepared, r0: number, r1: number, res: Float32Array): void {
  const { rows, n, dim, distance } = p;
  for (let i = r0; i < r1; i++) {
    const oi = i * dim, base = (i - r0) * n;
    for (let j = 0; j < n; j++) res[base + j] = i === j ? 0 : exactPair(rows, oi, j * dim, dim, distance);
  }
}

/** One pair in float64 from the float32 rows; the caller's Float32Array store rounds it once. */
function exactPair(rows: Float32Array, oi: number, oj: number, dim: number, distance: DistanceKind): number {
  if (distance === 'cosine') {
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += rows[oi + k] * rows[oj + k];
    return Math.min(2, Math.max(0, 1 - dot));
  }
  let s = 0;
  for (let k = 0; k < dim; k++) {
    const d = rows[oi + k] - rows[oj + k];
    s += d * d;
  }
  return distance === 'euclidean' ? Math.sqrt(s) : s;
}

/** The GEMM's right operand, (dim + 2) x n (cosine: dim + 1), built once per matrix. */
function rightOperand(p: Prepared, api: TfApi): tfc.Tensor2D {
  if (p.right) return p.right;
  const { rows, n, dim, sq, distance } = p;
  const k = distance === 'cosine' ? dim + 1 : dim + 2;
  const m = new Float32Array(k * n);
  const scale = distance === 'cosine' ? -1 : -2;
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < dim; c++) m[c * n + j] = scale * rows[j * dim + c];
    if (distance === 'cosine') m[dim * n + j] = 1;
    else { m[dim * n + j] = 1; m[(dim + 1) * n + j] = sq[j]; }
  }
  p.right = api.keep(api.tensor2d(m, [k, n]));
  return p.right;
}

/** Fused GEMM for rows [r0, r1), then clamping, the float64 recompute of near pairs, sqrt. */
function tfRows(p: Prepared, r0: number, r1: number, res: Float32Array, at: number): void {
  const api = tf as TfApi;
  const { rows, n, dim, sq, distance } = p;
  const b = r1 - r0, k = distance === 'cosine' ? dim + 1 : dim + 2;
  const left = new Float32Array(b * k);
  for (let i = 0; i < b; i++) {
    left.set(rows.subarray((r0 + i) * dim, (r0 + i + 1) * dim), i * k);
    if (distance === 'cosine') left[i * k + dim] = 1;
    else { left[i * k + dim] = sq[r0 + i]; left[i * k + dim + 1] = 1; }
  }
  const right = rightOperand(p, api);
  // Not returned from tidy: tidy would walk a returned typed array element by element.
  const product = api.tidy(() => api.matMul(api.tensor2d(left, [b, k]), right));
  const raw = product.dataSync() as Float32Array;
  product.dispose();
  // One loop per kind keeps the per-entry work branch-light; near pairs go to the exact kernel.
  for (let i = 0; i < b; i++) {
    const gi = r0 + i, oi = gi * dim, base = i * n, o = at + base, sqi = sq[gi];
    if (distance === 'cosine') {
      for (let j = 0; j < n; j++) {
        const v = raw[base + j];
        res[o + j] = v < COSINE_RECOMPUTE ? exactPair(rows, oi, j * dim, dim, distance) : v > 2 ? 2 : v;
      }
    } else if (distance === 'euclidean') {
      for (let j = 0; j < n; j++) {
        const v = raw[base + j];
        res[o + j] = v < RECOMPUTE_RATIO * (sqi + sq[j]) ? exactPair(rows, oi, j * dim, dim, distance) : Math.sqrt(v);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const v = raw[base + j];
        res[o + j] = v < RECOMPUTE_RATIO * (sqi + sq[j]) ? exactPair(rows, oi, j * dim, dim, distance) : v;
      }
    }
    res[o + gi] = 0;
  }
}
