/**
 * Exact kNN: partial selection per row (exactKnn) against a naive full sort of every row, on the
 * same distance blocks, measured in the same run and printed as a ratio. Also times the
 * retrieval metrics (R-sized selections) and checks that both kNN variants agree.
 * Run with `npm run bench` (or `node dist/bench/knn.js`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distanceRows, initBackend, prepareEmbeddings } from '../src/engine/distances';
import { blockRowsFor, exactKnn } from '../src/engine/knn';
import { retrievalMetrics } from '../src/engine/retrieval';
import type { EngineInput } from '../src/engine/types';
import { AnalysisClient } from '../src/worker/client';

function makeInput(n: number, dim: number, classes: number, seed = 7): EngineInput {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const centres = Float32Array.from({ length: classes * dim }, () => r() * 2 - 1);
  const embeddings = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let c = 0; c < dim; c++) embeddings[i * dim + c] = centres[labels[i] * dim + c] + (r() - 0.5) * 1.5;
  }
  return { embeddings, n, dim, labels, classes };
}

/** The baseline: rows [0, rows) fully sorted by (distance, index), first k kept. */
function naiveKnn(input: EngineInput, k: number, rows: number): Int32Array {
  const { n, dim } = input;
  const x = prepareEmbeddings(input, false);
  const out = new Int32Array(rows * k);
  const step = blockRowsFor(n);
  const order = new Array<number>(n - 1);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const block = distanceRows(x, n, dim, r0, r1, 'euclidean');
    for (let q = r0; q < r1; q++) {
      const off = (q - r0) * n;
      for (let j = 0, m = 0; j < n; j++) if (j !== q) order[m++] = j;
      order.sort((a, b) => block[off + a] - block[off + b] || a - b);
      for (let t = 0; t < k; t++) out[q * k + t] = order[t];
    }
  }
  return out;
}

async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

/** Runs the kNN benchmark and prints a small table. */
export async function run(): Promise<void> {
  const backend = await initBackend();
  console.log(`\n## kNN (backend ${backend})`);
  // The naive full sort is slow, so both variants do the same first `rows` query rows.
  console.log('| N | D | k | query rows | exactKnn (ms) | naive full sort (ms) | naive / exact | same result |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [n, dim, k, rows] of [
    [2000, 128, 15, 2000],
    [10000, 128, 15, 1000],
    [10000, 128, 200, 1000],
  ]) {
    const input = makeInput(n, dim, 50);
    const [fast, tFast] = await time(() =>
      exactKnn(input, k, { distance: 'euclidean', normalize: false }, undefined, { rowStart: 0, rowEnd: rows }),
    );
    const [slow, tSlow] = await time(() => naiveKnn(input, k, rows));
    const same = fast.indices.every((v, i) => v === slow[i]);
    console.log(
      `| ${n} | ${dim} | ${k} | ${rows} | ${tFast.toFixed(0)} | ${tSlow.toFixed(0)} | ${(tSlow / tFast).toFixed(2)} | ${same ? 'yes' : 'NO'} |`,
    );
  }
  // Memory stays bounded at N = 20 000: distances are computed in row blocks, never N x N.
  const big = makeInput(20000, 64, 100);
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const [, tBig] = await time(() =>
    exactKnn(big, 15, { distance: 'euclidean', normalize: false, includeSelf: true }, { onProgress: sample }),
  );
  console.log(
    `exactKnn N=20000 D=64 k=15: ${tBig.toFixed(0)} ms, peak RSS ${(rss0 / 2 ** 20).toFixed(0)} -> ${(peak / 2 ** 20).toFixed(0)} MB ` +
      `(an N x N float32 matrix alone would be ${((20000 * 20000 * 4) / 2 ** 20).toFixed(0)} MB)`,
  );
  const ret = makeInput(5000, 128, 50);
  const [, tRet] = await time(() => retrievalMetrics(ret, { distance: 'euclidean', normalize: false }));
  const [, tRef] = await time(() => exactKnn(ret, 15, { distance: 'euclidean', normalize: false }));
  console.log(
    `retrieval metrics N=5000 D=128 (R=99): ${tRet.toFixed(0)} ms; ${(tRet / tRef).toFixed(2)}x the time of a k=15 kNN on the same data`,
  );
  await workerScaling(ret);
}

/** The same kNN and retrieval through AnalysisClient with 1 and 2 worker threads (dist/worker.js). */
async function workerScaling(input: EngineInput): Promise<void> {
  const workerScript = path.join(__dirname, '..', 'worker.js');
  if (!fs.existsSync(workerScript)) {
    console.log(`(worker scaling skipped: ${workerScript} not built)`);
    return;
  }
  const times: number[][] = [];
  for (const workers of [1, 2]) {
    const client = new AnalysisClient({ workers, workerScript });
    try {
      await client.setDataset(input);
      await client.backend(); // start-up outside the timing
      const opts = { distance: 'euclidean' as const, normalize: false };
      const [, tKnn] = await time(() => client.knn(15, false, undefined, opts));
      const [, tRet] = await time(() => client.retrieval(undefined, opts));
      times.push([tKnn, tRet]);
    } finally {
      client.dispose();
    }
  }
  console.log(
    `AnalysisClient N=5000 D=128: kNN ${times[0][0].toFixed(0)} ms (1 worker) vs ${times[1][0].toFixed(0)} ms (2 workers), speed-up ${(times[0][0] / times[1][0]).toFixed(2)}; ` +
      `retrieval ${times[0][1].toFixed(0)} vs ${times[1][1].toFixed(0)} ms, speed-up ${(times[0][1] / times[1][1]).toFixed(2)}`,
  );
}

if (require.main === module) void run();
