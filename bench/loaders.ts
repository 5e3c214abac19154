/**
 * Loader speed: 100 000 x 512 float32 from `.npy` against the time to read the same bytes
 * (`fs.readFileSync`), and the same matrix as a TensorBoard `tensors.tsv` against reading its
 * bytes, against one pass over its bytes in memory (a lower bound for any parser) and against a
 * naive split + Number() parse of a slice. Files go to a temp folder that is
 * removed afterwards. Run with `npm run bench` or `node dist/bench/loaders.js [rows] [dim]`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../src/data/index';

const REPEATS = 3;

/** Median wall time of `fn` over REPEATS runs, in ms. */
async function median(fn: () => unknown): Promise<number> {
  const t: number[] = [];
  for (let k = 0; k < REPEATS; k++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

/** A minimal .npy (format 1.0) writer, as NumPy lays it out: 64-byte aligned header. */
function npyBytes(descr: string, shape: number[], data: Uint8Array): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

/** Writes the TSV in chunks from a pool of pre-formatted float32 values (generation is not timed). */
function writeTsv(file: string, emb: Float32Array, rows: number, dim: number): void {
  const fd = fs.openSync(file, 'w');
  // Eight significant digits, about what Python's str() of a float32 writes.
  const pool = Array.from({ length: 4096 }, (_, i) => String(Number(emb[i].toPrecision(8))));
  let chunk: string[] = [];
  for (let r = 0; r < rows; r++) {
    const line = new Array<string>(dim);
    for (let c = 0; c < dim; c++) line[c] = pool[(r * 31 + c * 7) & 4095];
    chunk.push(line.join('\t'));
    if (chunk.length === 2000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Runs the loader benchmark and prints a table. */
export async function run(rows = 100000, dim = 512): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-bench-loaders-'));
  try {
    let s = 12345;
    const emb = new Float32Array(rows * dim);
    for (let i = 0; i < emb.length; i++)
      emb[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 4;
    const labels = new Int32Array(rows).map((_, i) => i % 100);
    fs.writeFileSync(path.join(dir, 'emb.npy'), npyBytes('<f4', [rows, dim], new Uint8Array(emb.buffer)));
    fs.writeFileSync(path.join(dir, 'labels.npy'), npyBytes('<i4', [rows], new Uint8Array(labels.buffer)));
    const npyFile = path.join(dir, 'emb.npy');
    const npyMb = fs.statSync(npyFile).size / 2 ** 20;
    console.log(`\nloaders: ${rows} x ${dim} float32 (.npy ${npyMb.toFixed(0)} MB), median of ${REPEATS}`);

    const readNpy = await median(() => fs.readFileSync(npyFile));
    const loadNpy = await median(() => loadDataset(npyFile));
    const check = await loadDataset(npyFile);
    if (check.embeddings[dim * 7 + 3] !== emb[dim * 7 + 3] || check.n !== rows)
      throw new Error('npy load returned wrong data');

    const tsvDir = path.join(dir, 'projector');
    fs.mkdirSync(tsvDir);
    const tsvFile = path.join(tsvDir, 'tensors.tsv');
    writeTsv(tsvFile, emb, rows, dim);
    fs.writeFileSync(path.join(tsvDir, 'metadata.tsv'), Array.from(labels, String).join('\n') + '\n');
    const tsvMb = fs.statSync(tsvFile).size / 2 ** 20;
    const readTsv = await median(() => fs.readFileSync(tsvFile));
    const loadTsv = await median(() => loadDataset(tsvDir));
    // A lower bound for any parser: touching every byte once (a sum), on the bytes in memory.
    const tsvBytes = fs.readFileSync(tsvFile);
    const scan = await median(() => {
      let sum = 0;
      for (let i = 0; i < tsvBytes.length; i++) sum += tsvBytes[i];
      return sum;
    });
    // Naive baseline on a slice (the whole file is past V8's string limit): split + Number().
    const slice = Math.max(1, Math.floor(rows / 20));
    const head = fs.readFileSync(tsvFile).subarray(0, Math.floor(fs.statSync(tsvFile).size / 20));
    const naive =
      (await median(() => {
        const lines = head.toString('latin1').split('\n', slice);
        const out = new Float32Array(lines.length * dim);
        lines.forEach((l, r) =>
          l.split('\t').forEach((v, c) => {
            out[r * dim + c] = Number(v);
          }),
        );
      })) *
      (rows / slice);

    console.log('| what | time | vs baseline |');
    console.log('|---|---|---|');
    console.log(`| fs.readFileSync .npy (baseline) | ${fmt(readNpy)} | 1.00 |`);
    console.log(`| loadDataset .npy + labels.npy | ${fmt(loadNpy)} | ${(loadNpy / readNpy).toFixed(2)} x read |`);
    console.log(`| fs.readFileSync tensors.tsv (${tsvMb.toFixed(0)} MB) | ${fmt(readTsv)} | 1.00 |`);
    console.log(
      `| loadDataset projector folder (tensors.tsv + metadata.tsv) | ${fmt(loadTsv)} | ${(loadTsv / readTsv).toFixed(1)} x read |`,
    );
    console.log(
      `| byte scan of tensors.tsv in memory (lower bound) | ${fmt(scan)} | ours = ${(loadTsv / scan).toFixed(1)} x scan |`,
    );
    console.log(
      `| naive split + Number() (extrapolated from ${slice} rows) | ${fmt(naive)} | ${(naive / loadTsv).toFixed(1)} x ours |`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [rows, dim] = process.argv.slice(2).map(Number);
  run(rows || undefined, dim || undefined).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
