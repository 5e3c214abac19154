/**
 * What keeping every sample's exact neighbours costs the streaming session's exact census pass
 * (`PassSpec.knn`, k = 15 with the point itself, which the layout then uses instead of
 * NN-descent's): the pass as analysisRuns.ts `streamingRun` runs it (per-sample counts, the margin
 * table at 100 slider positions, the histogram, retrieval; euclidean, 2 workers, blocks as the
 * memory plan sizes them), with and without kNN, alternated (A B A B) in the same process.
 * Data: bench/data.ts Gaussian classes (D = 128, unit spread around unit-variance centres).
 * N = 10 000 (100 classes): every anchor; N = 100 000 (1 000 classes): the first EI_BENCH_ANCHORS
 * anchors (default 4 000) against all 100 000 (every anchor costs the same, so the ratio holds).
 * Wall time, and CPU time of the whole process (the workers are its threads; steadier on a shared
 * machine). Run with `npm run bench -- passKnn` or `node dist/bench/passKnn.js [--sizes 10000]`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { rangeAndEdges } from '../src/analysis/derive';
import { planSessionPass, STREAM_POSITIONS } from '../src/analysis/streaming';
import { chunkAnchorsFor } from '../src/engine/passPlan';
import type { PassSpec } from '../src/engine/passTypes';
import { drawSample } from '../src/engine/passSample';
import type { Dataset } from '../src/shared/dataset';
import { sliderMargins } from '../src/shared/sliderScale';
import { AnalysisClient } from '../src/worker/client';
import { gaussianClasses } from './data';

const K = 15;
const BUDGET = 2 ** 31;

interface Timed {
  wall: number;
  cpu: number;
}

async function size(n: number, classes: number, anchors: number): Promise<void> {
  const input = gaussianClasses(n, 128, classes, 1);
  const d = { n, dim: 128, labels: input.labels, classNames: Array.from({ length: classes }, String) } as Dataset;
  const options = { distance: 'euclidean' as const, normalize: false };
  const c = new AnalysisClient({ workers: 2, workerScript: path.join(__dirname, '..', 'worker.js') });
  try {
    await c.setDataset(input, { finiteChecked: true });
    // The slider's range and the histogram's edges from a few anchors, as streamingRun does.
    const plan0 = planSessionPass(d, options, c.workers, BUDGET, STREAM_POSITIONS, true, K);
    const base: PassSpec = {
      distance: options,
      margin: 0.2,
      topK: 50,
      perSample: false,
      retrieval: false,
      semihard: false,
      blockAnchors: plan0.blockAnchors,
      indexAnchors: plan0.indexAnchors,
    };
    const r0 = await c.pass(base, { chunks: drawSample(n, Math.min(n, 256), 7, 1).groups, workers: plan0.workers });
    const { range, edges } = rangeAndEdges(r0.batchHard, 0.2, STREAM_POSITIONS);
    const table = { margins: sliderMargins(range), smallest: 50 + 32 };
    const run = async (knn: number): Promise<Timed> => {
      const plan = planSessionPass(d, options, c.workers, BUDGET, STREAM_POSITIONS, true, knn);
      const spec: PassSpec = {
        ...base,
        blockAnchors: plan.blockAnchors,
        indexAnchors: plan.indexAnchors,
        perSample: true,
        table,
        edges,
        retrieval: true,
        ...(knn > 0 ? { knn: { k: knn, includeSelf: true } } : {}),
      };
      const cpu0 = process.cpuUsage(),
        t0 = performance.now();
      const r = await c.pass(spec, {
        workers: plan.workers,
        columns: plan.columns,
        chunkAnchors: chunkAnchorsFor(plan, n),
        ...(anchors < n ? { anchors: Int32Array.from({ length: anchors }, (_, i) => i) } : {}),
      });
      const wall = (performance.now() - t0) / 1000,
        cu = process.cpuUsage(cpu0);
      if (knn > 0 && r.knn?.k !== knn) throw new Error('the pass returned no kNN');
      return { wall, cpu: (cu.user + cu.system) / 1e6 };
    };
    const without: Timed[] = [],
      withKnn: Timed[] = [];
    for (let rep = 0; rep < 2; rep++) {
      without.push(await run(0));
      withKnn.push(await run(K));
    }
    const sum = (xs: Timed[], f: keyof Timed) => xs.reduce((s, x) => s + x[f], 0);
    const fmt = (xs: Timed[]) =>
      `${xs.map((x) => x.wall.toFixed(1)).join(' / ')} s wall, ${sum(xs, 'cpu').toFixed(1)} s CPU`;
    console.log(
      `N=${n.toLocaleString('en-US')}, ${classes} classes, ${anchors.toLocaleString('en-US')} anchors: ` +
        `without kNN (baseline) ${fmt(without)}; with kNN ${fmt(withKnn)}: ` +
        `${((sum(withKnn, 'wall') / sum(without, 'wall') - 1) * 100).toFixed(1)} % wall, ` +
        `${((sum(withKnn, 'cpu') / sum(without, 'cpu') - 1) * 100).toFixed(1)} % CPU; ` +
        `peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    c.dispose();
  }
}

/** Runs the pass-kNN benchmark (npm run bench). */
export async function run(): Promise<void> {
  const i = process.argv.indexOf('--sizes');
  const sizes = i > 0 ? process.argv[i + 1].split(',').map(Number) : [10_000, 100_000];
  const anchors = Number(process.env.EI_BENCH_ANCHORS ?? 4000);
  console.log(
    `\n== passKnn: the streaming exact pass with and without every sample's ${K} nearest neighbours (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores) ==`,
  );
  for (const n of sizes) await size(n, n >= 100_000 ? 1000 : 100, Math.min(n, n >= 100_000 ? anchors : n));
}

if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
