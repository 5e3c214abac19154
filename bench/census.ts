/**
 * Census benchmark: the sorted-negatives index and margin recount against an O(N^3) brute force
 * measured in the same run (whole at small N; at large N on a stated sample of anchors and scaled
 * linearly, which is exact for its cost since every anchor costs the same P x (N - P) work).
 * Also runs the index in 2 worker_threads on anchor ranges, merges, and checks the merged result
 * equals the single-thread one. N = 20 000 (memory) only with EI_BENCH_BIG=1 or `--big`.
 * Data: 100 Gaussian classes in D = 128, euclidean on L2-normalised rows (PML's default).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { buildCensusIndex, countAtMargin, mergeCensus } from '../src/engine/census';
import type { CensusIndex, CensusResult } from '../src/engine/census';
import { distanceRows, initBackend, prepareEmbeddings } from '../src/engine/distances';
import type { DistanceOptions, EngineInput } from '../src/engine/types';
import { gaussianClasses } from './data';

const OPTS: DistanceOptions = { distance: 'euclidean', normalize: true };
const MARGINS = [0.05, 0.2, 0.5];

/** N samples of 100 Gaussian classes, D = 128 (see data.ts). */
export function makeData(n: number, dim = 128, classes = 100, seed = 1): EngineInput {
  return gaussianClasses(n, dim, classes, seed);
}

/** Brute force over anchors [0, anchors): per anchor its positive and negative distance lists, every pair. */
function bruteForce(input: EngineInput, anchors: number, m: number): { violating: number; lossSum: number } {
  const { n, dim, labels } = input,
    x = prepareEmbeddings(input, OPTS.normalize);
  const pos = new Float64Array(n),
    neg = new Float64Array(n);
  let violating = 0,
    lossSum = 0;
  for (let a = 0; a < anchors; a++) {
    const row = distanceRows(x, n, dim, a, a + 1, OPTS.distance);
    let P = 0,
      N = 0;
    for (let j = 0; j < n; j++)
      if (labels[j] !== labels[a]) neg[N++] = row[j];
      else if (j !== a) pos[P++] = row[j];
    for (let p = 0; p < P; p++)
      for (let q = 0; q < N; q++) {
        const t = neg[q] - pos[p];
        if (t <= m) violating++;
        if (t < m) lossSum += m - t;
      }
  }
  return { violating, lossSum };
}

const now = (): number => performance.now();
/** CPU time of the whole process (all threads), ms: less sensitive than wall time to a busy machine. */
const cpuNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const rssMB = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
/** Peak resident memory of this process (all threads), from /proc when available. */
function peakMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    /* not Linux */
  }
  return rssMB();
}
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const ratio = (base: number, x: number): string => `${(base / x).toFixed(1)}x faster than baseline`;

/** Two worker_threads, each holding the index of half the anchors (what the analysis worker does). */
class TwoWorkers {
  private workers: Worker[] = [];
  async build(input: EngineInput): Promise<void> {
    const half = Math.floor(input.n / 2);
    const ranges = [
      [0, half],
      [half, input.n],
    ];
    this.workers = ranges.map(([s, e]) => new Worker(__filename, { workerData: { input, s, e } }));
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise((res, rej) => {
            w.once('message', res);
            w.once('error', rej);
          }),
      ),
    );
  }
  async count(margin: number, classPairs: boolean): Promise<CensusResult> {
    const parts = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<CensusResult>((res) => {
            w.once('message', res);
            w.postMessage({ margin, classPairs });
          }),
      ),
    );
    return mergeCensus(parts, 20);
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function workerMain(): Promise<void> {
  await initBackend();
  const { input, s, e } = workerData as { input: EngineInput; s: number; e: number };
  const index: CensusIndex = await buildCensusIndex(input, OPTS, { anchorStart: s, anchorEnd: e });
  parentPort!.postMessage('built');
  parentPort!.on('message', (p: { margin: number; classPairs: boolean }) =>
    parentPort!.postMessage(countAtMargin(index, p.margin, { topK: 20, classPairs: p.classPairs })),
  );
}

/** Median of k timed runs of f. */
async function median(k: number, f: () => unknown): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < k; i++) {
    const t = now();
    await f();
    ts.push(now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(k / 2)];
}

async function small(n: number): Promise<void> {
  const input = makeData(n);
  let t = now();
  const brute = bruteForce(input, n, 0.2);
  const tb = now() - t;
  t = now();
  const index = await buildCensusIndex(input, OPTS);
  const ti = now() - t;
  const r = countAtMargin(index, 0.2);
  if (r.pml.violating !== brute.violating || Math.abs(r.lossSum - brute.lossSum) > 1e-9 * brute.lossSum)
    throw new Error(`census disagrees with brute force at N=${n}`);
  const tr = await median(5, () => countAtMargin(index, 0.2));
  console.log(
    `N=${n}: ${r.triplets.toExponential(3)} triplets; brute force ${fmt(tb)} (baseline); index ${fmt(ti)} (${ratio(tb, ti)}); recount m=0.2 ${fmt(tr)} (${ratio(tb, tr)}); counts identical`,
  );
}

async function large(n: number, singleThread: boolean): Promise<void> {
  const input = makeData(n),
    sample = 200;
  let t = now();
  const bs = bruteForce(input, sample, 0.2);
  const tb = ((now() - t) * n) / sample;
  console.log(
    `N=${n}: brute force measured on the first ${sample} anchors (${bs.violating} violating), scaled to ${n}: ${fmt(tb)} (baseline)`,
  );
  let single: CensusResult | undefined;
  if (singleThread) {
    t = now();
    const c0 = cpuNow();
    const index = await buildCensusIndex(input, OPTS);
    const ti = now() - t;
    console.log(
      `  1 thread : index (distances + sort) ${fmt(ti)} (cpu ${fmt(cpuNow() - c0)}; ${ratio(tb, ti)}), RSS ${rssMB()} MB`,
    );
    for (const m of MARGINS) {
      const full = await median(1, () => countAtMargin(index, m)),
        fast = await median(3, () => countAtMargin(index, m, { classPairs: false }));
      console.log(
        `  1 thread : recount m=${m}: ${fmt(full)} with class pairs, ${fmt(fast)} without (${ratio(tb, fast)})`,
      );
    }
    single = countAtMargin(index, 0.2);
  }
  const two = new TwoWorkers();
  t = now();
  const c1 = cpuNow();
  await two.build(input);
  const tw = now() - t;
  console.log(
    `  2 workers: index ${fmt(tw)} (cpu of both ${fmt(cpuNow() - c1)}; ${ratio(tb, tw)}), peak RSS ${peakMB()} MB, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  for (const m of MARGINS) {
    const full = await median(1, () => two.count(m, true)),
      fast = await median(3, () => two.count(m, false));
    const r = await two.count(m, true);
    console.log(
      `  2 workers: recount m=${m} (${((100 * r.pml.violating) / r.triplets).toFixed(2)} % violating): ${fmt(full)} with class pairs, ${fmt(fast)} without (${ratio(tb, fast)})`,
    );
  }
  if (single) {
    const merged = await two.count(0.2, true);
    const same =
      JSON.stringify({ ...merged, lossSumPartials: 0 }) === JSON.stringify({ ...single, lossSumPartials: 0 });
    console.log(`  2-worker merged result ${same ? 'identical to' : 'DIFFERS from'} the single-thread one`);
  }
  await two.close();
}

/** Runs the census benchmark (npm run bench). */
export async function run(): Promise<void> {
  const backend = await initBackend();
  const load = os.loadavg()[0].toFixed(1),
    cpus = os.cpus().length;
  console.log(
    `\n== census (backend: ${backend}; ${OPTS.distance}, normalised; 100 classes, D=128; load average ${load} on ${cpus} cores) ==`,
  );
  if (!process.argv.includes('--only-big')) {
    await small(2000);
    await large(10000, true);
  }
  if (process.env.EI_BENCH_BIG === '1' || process.argv.includes('--big') || process.argv.includes('--only-big'))
    await large(20000, false);
}

if (!isMainThread) void workerMain();
else if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
