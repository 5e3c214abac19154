/**
 * The census at scale, as a user runs it: the built CLI (`census --json`) as a child process on
 * .npy files written here (D = 128, Gaussian classes, euclidean on L2-normalised rows, m = 0.2),
 * wall time and peak resident memory of the whole process (all threads). Baselines measured in the
 * same run:
 * - what a user writes by hand: NumPy, blockwise (bench/python/numpy_census.py: distances of a
 *   block of anchors, sorted negatives, a search per positive, prefix sums), timed on a stated
 *   number of anchors and scaled to all of them (every anchor costs the same);
 * - at N = 10 000, the in-memory census index the product used before (index build, census,
 *   batch-hard, retrieval in 2 workers), against one pass in the same workers.
 * N = 10 000 and 50 000 by default; N = 100 000 and the sampled census of 1 000 000 with `--big`
 * (or EI_BENCH_BIG=1): about 6 more minutes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnalysisClient } from '../src/worker/client';
import { loadDataset } from '../src/data/index';
import { sampleSizeFor } from '../src/engine/passSample';
import { gaussianClasses } from './data';
import { writeNpy } from '../test/helpers/npy';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const preload = path.join(root, 'test', 'helpers', 'reportMaxRss.cjs');
const numpyScript = path.join(root, 'bench', 'python', 'numpy_census.py');

interface Run {
  seconds: number;
  peakMB: number;
  json: Record<string, unknown>;
}

/** The CLI as a child process: wall time, peak RSS (from the preloaded reporter), its JSON. */
function runCli(args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', preload, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`census failed (exit ${r.status}): ${r.stderr}`);
  const peakMB = Number(/EI_MAX_RSS_KB (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  return { seconds, peakMB, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

/** NumPy's blockwise census on the first `anchors` anchors, scaled to n; undefined without python3 + NumPy. */
function numpyBaseline(
  emb: string,
  labels: string,
  anchors: number,
  n: number,
): { seconds: number; anchors: number } | undefined {
  const r = spawnSync('python3', [numpyScript, emb, labels, '0.2', String(anchors)], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const j = JSON.parse(r.stdout) as { seconds: number };
  return { seconds: (j.seconds * n) / anchors, anchors };
}

const fmt = (s: number): string => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

/** One dataset size: the exact census by the CLI against the baselines. */
async function size(dir: string, n: number, classes: number, sampleAnchors: number): Promise<void> {
  const data = gaussianClasses(n, 128, classes, 1);
  const emb = path.join(dir, `emb${n}.npy`),
    lab = path.join(dir, `labels${n}.npy`);
  writeNpy(emb, '<f4', [n, 128], data.embeddings);
  writeNpy(lab, '<i4', [n], data.labels);
  const ours = runCli(['census', emb, '--labels', lab, '--normalize', '--margin', '0.2', '--json']);
  const np = numpyBaseline(emb, lab, Math.min(n, sampleAnchors), n);
  const vs = np
    ? `; NumPy blockwise (baseline, ${np.anchors} anchors timed, scaled) ${fmt(np.seconds)}: ${(np.seconds / ours.seconds).toFixed(2)}x`
    : '; NumPy baseline skipped (python3 with NumPy not found)';
  console.log(
    `N=${n.toLocaleString('en-US')}, ${classes} classes: exact census (whole CLI process, load included) ${fmt(ours.seconds)}, peak RSS ${ours.peakMB.toFixed(0)} MB${vs}`,
  );
  if (n === 10000) await oldIndexPath(data);
}

/** The in-memory index path the product used before, against one pass, in the same 2 workers. */
async function oldIndexPath(input: ReturnType<typeof gaussianClasses>): Promise<void> {
  const c = new AnalysisClient({ workers: 2, workerScript: path.join(root, 'dist', 'worker.js') });
  try {
    await c.setDataset(input);
    const opts = { distance: 'euclidean' as const, normalize: true };
    let t = performance.now();
    await c.buildIndex(opts);
    await c.census(0.2, { topK: 10 });
    await c.batchHard(0.2);
    await c.retrieval();
    const old = (performance.now() - t) / 1000;
    t = performance.now();
    await c.pass({
      distance: opts,
      margin: 0.2,
      topK: 10,
      perSample: false,
      retrieval: true,
      semihard: false,
      blockAnchors: 256,
    });
    const pass = (performance.now() - t) / 1000;
    console.log(
      `  in 2 workers, load excluded: index build + census + batch-hard + retrieval (the previous path, baseline) ${fmt(old)}; one pass ${fmt(pass)}: ${(old / pass).toFixed(2)}x`,
    );
  } finally {
    c.dispose();
  }
}

/** The stated sample at N = 1 000 000 (the exact census would take hours on 2 cores; shards are for that). */
export async function sampled(dir: string): Promise<void> {
  const n = 1_000_000,
    anchors = sampleSizeFor(n);
  let data: ReturnType<typeof gaussianClasses> | undefined = gaussianClasses(n, 128, 10000, 3);
  const emb = path.join(dir, 'emb1m.npy'),
    lab = path.join(dir, 'labels1m.npy');
  writeNpy(emb, '<f4', [n, 128], data.embeddings);
  writeNpy(lab, '<i4', [n], data.labels);
  data = undefined;
  // Loading alone, timed here with the CLI's own loader (the same code), to say what comes after it.
  const t0 = performance.now();
  await loadDataset(emb, { labels: lab, maxBytes: 2 ** 31 });
  const load = (performance.now() - t0) / 1000;
  const ours = runCli(['census', emb, '--labels', lab, '--normalize', '--json', '--sample', String(anchors)]);
  const share = ours.json.violatingShare as { value: number; halfWidth95: number };
  const np = numpyBaseline(emb, lab, anchors, anchors);
  console.log(
    `N=1,000,000: sampled census of ${anchors} anchors (the default) ${fmt(ours.seconds)}, of which loading the 512 MB file takes ${fmt(load)}: ` +
      `${fmt(ours.seconds - load)} after loading; peak RSS ${ours.peakMB.toFixed(0)} MB; ≈ ${(100 * share.value).toFixed(2)} % ± ${(100 * share.halfWidth95).toFixed(2)} % violating` +
      (np ? `; NumPy blockwise on the same anchors, after loading (baseline) ${fmt(np.seconds)}` : ''),
  );
}

/** Runs the scale benchmark (npm run bench). */
export async function run(): Promise<void> {
  const big = process.env.EI_BENCH_BIG === '1' || process.argv.includes('--big') || process.argv.includes('--only-big');
  console.log(
    `\n== scale: the exact census by the CLI, D = 128, euclidean normalised, m = 0.2 (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores) ==`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-scale-'));
  try {
    if (!process.argv.includes('--only-big')) {
      await size(dir, 10000, 100, 2000);
      await size(dir, 50000, 1000, 1000);
    }
    if (big) {
      await size(dir, 100000, 1000, 1000);
      await sampled(dir);
    } else {
      console.log('(N = 100 000 and the sampled 1 000 000: npm run bench -- --big)');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
