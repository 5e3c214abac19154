/**
 * Distance benchmark: `distanceRows` (tfjs wasm fused GEMM, and the plain-JS kernel) against a
 * naive JS triple loop measured in the same run. At N = 10 000 the naive loop is measured on a
 * stated block of rows and scaled linearly (every row costs the same N x D work). Also times
 * the `transposeB` matMul trap performance.md warns about, for the record.
 */
import * as tf from '@tensorflow/tfjs-core';
import { distanceRows, initBackend, prepareEmbeddings, setKernelMode } from '../src/engine/distances';

const now = (): number => performance.now();

/** n x dim standard normal values (deterministic). */
function gaussian(n: number, dim: number): Float32Array {
  let seed = 7;
  const r = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Float32Array.from(
    { length: n * dim },
    () => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r()),
  );
}
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Naive squared-euclidean rows [0, rows) x n, float64 accumulation: the baseline. */
function naive(x: Float32Array, n: number, dim: number, rows: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = x[i * dim + k] - x[j * dim + k];
        s += d * d;
      }
      out[i * n + j] = s;
    }
  return out;
}

/** Rows [0, rows) of the n x n matrix in blocks of `block` rows (bounded memory), as the census does. */
function blocked(x: Float32Array, n: number, dim: number, rows = n, block = 256): number {
  const buf = new Float32Array(block * n);
  let check = 0;
  for (let b = 0; b < rows; b += block) {
    distanceRows(x, n, dim, b, Math.min(rows, b + block), 'sqeuclidean', buf);
    check += buf[0];
  }
  return check;
}

async function size(n: number, dim: number, wasm: boolean): Promise<void> {
  const x = prepareEmbeddings({ embeddings: gaussian(n, dim), n, dim, labels: new Int32Array(n), classes: 1 }, true);
  const sampleRows = Math.min(n, 400);
  let t = now();
  naive(x, n, dim, sampleRows);
  const tn = ((now() - t) * n) / sampleRows;
  const gf = (ms: number): string => `${((2 * n * n * dim) / ms / 1e6).toFixed(1)} GFLOP/s`;
  const scaled = sampleRows < n ? ` (measured on ${sampleRows} rows, scaled)` : '';
  console.log(`N=${n} D=${dim}: naive JS ${fmt(tn)}${scaled} ${gf(tn)} (baseline)`);
  for (const mode of wasm ? (['tfjs', 'js'] as const) : (['js'] as const)) {
    setKernelMode(mode);
    blocked(x, n, dim, Math.min(n, 256)); // warm-up (and the cached right operand)
    // The plain-JS kernel costs what the baseline costs: time it on the same stated rows.
    const rows = mode === 'js' ? sampleRows : n;
    t = now();
    blocked(x, n, dim, rows);
    const tk = ((now() - t) * n) / rows;
    const note = rows < n ? ` (measured on ${rows} rows, scaled)` : '';
    console.log(
      `  distanceRows ${mode === 'tfjs' ? 'wasm fused GEMM' : 'plain-JS kernel'}: ${fmt(tk)}${note} ${gf(tk)}, ${(tn / tk).toFixed(1)}x faster than baseline`,
    );
  }
  setKernelMode('auto');
  if (wasm && n <= 2000) {
    const X = tf.tensor2d(x, [n, dim]);
    t = now();
    tf.tidy(() => tf.matMul(X, X, false, true)).dataSync();
    const tt = now() - t;
    X.dispose();
    console.log(
      `  (the trap: wasm matMul(X, X, false, true) alone ${fmt(tt)} ${gf(tt)}, ${(tn / tt).toFixed(1)}x vs baseline)`,
    );
  }
}

/** Runs the distance benchmark (npm run bench). */
export async function run(): Promise<void> {
  const backend = await initBackend();
  console.log(`\n== distances (backend: ${backend}) ==`);
  await size(2000, 128, backend !== 'js');
  await size(10000, 128, backend !== 'js');
}

if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
