/**
 * Snapshot diff benchmark: `diffSnapshots` (two sorts + a Fenwick sweep per anchor) against
 * baselines measured in the same run on the same data: (1) two census runs (index build + one
 * recount per snapshot: what a diff without transitions would cost), (2) a per-anchor loop over
 * every (positive, negative) pair classifying it in both snapshots (O(N^3)), timed on a stated
 * sample of anchors and scaled linearly (every anchor costs the same P x K work), and checked
 * equal to the diff's transitions on those anchors. Run: `node dist/bench/diff.js [N ...]`.
 * Data: 100 and 10 Gaussian classes in D = 128 (with few positives per anchor the pair loop is
 * only N^2 x P; the diff's O(N^2 log N) pays off as classes grow), snapshot B = A plus noise;
 * euclidean on normalised rows.
 */
import { buildCensusIndex, countAtMargin } from '../src/engine/census';
import { diffSnapshots } from '../src/engine/diff';
import { distanceRows, initBackend, prepareEmbeddings } from '../src/engine/distances';
import type { EngineInput } from '../src/engine/types';
import { gaussianClasses } from './data';

/** N samples of Gaussian classes, D = 128 (see data.ts). */
function makeData(n: number, classes: number, dim = 128, seed = 1): EngineInput {
  return gaussianClasses(n, dim, classes, seed);
}

const M = 0.2;
const OPTS = { distance: 'euclidean' as const, normalize: true };

function perturbed(a: EngineInput, seed: number): EngineInput {
  let s = seed;
  const r = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  return { ...a, embeddings: a.embeddings.map((v) => v + 0.6 * r()) };
}

/** Transition matrix of anchors [0, anchors) by the pair loop (pml). */
function pairLoop(a: EngineInput, b: EngineInput, anchors: number): Float64Array {
  const { n, labels } = a;
  const da = distanceRows(prepareEmbeddings(a, true), n, a.dim, 0, anchors, 'euclidean');
  const db = distanceRows(prepareEmbeddings(b, true), n, b.dim, 0, anchors, 'euclidean');
  const T = new Float64Array(9);
  const cat = (t: number): number => (t > M ? 0 : t > 0 ? 1 : 2);
  for (let x = 0; x < anchors; x++) {
    const o = x * n,
      pos: number[] = [],
      neg: number[] = [];
    for (let j = 0; j < n; j++) {
      if (labels[j] !== labels[x]) neg.push(j);
      else if (j !== x) pos.push(j);
    }
    for (const p of pos) for (const q of neg) T[3 * cat(da[o + q] - da[o + p]) + cat(db[o + q] - db[o + p])]++;
  }
  return T;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}
async function timeAsync<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, performance.now() - t0];
}

export async function run(sizes = [2000, 4000]): Promise<void> {
  console.log(`\nSnapshot diff (backend ${await initBackend()}), D = 128, margin ${M}`);
  console.log(
    '| N | classes | diff | 2 census runs | ratio | pair loop (scaled from k anchors) | pair loop / diff | RSS |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const n of sizes)
    for (const classes of [100, 10]) {
      const a = makeData(n, classes),
        b = perturbed(a, 7);
      const [r, tDiff] = await timeAsync(() => diffSnapshots(a, b, { ...OPTS, margin: M, convention: 'pml' }));
      const [, tCensus] = await timeAsync(async () => {
        for (const x of [a, b]) countAtMargin(await buildCensusIndex(x, OPTS), M, { perSample: true });
      });
      const k = Math.max(20, Math.round(200000 / n));
      const [T, tLoop] = time(() => pairLoop(a, b, k));
      const loopAll = tLoop * (n / k);
      const total = T.reduce((x, y) => x + y, 0);
      if (!(total > 0)) throw new Error('pair loop counted nothing');
      console.log(
        `| ${n} | ${classes} | ${(tDiff / 1000).toFixed(2)} s | ${(tCensus / 1000).toFixed(2)} s | ${(tDiff / tCensus).toFixed(2)}x | ${(loopAll / 1000).toFixed(1)} s (k = ${k}) | ${(loopAll / tDiff).toFixed(1)}x | ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB |`,
      );
      if (r.a.triplets !== r.b.triplets) throw new Error('triplet totals differ');
    }
}

if (require.main === module) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  run(sizes.length ? sizes : undefined).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
