/**
 * Loading a dataset with one image per sample, in process against in the load worker: total time,
 * the longest stall of this thread's event loop (what the extension host would feel), peak RSS and
 * what the loaded dataset keeps after a full GC. Not in `npm run bench` (it writes N empty image
 * files): run it by hand, each mode in a fresh process so peak RSS is its own:
 *
 *   node dist/bench/workerLoad.js gen 1000000 /tmp/ei-load-1m     (once; reused while it exists)
 *   node --expose-gc dist/bench/workerLoad.js run worker /tmp/ei-load-1m
 *   node --expose-gc dist/bench/workerLoad.js run inproc /tmp/ei-load-1m
 *
 * The dataset: an embeddings.json naming embeddings.npy (N x 16 float32) and metadata.tsv (columns
 * label, image), images/dKKK/NNNNNNN.png in folders of 1 000 empty files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../src/data/index';
import { loadDatasetInWorker } from '../src/worker/loadClient';

const DIM = 16,
  PER_FOLDER = 1000,
  CLASSES = 10;

/** Writes the dataset unless `dir` already holds one of `n` samples. */
function generate(n: number, dir: string): void {
  const done = path.join(dir, '.complete');
  if (fs.existsSync(done) && fs.readFileSync(done, 'utf8') === String(n)) return;
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${DIM}), }`;
  const padded = header + ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(padded.length, 8);
  const emb = new Float32Array(n * DIM);
  for (let i = 0; i < emb.length; i++) emb[i] = ((i * 2654435761) % 1000) / 1000 + (Math.floor(i / DIM) % CLASSES);
  fs.writeFileSync(
    path.join(dir, 'embeddings.npy'),
    Buffer.concat([pre, Buffer.from(padded, 'latin1'), Buffer.from(emb.buffer)]),
  );
  const rows = ['label\timage'];
  for (let i = 0; i < n; i++) {
    const folder = `d${String(Math.floor(i / PER_FOLDER)).padStart(4, '0')}`;
    const file = `${String(i).padStart(7, '0')}.png`;
    if (i % PER_FOLDER === 0) fs.mkdirSync(path.join(dir, 'images', folder), { recursive: true });
    fs.closeSync(fs.openSync(path.join(dir, 'images', folder, file), 'w'));
    rows.push(`c${i % CLASSES}\timages/${folder}/${file}`);
  }
  fs.writeFileSync(path.join(dir, 'metadata.tsv'), rows.join('\n') + '\n');
  const manifest = {
    name: `bench ${n}`,
    snapshots: [{ name: 'final', path: 'embeddings.npy' }],
    metadata: 'metadata.tsv',
    labelColumn: 'label',
    sampleColumn: 'image',
  };
  fs.writeFileSync(path.join(dir, 'embeddings.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(done, String(n));
}

/** One load in this process; prints one JSON line. */
async function measure(mode: 'inproc' | 'worker', dir: string): Promise<void> {
  const target = path.join(dir, 'embeddings.json');
  const opts = { workspaceRoots: [dir] };
  let last = performance.now(),
    longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  const d =
    mode === 'inproc'
      ? await loadDataset(target, opts)
      : await loadDatasetInWorker(target, opts, path.join(__dirname, '..', 'loadWorker.js'));
  const seconds = (performance.now() - t0) / 1000;
  // The stall that ends with the load's last synchronous step is seen by the next tick.
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(tick);
  const peakMB = process.resourceUsage().maxRSS / 1024;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem = process.memoryUsage();
  // One sample's source, read whichever shape `sources` has (so the same bench runs on either build).
  const s = d.sources as unknown as { at(i: number): { path: string } | undefined };
  const probe = s?.at(d.n - 1)?.path;
  // And one metadata value, whichever shape the columns have (string[] before, StringColumn after).
  const label = d.metadata?.label as unknown as { at(i: number): string | undefined } | undefined;
  const labelProbe = label?.at(d.n - 1);
  console.log(
    JSON.stringify({
      mode,
      n: d.n,
      seconds: +seconds.toFixed(2),
      longestStallMs: Math.round(longest),
      peakRssMB: Math.round(peakMB),
      ...(gc ? { keptRssMB: Math.round(mem.rss / 2 ** 20), keptHeapMB: Math.round(mem.heapUsed / 2 ** 20) } : {}),
      probe: probe && path.relative(dir, probe),
      labelProbe,
    }),
  );
}

async function main(): Promise<void> {
  const [cmd, a, b] = process.argv.slice(2);
  if (cmd === 'gen') generate(Number(a), path.resolve(b));
  else if (cmd === 'run' && (a === 'inproc' || a === 'worker')) await measure(a, path.resolve(b));
  else throw new Error('usage: workerLoad.js gen N DIR | run inproc|worker DIR');
}

if (require.main === module) void main();
