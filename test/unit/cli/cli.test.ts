/**
 * The built CLI (dist/cli.js) as a child process on small .npy files written here: JSON checked
 * against a brute-force triplet census written in this test and against the in-process engine;
 * kNN .npy output read back by real NumPy; exit codes and messages for bad arguments and input.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distanceRows, initBackend, prepareEmbeddings } from '../../../src/engine/distances';
import { exactKnn } from '../../../src/engine/knn';
import { retrievalMetrics } from '../../../src/engine/retrieval';
import type { EngineInput } from '../../../src/engine/types';

const cli = path.resolve(__dirname, '../../../cli.js');

/** Minimal .npy v1.0 writer (NumPy's format spec): magic, version, header dict padded to 64, data. */
function writeNpy(file: string, descr: '<f4' | '<i8', shape: number[], values: ArrayLike<number>): void {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const size = descr === '<f4' ? 4 : 8;
  const buf = Buffer.alloc(10 + header.length + values.length * size);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(buf);
  buf.writeUInt16LE(header.length, 8);
  buf.write(header, 10, 'latin1');
  for (let i = 0; i < values.length; i++) {
    const o = 10 + header.length + i * size;
    if (descr === '<f4') buf.writeFloatLE(values[i], o);
    else buf.writeBigInt64LE(BigInt(values[i]), o);
  }
  fs.writeFileSync(file, buf);
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Brute force over every (a, p, n), straight from definitions.md, on distanceRows' distances. */
function bruteCensus(input: EngineInput, margin: number, normalize: boolean, top: number) {
  const { n, dim, labels } = input;
  const d = distanceRows(prepareEmbeddings(input, normalize), n, dim, 0, n, 'euclidean');
  let triplets = 0,
    easy = 0,
    semihard = 0,
    hard = 0,
    violating = 0,
    lossSum = 0,
    nonZero = 0;
  const all: { anchor: number; positive: number; negative: number; loss: number }[] = [];
  let bhSum = 0,
    bhViol = 0,
    bhAnchors = 0;
  for (let a = 0; a < n; a++) {
    let far = -Infinity,
      near = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      if (labels[j] === labels[a]) far = Math.max(far, d[a * n + j]);
      else near = Math.min(near, d[a * n + j]);
    }
    if (far > -Infinity && near < Infinity) {
      const l = Math.max(0, margin + far - near);
      bhSum += l;
      bhAnchors++;
      if (l > 0) bhViol++;
    }
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let q = 0; q < n; q++) {
        if (labels[q] === labels[a]) continue;
        const t = d[a * n + q] - d[a * n + p];
        triplets++;
        if (t > margin) easy++;
        else if (t > 0) semihard++;
        else hard++;
        if (t <= margin) violating++;
        const loss = Math.max(0, margin - t);
        lossSum += loss;
        if (loss > 0) {
          nonZero++;
          all.push({ anchor: a, positive: p, negative: q, loss });
        }
      }
    }
  }
  all.sort((x, y) => y.loss - x.loss || x.anchor - y.anchor || x.positive - y.positive || x.negative - y.negative);
  return {
    triplets,
    easy,
    semihard,
    hard,
    violating,
    lossSum,
    meanLoss: lossSum / triplets,
    meanLossNonZero: lossSum / nonZero,
    worst: all.slice(0, top),
    batchHard: { meanLoss: bhSum / bhAnchors, violatingAnchors: bhViol },
  };
}

describe('cli (built dist/cli.js as a child process)', function () {
  this.timeout(120000);
  let dir = '';
  const n = 36,
    dim = 4,
    classes = 4;
  let s = 99;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const embeddings = Float32Array.from({ length: n * dim }, (_, k) => labels[Math.floor(k / dim)] * 0.25 + r() - 0.5);
  const input: EngineInput = { embeddings, n, dim, labels, classes };
  let emb = '',
    lab = '';

  before(async () => {
    assert.ok(fs.existsSync(cli), `${cli} missing: run the build first`);
    await initBackend(); // the CLI's workers start the same backend
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-cli-'));
    emb = path.join(dir, 'emb.npy');
    lab = path.join(dir, 'labels.npy');
    writeNpy(emb, '<f4', [n, dim], embeddings);
    writeNpy(lab, '<i8', [n], labels);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('census --json matches a brute-force census and the engine', async () => {
    for (const [margin, normalize] of [
      [0.3, true],
      [0.1, false],
    ] as [number, boolean][]) {
      const args = [
        'census',
        emb,
        '--labels',
        lab,
        '--margin',
        String(margin),
        '--distance',
        'euclidean',
        '--top',
        '5',
        '--json',
      ];
      const out = run(normalize ? [...args, '--normalize'] : args);
      assert.equal(out.code, 0, out.stderr);
      const j = JSON.parse(out.stdout);
      const want = bruteCensus(input, margin, normalize, 5);
      assert.deepEqual(
        [j.n, j.dim, j.classes, j.margin, j.distance, j.normalize, j.convention],
        [n, dim, classes, margin, 'euclidean', normalize, 'pml'],
      );
      assert.deepEqual(
        [j.triplets, j.easy, j.semihard, j.hard, j.violating],
        [want.triplets, want.easy, want.semihard, want.hard, want.violating],
      );
      for (const k of ['lossSum', 'meanLoss', 'meanLossNonZero'] as const)
        assert.ok(Math.abs(j[k] - want[k]) <= 1e-9 * Math.abs(want[k]), k);
      assert.deepEqual(
        j.worst.map((w: { anchor: number; positive: number; negative: number }) => [w.anchor, w.positive, w.negative]),
        want.worst.map((w) => [w.anchor, w.positive, w.negative]),
      );
      assert.ok(Math.abs(j.batchHard.meanLoss - want.batchHard.meanLoss) <= 1e-9);
      assert.equal(j.batchHard.violatingAnchors, want.batchHard.violatingAnchors);
      const ret = await retrievalMetrics(input, { distance: 'euclidean', normalize });
      assert.deepEqual(j.retrieval, {
        precisionAt1: ret.precisionAt1,
        rPrecision: ret.rPrecision,
        mapAtR: ret.mapAtR,
        queries: ret.queries,
      });
    }
  });

  it('census --convention facenet and the readable table', () => {
    const f = JSON.parse(run(['census', emb, '--labels', lab, '--convention', 'facenet', '--json']).stdout);
    assert.equal(f.convention, 'facenet');
    assert.deepEqual(
      [f.easy, f.semihard, f.hard, f.violating],
      [f.facenet.easy, f.facenet.semihard, f.facenet.hard, f.facenet.violating],
    );
    const t = run(['census', emb, '--labels', lab, '--margin', '0.25']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /valid triplets\s+\d/);
    assert.match(t.stdout, /margin m = 0\.25/);
  });

  it('knn --out writes a real int32 .npy (read back by NumPy); JSON without --out', async () => {
    const out = path.join(dir, 'knn.npy');
    const res = run(['knn', emb, '--labels', lab, '--k', '4', '--out', out]);
    assert.equal(res.code, 0, res.stderr);
    const py = spawnSync(
      'python3',
      [
        '-c',
        `import numpy as np, json; a = np.load(${JSON.stringify(out)}); print(json.dumps([a.dtype.str, list(a.shape), a.tolist()]))`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    const [dtype, shape, rows] = JSON.parse(py.stdout) as [string, number[], number[][]];
    const want = await exactKnn(input, 4, { distance: 'euclidean', normalize: false });
    assert.deepEqual([dtype, shape], ['<i4', [n, 4]]);
    assert.deepEqual(rows.flat(), Array.from(want.indices));
    const j = JSON.parse(
      run(['knn', emb, '--labels', lab, '--k', '2', '--distance', 'cosine', '--include-self']).stdout,
    );
    const w2 = await exactKnn(input, 2, { distance: 'cosine', normalize: false, includeSelf: true });
    assert.deepEqual(j.indices.flat(), Array.from(w2.indices));
    assert.deepEqual(j.distances.flat(), Array.from(w2.distances));
  });

  it('one-class data is reported, not a crash', () => {
    const one = path.join(dir, 'one.npy');
    writeNpy(one, '<i8', [n], new Array(n).fill(3));
    const j = JSON.parse(run(['census', emb, '--labels', one, '--json']).stdout);
    assert.deepEqual([j.classes, j.triplets, j.lossSum, j.retrieval.precisionAt1], [1, 0, 0, 1]);
  });

  it('exits 2 with a message naming the problem for bad arguments and input', () => {
    const cases: [string[], RegExp][] = [
      [['census', emb, '--bogus'], /--bogus/],
      [['census', emb, '--margin', 'abc'], /--margin.*number/],
      [['census', emb, '--margin', '-1'], /--margin/],
      [['census', emb, '--distance', 'manhattan'], /--distance.*euclidean/],
      [['census', emb, '--convention'], /--convention needs a value/],
      [['knn', emb, '--k', '2.5'], /--k.*integer/],
      [['census'], /missing <dataset>/],
      [['census', emb, 'extra'], /unexpected argument/],
      [['frobnicate'], /unknown command/],
      [['census', path.join(dir, 'nope.npy'), '--json'], /nope\.npy/],
    ];
    for (const [args, re] of cases) {
      const res = run(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, re, args.join(' '));
      assert.equal(res.stdout, '');
    }
    const noArgs = run([]);
    assert.equal(noArgs.code, 2);
    assert.match(noArgs.stdout, /Commands:/);
    const help = run(['help', 'census']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--margin/);
  });

  it('bin/embedding-inspector.js runs the built CLI, and says to build when dist/cli.js is missing', () => {
    const bin = path.resolve(__dirname, '../../../../bin/embedding-inspector.js');
    const ok = spawnSync(process.execPath, [bin, 'help'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /census/);
    const bad = spawnSync(process.execPath, [bin, 'census', emb, '--bogus'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    // A copy of the launcher in a tree without dist/.
    fs.mkdirSync(path.join(dir, 'pkg', 'bin'), { recursive: true });
    const lonely = path.join(dir, 'pkg', 'bin', 'embedding-inspector.js');
    fs.copyFileSync(bin, lonely);
    const missing = spawnSync(process.execPath, [lonely, 'help'], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /npm run build/);
  });
});
