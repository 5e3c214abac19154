import * as assert from 'assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batchHardLoss, semihardLoss, semihardSelector, useCpuBackend } from '../../../scripts/sample/embeddingNet';
import { encodeNpy } from '../../../scripts/sample/npyWriter';
import { crc32, encodeGrayPng } from '../../../scripts/sample/pngEncoder';
import { mulberry32 } from '../../../scripts/sample/prng';
import { parseArgs } from '../../../scripts/sample/generate';
import { buildSample, DEFAULT_OPTIONS } from '../../../scripts/sample/sampleBuilder';
import { tripletCensus } from '../../../scripts/sample/tripletShares';
import { loadDataset } from '../../../src/data';
import { crc32Reference, decodeGrayPng, readNpy } from './pngDecode';

/** Random unit-length rows and labels for the brute-force checks. */
function randomBatch(seed: number, n: number, dim: number, classes: number): { z: Float32Array; labels: Int32Array } {
  const rand = mulberry32(seed);
  const z = new Float32Array(n * dim).map(() => rand() * 2 - 1);
  for (let i = 0; i < n; i++) {
    const norm = Math.hypot(...z.subarray(i * dim, (i + 1) * dim));
    for (let k = 0; k < dim; k++) z[i * dim + k] /= norm;
  }
  return { z, labels: Int32Array.from({ length: n }, (_, i) => i % classes) };
}

/** Euclidean distance of rows i and j, in float64. */
function dist(z: Float32Array | Float64Array, dim: number, i: number, j: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += (z[i * dim + k] - z[j * dim + k]) ** 2;
  return Math.sqrt(s);
}

describe('sample generator: writers', () => {
  it('crc32 gives the standard check value and the CRC of the IEND chunk', () => {
    assert.strictEqual(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.strictEqual(crc32(Buffer.from('IEND')), 0xae426082);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
    assert.strictEqual(crc32(bytes), crc32Reference(bytes));
  });

  it('encodeGrayPng round-trips through an independent inflate-based decoder, square or not', () => {
    const rand = mulberry32(3);
    for (const [w, h] of [
      [28, 28],
      [5, 3],
      [1, 1],
    ]) {
      const px = Uint8Array.from({ length: w * h }, () => Math.floor(rand() * 256));
      const img = decodeGrayPng(encodeGrayPng(px, w, h));
      assert.deepStrictEqual([img.width, img.height], [w, h]);
      assert.deepStrictEqual(img.pixels, px);
    }
    assert.throws(() => encodeGrayPng(new Uint8Array(5), 2, 2), /expected 4 pixels/);
  });

  it('encodeNpy writes v1.0 files with 64-byte aligned data that real NumPy reads back exactly', function () {
    const f = Float32Array.from([1.5, -2, 3.25e-5, 0, -0, 1e30]);
    const i = BigInt64Array.from([0n, 9n, -1n, 2n ** 40n]);
    const fb = encodeNpy(f, [2, 3]);
    const ib = encodeNpy(i, [4]);
    for (const [b, descr, shape] of [
      [fb, '<f4', [2, 3]],
      [ib, '<i8', [4]],
    ] as const) {
      const r = readNpy(b);
      assert.strictEqual(b[6], 1);
      assert.strictEqual(b[7], 0);
      assert.strictEqual(r.headerEnd % 64, 0);
      assert.strictEqual(r.descr, descr);
      assert.deepStrictEqual(r.shape, shape);
    }
    assert.throws(() => encodeNpy(f, [4, 2]), /needs 8 values, got 6/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npyw-'));
    fs.writeFileSync(path.join(dir, 'f.npy'), fb);
    fs.writeFileSync(path.join(dir, 'i.npy'), ib);
    const py =
      'import numpy, json, sys; d = sys.argv[1]\n' +
      'f = numpy.load(d + "/f.npy"); i = numpy.load(d + "/i.npy")\n' +
      'print(json.dumps([str(f.dtype), f.shape, [repr(float(v)) for v in f.ravel()], str(i.dtype), i.shape, [int(v) for v in i]]))';
    const run = spawnSync('python3', ['-c', py, dir], { encoding: 'utf8' });
    if (run.error || /No module named/.test(run.stderr)) this.skip(); // no python3/numpy on this machine
    assert.strictEqual(run.status, 0, run.stderr);
    const [fd, fs2, fv, id, is, iv] = JSON.parse(run.stdout);
    assert.deepStrictEqual([fd, fs2, id, is], ['float32', [2, 3], 'int64', [4]]);
    assert.deepStrictEqual(fv.map(Number), Array.from(f));
    assert.deepStrictEqual(iv, [0, 9, -1, 2 ** 40]);
  });
});

describe('sample generator: losses and census against brute force', () => {
  before(async () => {
    // IS_TEST only mutes tfjs's "install tfjs-node" banner (backend_util.warn); no numeric effect.
    tf.env().set('IS_TEST', true);
    await useCpuBackend();
  });

  it('batchHardLoss equals the per-anchor hardest positive / nearest negative loss', () => {
    const { z, labels } = randomBatch(11, 24, 5, 4);
    let want = 0;
    for (let a = 0; a < 24; a++) {
      let dp = 0;
      let dn = Infinity;
      for (let j = 0; j < 24; j++) {
        if (j === a) continue;
        if (labels[j] === labels[a]) dp = Math.max(dp, dist(z, 5, a, j));
        else dn = Math.min(dn, dist(z, 5, a, j));
      }
      want += Math.max(0, 0.2 + dp - dn) / 24;
    }
    const got = tf.tidy(() => batchHardLoss(tf.tensor2d(z, [24, 5]), tf.tensor1d(labels, 'int32'), 0.2).dataSync()[0]);
    assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  });

  it('semihardLoss follows TF Addons: nearest farther negative, else the farthest, mean over (a, p)', () => {
    const { z, labels } = randomBatch(12, 20, 3, 3);
    let sum = 0;
    let pairs = 0;
    for (let a = 0; a < 20; a++) {
      for (let p = 0; p < 20; p++) {
        if (p === a || labels[p] !== labels[a]) continue;
        const dp = dist(z, 3, a, p);
        const negs = [...Array(20).keys()].filter((n) => labels[n] !== labels[a]).map((n) => dist(z, 3, a, n));
        const farther = negs.filter((d) => d > dp);
        const dn = farther.length > 0 ? Math.min(...farther) : Math.max(...negs);
        sum += Math.max(0, 0.3 + dp - dn);
        pairs++;
      }
    }
    const got = tf.tidy(() => semihardLoss(tf.tensor2d(z, [20, 3]), tf.tensor1d(labels, 'int32'), 0.3).dataSync()[0]);
    assert.ok(Math.abs(got - sum / pairs) < 1e-5, `${got} vs ${sum / pairs}`);
  });

  it('semihardSelector picks by hand: farther negative when one exists, else the farthest', () => {
    // Classes [0, 0, 1, 1]; d(0,1) = 1, d(0,2) = 2, d(0,3) = 1.5, d(1,2) = 0.5, d(1,3) = 0.8, d(2,3) = 1.
    const d = [0, 1, 2, 1.5, 1, 0, 0.5, 0.8, 2, 0.5, 0, 1, 1.5, 0.8, 1, 0];
    const sel = semihardSelector(d, [0, 0, 1, 1], 4);
    const pick = (a: number, p: number) => [0, 1, 2, 3].filter((n) => sel[(a * 4 + p) * 4 + n] === 1);
    assert.deepStrictEqual(pick(0, 1), [3]); // both negatives farther than 1: the nearer one (1.5)
    assert.deepStrictEqual(pick(1, 0), [3]); // none farther than 1: the farthest (0.8)
    assert.deepStrictEqual(pick(2, 3), [0]); // only 0 (2) is farther than 1
    assert.deepStrictEqual(pick(3, 2), [0]); // 0 (1.5) farther, 1 (0.8) not
  });

  it('tripletCensus matches brute-force enumeration exactly (pml convention, with ties)', () => {
    const { z, labels } = randomBatch(13, 45, 4, 4);
    // Row 2 (class 2) duplicates row 1 (class 1): for every anchor of class 1, p = 1 and n = 2 tie
    // at t == 0 exactly, which pml counts as hard. Row 4 duplicates row 0 (same class): d(a,p) = 0.
    z.set(z.subarray(4, 8), 2 * 4);
    z.set(z.subarray(0, 4), 4 * 4);
    const m = 0.2;
    const want = { valid: 0, easy: 0, semihard: 0, hard: 0, lossSum: 0 };
    // Normalise in float64 as the definition says (the rows are float32, only nearly unit length).
    const zn = new Float64Array(z.length);
    for (let i = 0; i < 45; i++) {
      const norm = Math.hypot(...z.subarray(i * 4, i * 4 + 4));
      for (let k = 0; k < 4; k++) zn[i * 4 + k] = z[i * 4 + k] / norm;
    }
    for (let a = 0; a < 45; a++)
      for (let p = 0; p < 45; p++)
        for (let n = 0; n < 45; n++) {
          if (a === p || labels[p] !== labels[a] || labels[n] === labels[a]) continue;
          const t = dist(zn, 4, a, n) - dist(zn, 4, a, p);
          want.valid++;
          if (t <= 0) want.hard++;
          else if (t <= m) want.semihard++;
          else want.easy++;
          want.lossSum += Math.max(0, m - t);
        }
    const got = tripletCensus(z, 45, 4, labels, m);
    assert.deepStrictEqual(
      [got.valid, got.easy, got.semihard, got.hard],
      [want.valid, want.easy, want.semihard, want.hard],
    );
    assert.ok(Math.abs(got.lossSum - want.lossSum) < 1e-9 * want.valid);
  });
});

describe('sample generator: command line', () => {
  it('parses flags over the defaults and refuses unknown flags and bad numbers', () => {
    const o = parseArgs(['--out', '/tmp/x', '--epochs', '0,3,7', '--seed', '9', '--mining', 'batch-hard']);
    assert.deepStrictEqual(
      [o.out, o.epochs, o.seed, o.mining, o.dim],
      ['/tmp/x', [0, 3, 7], 9, 'batch-hard', DEFAULT_OPTIONS.dim],
    );
    assert.deepStrictEqual(parseArgs([]), DEFAULT_OPTIONS);
    assert.throws(() => parseArgs(['--epoch', '1']), /unknown flag --epoch/);
    assert.throws(() => parseArgs(['--epochs', '0,x']), /non-negative integer/);
    assert.throws(() => parseArgs(['--mining', 'hardest']), /batch-hard or semi-hard/);
    assert.throws(() => parseArgs(['--learning-rate', '-1']), /positive number/);
  });

  it('refuses epochs out of order and batches without positives before writing anything', async () => {
    const out = path.join(os.tmpdir(), `mnist-refused-${process.pid}`);
    await assert.rejects(buildSample({ ...DEFAULT_OPTIONS, out, epochs: [2, 1] }), /ascending/);
    await assert.rejects(buildSample({ ...DEFAULT_OPTIONS, out, digitsPerClass: 1 }), /at least 2 digits/);
    assert.ok(!fs.existsSync(out));
  });
});

describe('sample generator: a short build', function () {
  this.timeout(120_000);
  const short = (out: string) => ({
    ...DEFAULT_OPTIONS,
    out,
    epochs: [0, 1],
    heldOutPerClass: 6,
    trainPerClass: 24,
    seed: 5,
  });
  let dirs: string[] = [];
  before(async () => {
    dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'mnistA-')), fs.mkdtempSync(path.join(os.tmpdir(), 'mnistB-'))];
    for (const d of dirs) await buildSample(short(d));
  });
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** Every file under dir, relative, sorted. */
  const listing = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort();

  it('is byte-identical on a rerun with the same seed', () => {
    const [a, b] = dirs;
    assert.deepStrictEqual(listing(a), listing(b));
    assert.strictEqual(listing(a).filter((f) => f.endsWith('.png')).length, 60);
    for (const f of listing(a))
      assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), `${f} differs`);
    // Training changed the embeddings (a rerun that never trained would also be "identical").
    assert.ok(
      !fs
        .readFileSync(path.join(a, 'embeddings_epoch00.npy'))
        .equals(fs.readFileSync(path.join(a, 'embeddings_epoch01.npy'))),
    );
  });

  it('loads through the data layer with both snapshots, labels and images', async () => {
    const ds = await loadDataset(dirs[0]);
    assert.deepStrictEqual([ds.n, ds.dim], [60, 32]);
    assert.deepStrictEqual(
      ds.snapshots?.map((s) => [s.name, s.epoch, path.basename(s.path)]),
      [
        ['epoch 0', 0, 'embeddings_epoch00.npy'],
        ['epoch 1', 1, 'embeddings_epoch01.npy'],
      ],
    );
    assert.deepStrictEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.ok(ds.sources?.toArray().every((s) => s?.kind === 'image' && fs.existsSync(s.path)));
  });

  it('rebuilding into the same folder with fewer snapshots leaves no stale files behind', async () => {
    await buildSample({ ...short(dirs[1]), epochs: [0] });
    assert.ok(!fs.existsSync(path.join(dirs[1], 'embeddings_epoch01.npy')));
    assert.ok(
      fs
        .readFileSync(path.join(dirs[0], 'embeddings_epoch00.npy'))
        .equals(fs.readFileSync(path.join(dirs[1], 'embeddings_epoch00.npy'))),
    );
  });
});
