/**
 * `embedding-inspector project` called in-process on .npy files written by NumPy; the layout it
 * writes is read back by NumPy and compared with computeLayout on the same data.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectCommand } from '../../../src/cli/projectCommand';
import { computeLayout } from '../../../src/projection/umap';

/** Runs the command with stderr captured. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await projectCommand(argv), stderr };
  } finally {
    process.stderr.write = write;
  }
}

/** The .npy file read by NumPy: dtype, shape and the values as float64 text. */
function numpyRead(file: string): { dtype: string; shape: number[]; values: number[] } {
  const py =
    'import numpy as np, sys, json\na = np.load(sys.argv[1])\nprint(json.dumps({"dtype": str(a.dtype), "shape": list(a.shape), "values": [float(v) for v in a.ravel()]}))';
  return JSON.parse(execFileSync('python3', ['-c', py, file], { encoding: 'utf8' }));
}

describe('projection: the project CLI command', function () {
  this.timeout(60_000);
  let dir: string;
  const n = 120,
    dim = 8;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-project-'));
    const py = [
      'import numpy as np, sys',
      'rng = np.random.default_rng(5)',
      `labels = np.arange(${n}) % 4`,
      `x = (rng.normal(size=(4, ${dim})) * 4)[labels] + rng.normal(size=(${n}, ${dim}))`,
      'np.save(sys.argv[1] + "/emb.npy", x.astype(np.float32))',
      'np.save(sys.argv[1] + "/labels.npy", labels.astype(np.int64))',
      'np.save(sys.argv[1] + "/flat.npy", x[:, :2].astype(np.float32))',
    ].join('\n');
    execFileSync('python3', ['-c', py, dir]);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the N x 2 float32 layout computeLayout gives for the same data, options and seed', async () => {
    const out = path.join(dir, 'layout.npy');
    const r = await run([
      path.join(dir, 'emb.npy'),
      '--labels',
      path.join(dir, 'labels.npy'),
      '--out',
      out,
      '--epochs',
      '50',
      '--seed',
      '7',
      '--neighbors',
      '10',
      '--min-dist',
      '0.2',
      '--distance',
      'cosine',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const got = numpyRead(out);
    assert.equal(got.dtype, 'float32');
    assert.deepEqual(got.shape, [n, 2]);
    const x = new Float32Array(numpyRead(path.join(dir, 'emb.npy')).values);
    const ref = await computeLayout(
      { embeddings: x, n, dim },
      { nEpochs: 50, seed: 7, nNeighbors: 10, minDist: 0.2, distance: 'cosine' },
    );
    assert.deepEqual(Float32Array.from(got.values), ref);
    assert.match(r.stderr, /wrote 120 x 2 layout/);
    assert.match(r.stderr, /seed 7; exact neighbours\)/, 'says how the neighbours were found');
  });

  it('--neighbours approximate lays out from NN-descent and states its measured recall', async () => {
    const out = path.join(dir, 'approx-layout.npy');
    const emb = path.join(dir, 'emb.npy');
    const r = await run([emb, '--out', out, '--epochs', '30', '--neighbours', 'approximate']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /; approximate neighbours \(NN-descent\), recall [01]\.\d{3} on 120 sampled rows\)/);
    const x = new Float32Array(numpyRead(emb).values);
    const ref = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 30, neighbours: 'approximate' });
    assert.deepEqual(Float32Array.from(numpyRead(out).values), ref);
    const bad = await run([emb, '--out', path.join(dir, 'x.npy'), '--neighbours', 'fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /neighbours/);
  });

  it('passes 2-D data through unchanged', async () => {
    const out = path.join(dir, 'flat-layout.npy');
    const r = await run([path.join(dir, 'flat.npy'), '--labels', path.join(dir, 'labels.npy'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(numpyRead(out).values, numpyRead(path.join(dir, 'flat.npy')).values);
  });

  it('exits with 2 and a message for bad arguments or input', async () => {
    const emb = path.join(dir, 'emb.npy');
    const cases: [string[], RegExp][] = [
      [[emb, '--labels', path.join(dir, 'labels.npy')], /--out/],
      [[emb, '--out', path.join(dir, 'x.npy'), '--neighbors', '1'], /neighbors/],
      [[emb, '--out', path.join(dir, 'x.npy'), '--min-dist', 'abc'], /min-dist/],
      [[emb, '--out', path.join(dir, 'x.npy'), '--bogus'], /bogus/],
      [['--out', path.join(dir, 'x.npy')], /dataset/],
      [[path.join(dir, 'missing.npy'), '--out', path.join(dir, 'x.npy')], /missing\.npy/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message);
    }
    assert.equal(fs.existsSync(path.join(dir, 'x.npy')), false);
  });
});
