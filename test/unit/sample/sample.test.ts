/**
 * The committed sample workspace (samples/mnist, written by `npm run sample`): its files parse by
 * independent readers, its images are real MNIST digits held out from training, it loads through
 * the data layer, and its early snapshots have more hard triplets than its late ones.
 */
import * as assert from 'assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadDataset } from '../../../src/data';
import { decodeGrayPng, readNpy } from './pngDecode';
import { repoRoot } from '../../helpers/repoRoot';

const ROOT = repoRoot();
const SAMPLE = path.join(ROOT, 'samples', 'mnist');
const at = (rel: string) => path.join(SAMPLE, rel);

interface ManifestJson {
  name: string;
  snapshots: { name: string; epoch: number; path: string }[];
  labels: string;
  metadata: string;
  sampleColumn: string;
}
const manifest = (): ManifestJson => JSON.parse(fs.readFileSync(at('embeddings.json'), 'utf8'));

/** labels.npy as numbers (int64 little-endian, values small). */
function readLabels(): number[] {
  const r = readNpy(fs.readFileSync(at('labels.npy')));
  assert.strictEqual(r.descr, '<i8');
  assert.strictEqual(r.data.length, r.shape[0] * 8);
  return Array.from({ length: r.shape[0] }, (_, i) => Number(r.data.readBigInt64LE(i * 8)));
}

/** One snapshot as float32 rows (copied out of the file buffer, which need not be aligned). */
function readSnapshot(rel: string): { n: number; dim: number; z: Float32Array } {
  const r = readNpy(fs.readFileSync(at(rel)));
  assert.strictEqual(r.descr, '<f4', rel);
  assert.strictEqual(r.shape.length, 2, rel);
  const [n, dim] = r.shape;
  assert.strictEqual(r.data.length, n * dim * 4, rel);
  const z = new Float32Array(n * dim);
  for (let i = 0; i < z.length; i++) z[i] = r.data.readFloatLE(i * 4);
  return { n, dim, z };
}

/** Share of hard triplets (pml: d(a,n) - d(a,p) <= 0, euclidean, normalised) among the first `m` rows, by enumeration.
 */
function bruteForceHardShare(z: Float32Array, dim: number, labels: number[], m: number): number {
  const d = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      let ni = 0;
      let nj = 0;
      for (let k = 0; k < dim; k++) {
        ni += z[i * dim + k] ** 2;
        nj += z[j * dim + k] ** 2;
      }
      for (let k = 0; k < dim; k++) s += (z[i * dim + k] / Math.sqrt(ni) - z[j * dim + k] / Math.sqrt(nj)) ** 2;
      d[i * m + j] = Math.sqrt(s);
    }
  let hard = 0;
  let valid = 0;
  for (let a = 0; a < m; a++)
    for (let p = 0; p < m; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let n = 0; n < m; n++) {
        if (labels[n] === labels[a]) continue;
        valid++;
        if (d[a * m + n] - d[a * m + p] <= 0) hard++;
      }
    }
  return hard / valid;
}

describe('samples/mnist: the committed sample workspace', () => {
  it('has a manifest naming 4-6 snapshots (epoch 0 first, ascending) and files that exist', () => {
    const m = manifest();
    assert.ok(m.snapshots.length >= 4 && m.snapshots.length <= 6, `${m.snapshots.length} snapshots`);
    assert.strictEqual(m.snapshots[0].epoch, 0);
    m.snapshots.forEach((s, i) => {
      assert.strictEqual(s.name, `epoch ${s.epoch}`);
      assert.strictEqual(s.path, `embeddings_epoch${String(s.epoch).padStart(2, '0')}.npy`);
      if (i > 0) assert.ok(s.epoch > m.snapshots[i - 1].epoch);
      assert.ok(fs.existsSync(at(s.path)), s.path);
    });
    assert.deepStrictEqual([m.labels, m.metadata, m.sampleColumn], ['labels.npy', 'metadata.tsv', 'image']);
    assert.ok(fs.existsSync(at('README.md')));
  });

  it('has ~2000 int64 labels, balanced over the 10 digits, and float32 N x 32 unit-length snapshots', () => {
    const labels = readLabels();
    assert.strictEqual(labels.length, 2000);
    const counts = new Array(10).fill(0);
    labels.forEach((l) => counts[l]++);
    assert.deepStrictEqual(counts, new Array(10).fill(200));
    const snaps = manifest().snapshots.map((s) => readSnapshot(s.path));
    for (const s of snaps) {
      assert.deepStrictEqual([s.n, s.dim], [2000, 32]);
      for (let i = 0; i < s.n; i++) {
        let sq = 0;
        for (let k = 0; k < s.dim; k++) sq += s.z[i * s.dim + k] ** 2;
        assert.ok(Math.abs(Math.sqrt(sq) - 1) < 1e-5, `row ${i} norm ${Math.sqrt(sq)}`);
      }
    }
    for (let i = 1; i < snaps.length; i++)
      assert.ok(
        snaps[i].z.some((v, j) => v !== snaps[i - 1].z[j]),
        'snapshots must differ',
      );
  });

  it('has metadata.tsv with index, label and an existing PNG image per row, labels agreeing with labels.npy', () => {
    const labels = readLabels();
    const lines = fs.readFileSync(at('metadata.tsv'), 'utf8').split('\n');
    assert.strictEqual(lines[0], 'index\tlabel\timage');
    assert.strictEqual(lines.at(-1), '');
    const rows = lines.slice(1, -1).map((l) => l.split('\t'));
    assert.strictEqual(rows.length, labels.length);
    const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    rows.forEach(([index, label, image], i) => {
      assert.deepStrictEqual([Number(index), Number(label)], [i, labels[i]]);
      assert.match(image, /^images\/\d{5}\.png$/);
      const head = Buffer.alloc(8);
      const fd = fs.openSync(at(image), 'r');
      fs.readSync(fd, head, 0, 8, 0);
      fs.closeSync(fd);
      assert.ok(head.equals(signature), `${image}: not a PNG`);
    });
  });

  it('shows real MNIST digits of the right class, from the held-out end of each class file', () => {
    const labels = readLabels();
    const digitsDir = path.join(path.dirname(createRequire(__filename).resolve('mnist/package.json')), 'src', 'digits');
    for (const row of [0, 1, 2, 500, 1234, 1999]) {
      const img = decodeGrayPng(fs.readFileSync(at(`images/${String(row).padStart(5, '0')}.png`)));
      assert.deepStrictEqual([img.width, img.height], [28, 28]);
      const data: number[] = JSON.parse(fs.readFileSync(path.join(digitsDir, `${labels[row]}.json`), 'utf8')).data;
      const count = data.length / 784;
      let match = -1;
      for (let k = 0; k < count && match < 0; k++) {
        if (img.pixels.every((v, j) => v === Math.round(data[k * 784 + j] * 255))) match = k;
      }
      assert.ok(match >= 0, `row ${row}: not a digit ${labels[row]} of the mnist package`);
      assert.ok(match >= count - 200, `row ${row}: digit ${match} of ${count} is not among the held-out last 200`);
    }
  });

  it('stays compact (under 3 MB of files)', () => {
    let total = 0;
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else total += fs.statSync(path.join(dir, e.name)).size;
      }
    };
    walk(SAMPLE);
    assert.ok(total < 3 * 1024 * 1024, `${(total / 1048576).toFixed(2)} MB`);
  });

  it('has more hard triplets in its first snapshot than in its last (brute force on 300 rows)', () => {
    const labels = readLabels();
    const snaps = manifest().snapshots;
    const first = readSnapshot(snaps[0].path);
    const last = readSnapshot(snaps[snaps.length - 1].path);
    const h0 = bruteForceHardShare(first.z, first.dim, labels, 300);
    const h1 = bruteForceHardShare(last.z, last.dim, labels, 300);
    assert.ok(h1 < h0, `hard share ${h1} (last) vs ${h0} (first)`);
    assert.ok(h0 > 0.1, `the untrained net should leave many hard triplets, got ${h0}`);
  });

  it('loads through the data layer with every snapshot, the labels and the images', async function () {
    this.timeout(20_000);
    const m = manifest();
    const labels = readLabels();
    const ds = await loadDataset(SAMPLE);
    assert.deepStrictEqual([ds.n, ds.dim], [2000, 32]);
    assert.deepStrictEqual(
      ds.snapshots?.map((s) => [s.name, s.epoch, s.path]),
      m.snapshots.map((s) => [s.name, s.epoch, at(s.path)]),
    );
    assert.strictEqual(ds.activeSnapshot, m.snapshots.length - 1);
    assert.deepStrictEqual(ds.embeddings, readSnapshot(m.snapshots.at(-1)!.path).z);
    assert.deepStrictEqual(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepStrictEqual(Array.from(ds.labels), labels);
    assert.deepStrictEqual(
      ds.sources?.map((s) => s && [s.kind, path.relative(SAMPLE, s.path)]),
      labels.map((_, i) => ['image', path.join('images', `${String(i).padStart(5, '0')}.png`)]),
    );
    assert.deepStrictEqual(ds.warnings, []);
    const early = await loadDataset(SAMPLE, { snapshot: 0 });
    assert.deepStrictEqual(early.embeddings, readSnapshot(m.snapshots[0].path).z);
  });
});
