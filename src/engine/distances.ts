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
import { InputError } from '../shared/dataset';

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

type TfApi = typeof tfc;
/** Which kernel distanceRows uses: `auto` picks by size, the others force one (tests, benches). */
export type KernelMode = 'auto' | 'js' | 'tfjs';

let tf: TfApi | undefined;
let backendName: 'tensorflow' | 'wasm' | 'js' | undefined;
let kernelMode: KernelMode = 'auto';
/** Below this many multiply-adds (n * n * dim) the plain-JS kernel beats a tfjs round trip (measured: even at 2^18;
 * 3.5x slower at 2^21). */
const JS_WORK_LIMIT = 1 << 18;
/** Recompute in float64 when the GEMM's d^2 <= RECOMPUTE_RATIO * (|x|^2 + |y|^2) (cancellation; also -0 between zero
 * rows). */
const RECOMPUTE_RATIO = 1 / 64;
/** Cosine: recompute in float64 when the GEMM's 1 - cos is below this. */
const COSINE_RECOMPUTE = 1 / 32;

/** Copies the embeddings; L2-normalises every row when asked (float64 norms; zero rows stay zero). */
export function prepareEmbeddings(input: EngineInput, normalize: boolean): Float32Array {
  const x = Float32Array.from(input.embeddings.subarray(0, input.n * input.dim));
  if (normalize) normalizeRows(x, input.n, input.dim);
  return x;
}

/** L2-normalises the rows of x in place, exactly as prepareEmbeddings normalises its copy (the CLI's embeddings, when
 * only the normalised ones are needed). */
export function normalizeRowsInPlace(x: Float32Array, n: number, dim: number): Float32Array {
  normalizeRows(x, n, dim);
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
    if (process.env.EI_DISTANCE_BACKEND === 'js') {
      tf = undefined;
      return (backendName = 'js');
    }
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

/**
 * How the GEMM is cut: rows per call, right-operand columns per tile (tests vary them; results do
 * not change), and which operand the samples are. XNNPACK keeps a packed copy of a GEMM's right
 * operand, so with the samples on the right a worker holds them twice ((dim + 2) x n x 4 bytes
 * each: 1 GB at N = 1 000 000, D = 128); above `samplesLeftBytes` the samples are the left
 * operand instead (each block of anchors packed per call), one copy, the same products summed in
 * the same order (the same bits: tested), 30 % slower at 128 rows, faster at few rows.
 */
export interface KernelShape {
  gemmRows: number;
  tileColumns: number;
  samplesLeftBytes: number;
}
/**
 * Measured at N = 100 000, D = 128 (wasm, XNNPACK): one untiled 41-row call ran at 19 GFLOP/s;
 * 128 rows against 16 384-column tiles at 34 GFLOP/s (the tile stays in cache).
 */
const DEFAULT_SHAPE: KernelShape = { gemmRows: 128, tileColumns: 16384, samplesLeftBytes: 256 * 2 ** 20 };
let shape: KernelShape = DEFAULT_SHAPE;

/** Sets how the GEMM is cut (undefined: the default). Every shape gives the same distances, bit for bit. */
export function setKernelShape(s?: Partial<KernelShape>): void {
  shape = { ...DEFAULT_SHAPE, ...s };
}

/** Per-matrix data reused across row blocks: squared norms, unit rows, the GEMM's right operand tiles. */
interface Prepared {
  x: Float32Array;
  n: number;
  dim: number;
  distance: DistanceKind;
  /** Rows the kernel reads: x itself, or unit rows for cosine. */
  rows: Float32Array;
  /** Float64 squared norms of `rows`. */
  sq: Float64Array;
  /** The samples' operand in tiles of `tileColumns` samples, built on first use: (dim + 2) x w each, or w x (dim + 2)
   * when `left`. */
  right?: tfc.Tensor2D[];
  tileColumns?: number;
  left?: boolean;
}

/** Whether the samples are the GEMM's left operand for this problem (see KernelShape). */
export function samplesLeft(n: number, dim: number): boolean {
  return (dim + 2) * n * 4 > shape.samplesLeftBytes;
}
let cache: Prepared | undefined;

function prepare(x: Float32Array, n: number, dim: number, distance: DistanceKind): Prepared {
  if (cache && cache.x === x && cache.n === n && cache.dim === dim && cache.distance === distance) return cache;
  releaseKernelMemory();
  let rows = x;
  if (distance === 'cosine') {
    rows = Float32Array.from(x.subarray(0, n * dim));
    normalizeRows(rows, n, dim);
  }
  const sq = new Float64Array(n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0, o = i * dim; k < dim; k++) s += rows[o + k] * rows[o + k];
    sq[i] = s;
    if (s > sq[largest]) largest = i;
  }
  // A squared distance between two rows can reach 4 max |x|^2; the GEMM also holds |x|^2 itself.
  if (distance !== 'cosine' && n > 0 && 4 * sq[largest] > FLOAT32_MAX) {
    throw new InputError(
      'embeddings',
      `sample ${largest} has a norm of ${Math.sqrt(sq[largest]).toPrecision(3)}: distances between such samples ` +
        `(squared, up to ${(4 * sq[largest]).toPrecision(3)}) exceed the float32 range (${FLOAT32_MAX.toPrecision(3)}), so they cannot be counted; ` +
        'L2-normalise the embeddings (the normalize setting, --normalize on the command line) or scale them down',
    );
  }
  cache = { x, n, dim, distance, rows, sq };
  return cache;
}

/** Drops the cached GEMM operand (about (dim + 2) x n float32) and unit rows; the next call rebuilds them. */
export function releaseKernelMemory(): void {
  cache?.right?.forEach((t) => t.dispose());
  cache = undefined;
}

/**
 * Distances from rows [rowStart, rowEnd) to all n rows: (rowEnd - rowStart) x n, row-major, float32.
 * The diagonal is exactly 0 and no value is negative. Deterministic: a row's values do not depend
 * on the block it was computed in.
 */
export function distanceRows(
  x: Float32Array,
  n: number,
  dim: number,
  rowStart: number,
  rowEnd: number,
  distance: DistanceKind,
  out?: Float32Array,
): Float32Array {
  if (!(rowStart >= 0 && rowEnd <= n && rowStart <= rowEnd))
    throw new RangeError(`bad row range [${rowStart}, ${rowEnd}) for n = ${n}`);
  const ids = new Int32Array(rowEnd - rowStart);
  for (let i = 0; i < ids.length; i++) ids[i] = rowStart + i;
  return distanceRowsOf(x, n, dim, ids, distance, out);
}

/**
 * Distances from the rows `ids` (any order, repeats allowed) to all n rows: ids.length x n,
 * row-major, float32; row i of the output is exactly the row `distanceRows` gives for ids[i].
 */
export function distanceRowsOf(
  x: Float32Array,
  n: number,
  dim: number,
  ids: Int32Array,
  distance: DistanceKind,
  out?: Float32Array,
): Float32Array {
  for (let i = 0; i < ids.length; i++)
    if (!(ids[i] >= 0 && ids[i] < n)) throw new RangeError(`bad row ${ids[i]} for n = ${n}`);
  const rowsOut = ids.length;
  const res = out ?? new Float32Array(rowsOut * n);
  if (res.length < rowsOut * n) throw new RangeError('distanceRows: output buffer too small');
  const p = prepare(x, n, dim, distance);
  if (kernelFor(n, dim) === 'js') {
    jsRows(p, ids, res);
  } else {
    const step = Math.max(1, shape.gemmRows);
    for (let r = 0; r < rowsOut; r += step) tfRows(p, ids.subarray(r, Math.min(rowsOut, r + step)), res, r * n);
  }
  return res;
}

/** Exact reference kernel: float64 accumulation, one rounding (also the fallback). */
function jsRows(p: Prepared, ids: Int32Array, res: Float32Array): void {
  const { rows, n, dim, distance } = p;
  for (let r = 0; r < ids.length; r++) {
    const i = ids[r],
      oi = i * dim,
      base = r * n;
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

/** The GEMM's right operand, (dim + 2) x n (cosine: dim + 1), built once per matrix as column tiles. */
function rightOperand(p: Prepared, api: TfApi): tfc.Tensor2D[] {
  if (samplesLeft(p.n, p.dim)) return leftOperand(p, api);
  if (p.right && p.tileColumns === shape.tileColumns && !p.left) return p.right;
  p.right?.forEach((t) => t.dispose());
  const { rows, n, dim, sq, distance } = p;
  const k = distance === 'cosine' ? dim + 1 : dim + 2;
  const scale = distance === 'cosine' ? -1 : -2;
  const tile = Math.max(1, shape.tileColumns),
    tiles: tfc.Tensor2D[] = [];
  const m = new Float32Array(k * Math.min(tile, n));
  // Grow the wasm heap once to hold every tile: growing it tile by tile copied the heap again and
  // again (1.6 s of copies at N = 1 000 000); the freed block is reused by the tiles.
  for (let c0 = 0; c0 < n; c0 += tile) {
    const w = Math.min(tile, n - c0);
    // Transposed in blocks of 32 samples: each write run is contiguous (writing one sample's column
    // at a stride of w floats missed the cache on every value: 4 s at N = 1 000 000).
    for (let j0 = 0; j0 < w; j0 += 32) {
      const j1 = Math.min(w, j0 + 32);
      for (let c = 0; c < dim; c++) {
        const out = c * w;
        for (let j = j0; j < j1; j++) m[out + j] = scale * rows[(c0 + j) * dim + c];
      }
    }
    for (let j = 0; j < w; j++) {
      if (distance === 'cosine') m[dim * w + j] = 1;
      else {
        m[dim * w + j] = 1;
        m[(dim + 1) * w + j] = sq[c0 + j];
      }
    }
    tiles.push(api.keep(api.tensor2d(m.subarray(0, k * w), [k, w])));
  }
  p.right = tiles;
  p.tileColumns = tile;
  p.left = false;
  return tiles;
}

/** The samples as the left operand, w x (dim + 2) per tile: rows [-2x, 1, |x|^2] (cosine: [-u, 1]), the natural layout.
 */
function leftOperand(p: Prepared, api: TfApi): tfc.Tensor2D[] {
  if (p.right && p.tileColumns === shape.tileColumns && p.left) return p.right;
  p.right?.forEach((t) => t.dispose());
  const { rows, n, dim, sq, distance } = p;
  const k = distance === 'cosine' ? dim + 1 : dim + 2,
    scale = distance === 'cosine' ? -1 : -2;
  const tile = Math.max(1, shape.tileColumns),
    tiles: tfc.Tensor2D[] = [];
  const m = new Float32Array(k * Math.min(tile, n));
  for (let c0 = 0; c0 < n; c0 += tile) {
    const w = Math.min(tile, n - c0);
    for (let j = 0; j < w; j++) {
      const o = (c0 + j) * dim,
        out = j * k;
      for (let c = 0; c < dim; c++) m[out + c] = scale * rows[o + c];
      m[out + dim] = 1;
      if (distance !== 'cosine') m[out + dim + 1] = sq[c0 + j];
    }
    tiles.push(api.keep(api.tensor2d(m.subarray(0, k * w), [w, k])));
  }
  p.right = tiles;
  p.tileColumns = tile;
  p.left = true;
  return tiles;
}

/**
 * The product's values without a copy: the wasm backend's dataSync slices its heap into a fresh
 * buffer (measured 0.4-1 ms per 100 000-entry row, as much as the GEMM itself), so read the
 * heap in place when the backend exposes it; the view is valid until the next tfjs call.
 */
function productValues(api: TfApi, t: tfc.Tensor): Float32Array {
  if (backendName === 'wasm' && api.getBackend() === 'wasm') {
    const be = api.backend() as unknown as {
      dataIdMap?: { get(id: unknown): { memoryOffset?: number } | undefined };
      wasm?: { HEAPU8?: Uint8Array };
    };
    const info = be.dataIdMap?.get(t.dataId),
      heap = be.wasm?.HEAPU8;
    if (info && typeof info.memoryOffset === 'number' && heap)
      return new Float32Array(heap.buffer, info.memoryOffset, t.size);
  }
  return t.dataSync() as Float32Array;
}

/** Fused GEMM for the rows `ids`, tile by tile, then clamping, the float64 recompute of near pairs, sqrt. */
function tfRows(p: Prepared, ids: Int32Array, res: Float32Array, at: number): void {
  const api = tf as TfApi;
  const { rows, n, dim, sq, distance } = p;
  const b = ids.length,
    k = distance === 'cosine' ? dim + 1 : dim + 2;
  const left = new Float32Array(b * k);
  for (let i = 0; i < b; i++) {
    left.set(rows.subarray(ids[i] * dim, (ids[i] + 1) * dim), i * k);
    if (distance === 'cosine') left[i * k + dim] = 1;
    else {
      left[i * k + dim] = sq[ids[i]];
      left[i * k + dim + 1] = 1;
    }
  }
  const right = rightOperand(p, api);
  // Samples on the left: the anchors are the right operand, [a, |a|^2, 1] as columns (k x b).
  const anchorsT = p.left ? api.tensor2d(transpose(left, b, k), [k, b]) : api.tensor2d(left, [b, k]);
  try {
    for (let t = 0, c0 = 0; t < right.length; t++) {
      const w = right[t].shape[p.left ? 0 : 1];
      const product = p.left ? api.matMul(right[t], anchorsT) : api.matMul(anchorsT, right[t]);
      try {
        finishTile(productValues(api, product), p, ids, w, c0, res, at, p.left ? 1 : w, p.left ? b : 1);
      } finally {
        product.dispose();
      }
      c0 += w;
    }
  } finally {
    anchorsT.dispose();
  }
  for (let i = 0; i < b; i++) res[at + i * n + ids[i]] = 0;
}

/** A b x k row-major matrix as k x b. */
function transpose(a: Float32Array, b: number, k: number): Float32Array {
  const t = new Float32Array(b * k);
  for (let i = 0; i < b; i++) for (let c = 0; c < k; c++) t[c * b + i] = a[i * k + c];
  return t;
}

/**
 * One tile's raw GEMM values into distances at columns [c0, c0 + w) of res's rows: anchor i's value
 * for sample j is raw[i * rowStride + j * colStride] (b x w with the samples on the right, w x b on
 * the left). In bands of 256 samples, so strided reads stay in cache.
 */
function finishTile(
  raw: Float32Array,
  p: Prepared,
  ids: Int32Array,
  w: number,
  c0: number,
  res: Float32Array,
  at: number,
  rowStride: number,
  colStride: number,
): void {
  for (let j0 = 0; j0 < w; j0 += 256)
    finishBand(raw, p, ids, j0, Math.min(w, j0 + 256), c0, res, at, rowStride, colStride);
}

function finishBand(
  raw: Float32Array,
  p: Prepared,
  ids: Int32Array,
  j0: number,
  j1: number,
  c0: number,
  res: Float32Array,
  at: number,
  rowStride: number,
  colStride: number,
): void {
  const { rows, n, dim, sq, distance } = p;
  // One loop per kind keeps the per-entry work branch-light; near pairs go to the exact kernel.
  for (let i = 0; i < ids.length; i++) {
    const gi = ids[i],
      oi = gi * dim,
      o = at + i * n + c0,
      sqi = sq[gi];
    let r = i * rowStride + j0 * colStride;
    if (distance === 'cosine') {
      for (let j = j0; j < j1; j++, r += colStride) {
        const v = raw[r];
        res[o + j] = v < COSINE_RECOMPUTE ? exactPair(rows, oi, (c0 + j) * dim, dim, distance) : v > 2 ? 2 : v;
      }
    } else if (distance === 'euclidean') {
      for (let j = j0; j < j1; j++, r += colStride) {
        const v = raw[r];
        res[o + j] =
          v <= RECOMPUTE_RATIO * (sqi + sq[c0 + j]) ? exactPair(rows, oi, (c0 + j) * dim, dim, distance) : Math.sqrt(v);
      }
    } else {
      for (let j = j0; j < j1; j++, r += colStride) {
        const v = raw[r];
        res[o + j] = v <= RECOMPUTE_RATIO * (sqi + sq[c0 + j]) ? exactPair(rows, oi, (c0 + j) * dim, dim, distance) : v;
      }
    }
  }
}
