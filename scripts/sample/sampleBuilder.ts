/**
 * Builds the MNIST sample workspace: trains the embedding net on the training digits, embeds the
 * held-out digits at chosen epochs, and writes what a PyTorch user would leave behind:
 * `embeddings_epochNN.npy`, `labels.npy`, `metadata.tsv`, `images/*.png`, `embeddings.json`
 * (manifest, schema of src/data/MANIFEST.md) and a README with the measured triplet census.
 * Everything is seeded: the same options give byte-identical files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createNet, embedRows, toInput, trainStep, useCpuBackend } from './embeddingNet';
import { loadMnist, MNIST_PIXELS, MNIST_SIZE, MnistDigits, splitMnist } from './mnistSource';
import { encodeNpy } from './npyWriter';
import { encodeGrayPng } from './pngEncoder';
import { mulberry32, Rand, shuffleInPlace } from './prng';
import { sampleReadme } from './sampleReadme';
import { tripletCensus } from './tripletShares';
import type { SampleOptions, SampleReport } from './sampleTypes';

export type { SampleOptions, SampleReport, SnapshotReport } from './sampleTypes';

/** The committed sample's configuration (`npm run sample` with no flags). */
export const DEFAULT_OPTIONS: SampleOptions = {
  out: 'samples/mnist',
  seed: 7,
  epochs: [0, 1, 2, 5, 10],
  heldOutPerClass: 200,
  trainPerClass: 10000,
  classesPerBatch: 10,
  digitsPerClass: 8,
  hidden: 128,
  dim: 32,
  margin: 0.2,
  mining: 'semi-hard',
  learningRate: 1e-3,
};

/** `embeddings_epoch05.npy`: two digits at least, so names sort by epoch up to 99. */
export function snapshotFile(epoch: number): string {
  return `embeddings_epoch${String(epoch).padStart(2, '0')}.npy`;
}

/** Removes the files a previous build wrote (and only those), so stale snapshots cannot linger. */
function cleanOutput(out: string): void {
  fs.mkdirSync(path.join(out, 'images'), { recursive: true });
  for (const f of fs.readdirSync(out)) if (/^embeddings_epoch\d+\.npy$/.test(f)) fs.rmSync(path.join(out, f));
  for (const f of fs.readdirSync(path.join(out, 'images')))
    if (/^\d+\.png$/.test(f)) fs.rmSync(path.join(out, 'images', f));
}

/** Writes labels, metadata and one PNG per held-out digit. */
function writeSamples(out: string, digits: MnistDigits, rows: Int32Array): Int32Array {
  const labels = new Int32Array(rows.length);
  const tsv = ['index\tlabel\timage'];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    labels[i] = digits.labels[r];
    const image = `images/${String(i).padStart(5, '0')}.png`;
    const px = digits.pixels.subarray(r * MNIST_PIXELS, (r + 1) * MNIST_PIXELS);
    fs.writeFileSync(path.join(out, image), encodeGrayPng(px, MNIST_SIZE, MNIST_SIZE));
    tsv.push(`${i}\t${labels[i]}\t${image}`);
  }
  fs.writeFileSync(
    path.join(out, 'labels.npy'),
    encodeNpy(
      BigInt64Array.from(labels, (v) => BigInt(v)),
      [rows.length],
    ),
  );
  fs.writeFileSync(path.join(out, 'metadata.tsv'), tsv.join('\n') + '\n');
  return labels;
}

/** Draws PK batches without replacement within a class until the class runs dry, then reshuffles. */
class PkSampler {
  private readonly queues: Int32Array[];
  private readonly cursor: number[];
  constructor(
    digits: MnistDigits,
    train: Int32Array,
    private readonly rand: Rand,
  ) {
    this.queues = Array.from({ length: 10 }, (_, c) => train.filter((r) => digits.labels[r] === c));
    this.queues.forEach((q) => shuffleInPlace(q, rand));
    this.cursor = this.queues.map(() => 0);
  }
  /** Rows and labels of one batch of `p` classes x `k` digits. */
  next(p: number, k: number): { rows: Int32Array; labels: Int32Array } {
    const classes = shuffleInPlace(
      Int32Array.from({ length: 10 }, (_, c) => c),
      this.rand,
    ).subarray(0, p);
    const rows = new Int32Array(p * k);
    const labels = new Int32Array(p * k);
    let i = 0;
    for (const c of classes) {
      for (let j = 0; j < k; j++, i++) {
        if (this.cursor[c] >= this.queues[c].length) {
          shuffleInPlace(this.queues[c], this.rand);
          this.cursor[c] = 0;
        }
        rows[i] = this.queues[c][this.cursor[c]++];
        labels[i] = c;
      }
    }
    return { rows, labels };
  }
}

/** Trains, snapshots and writes the whole sample; `log` receives progress lines. */
export async function buildSample(
  options: SampleOptions,
  log: (line: string) => void = () => {},
): Promise<SampleReport> {
  const o = options;
  if (o.epochs.some((e, i) => !Number.isInteger(e) || e < 0 || (i > 0 && e <= o.epochs[i - 1]))) {
    throw new Error(`epochs must be ascending non-negative integers, got ${o.epochs.join(',')}`);
  }
  if (o.digitsPerClass < 2 || o.classesPerBatch < 2 || o.classesPerBatch > 10) {
    throw new Error('a batch needs 2-10 classes of at least 2 digits each (positives and negatives)');
  }
  await useCpuBackend();
  const rand = mulberry32(o.seed);
  const digits = loadMnist();
  const split = splitMnist(digits, o.heldOutPerClass, o.trainPerClass, (a) => shuffleInPlace(a, rand));
  cleanOutput(o.out);
  const labels = writeSamples(o.out, digits, split.heldOut);
  const net = createNet(rand, MNIST_PIXELS, o.hidden, o.dim);
  const optimizer = tf.train.adam(o.learningRate);
  const sampler = new PkSampler(digits, split.train, rand);
  const batch = o.classesPerBatch * o.digitsPerClass;
  const stepsPerEpoch = Math.max(1, Math.floor(split.train.length / batch));
  const n = split.heldOut.length;
  const report: SampleReport = { options: o, rows: n, trainDigits: split.train.length, stepsPerEpoch, snapshots: [] };
  let epoch = 0;
  let trainLoss = NaN;
  for (const target of o.epochs) {
    for (; epoch < target; epoch++) {
      let sum = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const b = sampler.next(o.classesPerBatch, o.digitsPerClass);
        const x = toInput(digits.pixels, b.rows, MNIST_PIXELS);
        const y = tf.tensor1d(b.labels, 'int32');
        sum += trainStep(net, optimizer, x, y, o.margin, o.mining);
        x.dispose();
        y.dispose();
      }
      trainLoss = sum / stepsPerEpoch;
      log(`epoch ${epoch + 1}: mean ${o.mining} loss ${trainLoss.toFixed(4)}`);
    }
    const z = embedRows(net, digits.pixels, split.heldOut, MNIST_PIXELS, o.dim);
    const file = snapshotFile(target);
    fs.writeFileSync(path.join(o.out, file), encodeNpy(z, [n, o.dim]));
    const census = tripletCensus(z, n, o.dim, labels, o.margin);
    log(
      `snapshot ${file}: hard ${((census.hard / census.valid) * 100).toFixed(2)}%, semi-hard ${((census.semihard / census.valid) * 100).toFixed(2)}%, P@1 ${census.precisionAt1.toFixed(3)}`,
    );
    report.snapshots.push({ epoch: target, file, trainLoss: target === 0 ? NaN : trainLoss, census });
  }
  optimizer.dispose();
  Object.values(net).forEach((v: tf.Variable) => v.dispose());
  writeManifest(o.out, report);
  fs.writeFileSync(path.join(o.out, 'README.md'), sampleReadme(report));
  return report;
}

/** The manifest naming the snapshots, paths relative to it (src/data/MANIFEST.md). */
function writeManifest(out: string, report: SampleReport): void {
  const manifest = {
    name: `MNIST digits (held-out), ${report.options.mining} triplet MLP`,
    snapshots: report.snapshots.map((s) => ({ name: `epoch ${s.epoch}`, epoch: s.epoch, path: s.file })),
    labels: 'labels.npy',
    metadata: 'metadata.tsv',
    sampleColumn: 'image',
  };
  fs.writeFileSync(path.join(out, 'embeddings.json'), JSON.stringify(manifest, null, 2) + '\n');
}
