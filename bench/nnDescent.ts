/**
 * Approximate kNN (NN-descent, src/projection/nnDescent.ts) against the engine's exact kNN
 * (exactKnn, a blocked GEMM on the tfjs backend), k = 15 with the point itself, as the UMAP
 * layout uses them. Data: bench/projection.ts's clustered synthetic data (D = 128, 100 classes,
 * centres ~ N(0, 0.7^2 I), unit noise: overlapping classes), or EI_BENCH_NPY=file.npy (an
 * N x D float32 .npy, e.g. /tmp/scale/emb100000.npy); EI_BENCH_SIZES=10000,100000 the sizes.
 *
 * Every measurement runs in a child process of its own so its peak RSS
 * (process.resourceUsage().maxRSS) is its own. Per size:
 * - exact: timed whole up to 20 000 points; above, a block of 200 query rows (which also pays
 *   the one-time set-up) plus a block of 2 000 rows scaled to the remaining n - 200 (the search
 *   is row-blocked, so its time is linear in the rows);
 * - NN-descent: timed whole, default options, seed 42;
 * - recall of NN-descent: the share of its neighbours (self excluded) within the exact
 *   14th-nearest distance of their row, over every row up to 20 000 points, else over 1 000
 *   seeded random rows, brute force for those rows only.
 * Wall and CPU time (process.cpuUsage: the machine is shared, CPU time is the steadier figure).
 * Run with `npm run bench -- nnDescent` or `node dist/bench/nnDescent.js`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { distanceRowsOf, initBackend } from '../src/engine/distances';
import { exactKnn, RowSelector } from '../src/engine/knn';
import { nnDescent } from '../src/projection/nnDescent';
import { sampleAnchors } from '../src/projection/quality';
import { seededRandom } from '../src/projection/random';
import { clusteredData } from '../test/unit/projection/helpers';

const K = 15;
/** Above this many points the exact search is timed on a block of rows and the recall on a sample. */
const WHOLE_UP_TO = 20_000;
const SETUP_BLOCK = 200;
const EXACT_BLOCK = 2000;
const RECALL_ROWS = 1000;

interface Measured {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  rows?: number;
  recall?: number;
  recallRows?: number;
}

const dataName = () => process.env.EI_BENCH_NPY ?? 'clustered synthetic data (D = 128, 100 classes, spread 0.7)';

function dataset(n: number): { x: Float32Array; n: number; dim: number } {
  const file = process.env.EI_BENCH_NPY;
  if (!file) return { x: clusteredData(n, 128, 100, 0.7, 1).x, n, dim: 128 };
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header);
  if (!shape || !header.includes("'<f4'") || header.includes("'fortran_order': True"))
    throw new Error(`${file}: not a C-order N x D float32 .npy`);
  const rows = Math.min(n, Number(shape[1])),
    dim = Number(shape[2]);
  const start = 10 + headerLen;
  const x = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + rows * dim * 4));
  return { x, n: rows, dim };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The child's work: one method at one size; prints a Measured as JSON on its last line. */
async function child(method: string, n0: number): Promise<void> {
  const { x, n, dim } = dataset(n0);
  await initBackend();
  const out = method === 'exact' ? await timeExact(x, n, dim) : await timeNnDescent(x, n, dim);
  console.log(JSON.stringify(out));
}

const elapsed = (t0: number, c0: number) => ({
  wallMs: performance.now() - t0,
  cpuMs: cpuMs() - c0,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
});

async function timeExact(x: Float32Array, n: number, dim: number): Promise<Measured> {
  const input = { embeddings: x, n, dim, labels: new Int32Array(n), classes: 1 };
  const opts = { distance: 'euclidean' as const, normalize: false, includeSelf: true };
  const t0 = performance.now(),
    c0 = cpuMs();
  if (n <= WHOLE_UP_TO) {
    await exactKnn(input, K, opts);
    return { ...elapsed(t0, c0), rows: n };
  }
  // The first block pays the one-time set-up (the GEMM operand); the second's per-row cost is scaled to the other rows.
  await exactKnn(input, K, opts, undefined, { rowStart: 0, rowEnd: SETUP_BLOCK });
  const setup = elapsed(t0, c0);
  const t1 = performance.now(),
    c1 = cpuMs();
  await exactKnn(input, K, opts, undefined, { rowStart: SETUP_BLOCK, rowEnd: SETUP_BLOCK + EXACT_BLOCK });
  const block = elapsed(t1, c1),
    scale = (n - SETUP_BLOCK) / EXACT_BLOCK;
  return {
    wallMs: setup.wallMs + block.wallMs * scale,
    cpuMs: setup.cpuMs + block.cpuMs * scale,
    maxRssMb: block.maxRssMb,
    rows: SETUP_BLOCK + EXACT_BLOCK,
  };
}

async function timeNnDescent(x: Float32Array, n: number, dim: number): Promise<Measured> {
  const t0 = performance.now(),
    c0 = cpuMs();
  const table = await nnDescent(x, n, dim, K, { seed: 42 });
  const out: Measured = elapsed(t0, c0);
  const rows =
    n <= WHOLE_UP_TO ? Int32Array.from({ length: n }, (_, i) => i) : sampleAnchors(n, RECALL_ROWS, seededRandom(7));
  return { ...out, recall: recallOn(x, n, dim, table.indices, table.k, rows), recallRows: rows.length };
}

/** Recall of a kNN table on the given rows against brute force (engine distances, exact order). */
function recallOn(x: Float32Array, n: number, dim: number, indices: Int32Array, k: number, rows: Int32Array): number {
  const others = k - 1,
    step = 64;
  const sel = new RowSelector(n, others);
  const buf = new Float32Array(step * n);
  let found = 0;
  for (let s = 0; s < rows.length; s += step) {
    const ids = rows.subarray(s, Math.min(rows.length, s + step));
    const d = distanceRowsOf(x, n, dim, ids, 'euclidean', buf);
    for (let r = 0; r < ids.length; r++) {
      const i = ids[r],
        off = r * n;
      const kth = d[off + sel.select(d, off, i, others)[others - 1]];
      for (let t = 1; t < k; t++) if (d[off + indices[i * k + t]] <= kth) found++;
    }
  }
  return found / (rows.length * others);
}

function measure(method: string, n: number): Measured {
  const r = spawnSync(process.execPath, [__filename, '--child', method, String(n)], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${method} at ${n} failed: ${r.stderr || r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Measured;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs the benchmark and prints a table. */
export async function run(): Promise<void> {
  const sizes = (process.env.EI_BENCH_SIZES ?? '10000,100000').split(',').map(Number);
  console.log(`\n## NN-descent vs exact kNN (k = ${K}, self included), ${dataName()}`);
  console.log('| N | method | wall | CPU | peak RSS | recall |');
  console.log('|---|---|---|---|---|---|');
  for (const n of sizes) {
    const exact = measure('exact', n);
    const estimated = exact.rows! < n ? ` (est. from ${exact.rows} rows)` : '';
    console.log(
      `| ${n} | exact (exactKnn) | ${sec(exact.wallMs)}${estimated} | ${sec(exact.cpuMs)} | ${exact.maxRssMb.toFixed(0)} MB${estimated ? ' (block)' : ''} | 1 |`,
    );
    const approx = measure('nnDescent', n);
    console.log(
      `| ${n} | NN-descent | ${sec(approx.wallMs)} | ${sec(approx.cpuMs)} | ${approx.maxRssMb.toFixed(0)} MB | ` +
        `${approx.recall!.toFixed(4)} (${approx.recallRows === n ? 'all rows' : `${approx.recallRows} rows`}) |`,
    );
    console.log(
      `| ${n} | exact / NN-descent | ${(exact.wallMs / approx.wallMs).toFixed(1)}x wall | ${(exact.cpuMs / approx.cpuMs).toFixed(1)}x CPU | | |`,
    );
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--child');
  const main = i >= 0 ? child(process.argv[i + 1], Number(process.argv[i + 2])) : run();
  main.catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
