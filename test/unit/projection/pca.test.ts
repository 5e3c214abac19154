import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNpy } from '../../../src/data/npy';
import { jacobiEigen, pcaLayout, sampleRowsFor } from '../../../src/projection/pca';
import { seededRandom } from '../../../src/projection/random';
import { repoRoot } from '../../helpers/repoRoot';

const DIR = path.join(repoRoot(), 'test', 'fixtures', 'data', 'pca');
const load = (name: string) => parseNpy(new Uint8Array(fs.readFileSync(path.join(DIR, name))), name);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('PCA layout', () => {
  for (const suffix of ['', '_normalized']) {
    it(`equals NumPy's SVD of the centred rows${suffix ? ' (rows L2-normalised)' : ''} (scripts/fixtures/makePcaFixture.py)`, () => {
      const x = load('x.npy');
      const [n, dim] = x.shape;
      const want = load(`scores${suffix}.npy`).data as Float64Array;
      const comps = load(`components${suffix}.npy`).data as Float64Array;
      const variance = load(`variance${suffix}.npy`).data as Float64Array;
      const r = pcaLayout(x.data as Float32Array, n, dim, { normalize: suffix !== '' });
      assert.equal(r.sampled, n);
      const scale = Math.sqrt(variance[0]);
      assert.ok(maxAbsDiff(r.layout, want) < 1e-5 * scale, `scores differ by ${maxAbsDiff(r.layout, want)}`);
      assert.ok(maxAbsDiff(r.components, comps) < 1e-7, `axes differ by ${maxAbsDiff(r.components, comps)}`);
      assert.ok(Math.abs(r.variance[0] - variance[0]) < 1e-9 * variance[2]);
      assert.ok(Math.abs(r.variance[1] - variance[1]) < 1e-9 * variance[2]);
      assert.ok(Math.abs(r.totalVariance - variance[2]) < 1e-9 * variance[2]);
    });
  }

  it('the hand-computed case: points on a tilted line and its normal', () => {
    // (t, 2t) + (-2u, u)/k: variance along (1, 2)/sqrt 5 dominates; scores are t sqrt 5 and u sqrt 5 / k.
    const pts: number[] = [];
    const ts = [-2, -1, 0, 1, 2],
      us = [1, -2, 2, -2, 1]; // sum u = 0 and sum t u = 0
    for (let i = 0; i < 5; i++) pts.push(ts[i] - (2 * us[i]) / 10 + 7, 2 * ts[i] + us[i] / 10 - 3);
    const r = pcaLayout(Float32Array.from(pts), 5, 2);
    const s5 = Math.sqrt(5);
    assert.ok(
      maxAbsDiff(r.components, [1 / s5, 2 / s5, 2 / s5, -1 / s5]) < 1e-6 ||
        maxAbsDiff(r.components, [1 / s5, 2 / s5, -2 / s5, 1 / s5]) < 1e-6,
      String(r.components),
    );
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(r.layout[2 * i] - ts[i] * s5) < 1e-5, `point ${i}`);
    // Sum of t^2 = 10 over n - 1 = 4 rows: 10 * 5 / 4.
    assert.ok(Math.abs(r.variance[0] - 12.5) < 1e-5);
  });

  it("on a sample of rows, the axes are close to the full data's and every row is projected", () => {
    const rnd = seededRandom(3);
    const n = 20_000,
      dim = 6;
    const x = new Float32Array(n * dim);
    const g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    for (let i = 0; i < n; i++) {
      x[i * dim] = 10 * g();
      x[i * dim + 3] = 4 * g();
      for (const d of [1, 2, 4, 5]) x[i * dim + d] = g();
    }
    const full = pcaLayout(x, n, dim, { sampleRows: n });
    const part = pcaLayout(x, n, dim, { sampleRows: 2000 });
    assert.equal(part.sampled, 2000);
    assert.equal(part.layout.length, 2 * n);
    assert.ok(
      Math.abs(Math.abs(full.components[0]) - 1) < 1e-3 && Math.abs(Math.abs(full.components[dim + 3]) - 1) < 1e-3,
    );
    assert.ok(
      Math.abs(part.components[0]) > 0.999 && Math.abs(part.components[dim + 3]) > 0.99,
      String(part.components),
    );
    // Same seed, same bytes.
    assert.deepEqual(pcaLayout(x, n, dim, { sampleRows: 2000 }).layout, part.layout);
  });

  it('high dimensions use the sample operator and agree with the covariance path', () => {
    const rnd = seededRandom(11);
    const n = 400,
      dim = 300;
    const x = Float32Array.from(
      { length: n * dim },
      (_, i) => (rnd() - 0.5) * (1 + 20 * Number(i % dim === 5) + 9 * Number(i % dim === 250)),
    );
    const r = pcaLayout(x, n, dim);
    assert.ok(
      Math.abs(r.components[5]) > 0.99 && Math.abs(r.components[dim + 250]) > 0.98,
      `${r.components[5]} ${r.components[dim + 250]}`,
    );
    // The first score is the centred row's dot product with the first axis.
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * dim + 5];
    mean /= n;
    assert.ok(Math.abs(Math.abs(r.layout[0]) - Math.abs(x[5] - mean)) < 0.6, `${r.layout[0]} vs ${x[5] - mean}`);
  });

  it('degenerate inputs: no rows, one row, constant rows, zero rows when normalising', () => {
    assert.equal(pcaLayout(new Float32Array(0), 0, 4).layout.length, 0);
    assert.deepEqual([...pcaLayout(Float32Array.from([1, 2, 3]), 1, 3).layout], [0, 0]);
    const flat = pcaLayout(new Float32Array(30).fill(2), 10, 3);
    assert.ok(flat.layout.every((v) => v === 0));
    const zeros = pcaLayout(new Float32Array(12), 4, 3, { normalize: true });
    assert.ok(zeros.layout.every(Number.isFinite));
    assert.throws(() => pcaLayout(new Float32Array(5), 2, 3), RangeError);
  });

  it('sample size keeps the sample near 2^21 values', () => {
    assert.equal(sampleRowsFor(128), 16_384);
    assert.equal(sampleRowsFor(4096), 2048);
  });

  it('jacobiEigen: values descending, A v = lambda v', () => {
    const m = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values, vectors } = jacobiEigen(m, 3);
    assert.ok(values[0] >= values[1] && values[1] >= values[2]);
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let c = 0; c < 3; c++) av += m[i * 3 + c] * vectors[c * 3 + j];
        assert.ok(Math.abs(av - values[j] * vectors[i * 3 + j]) < 1e-12);
      }
    assert.ok(Math.abs(values[0] + values[1] + values[2] - 12) < 1e-12);
  });

  it('cancellation stops it', () => {
    const ac = new AbortController();
    ac.abort();
    assert.throws(() => pcaLayout(new Float32Array(40), 10, 4, {}, { signal: ac.signal }), { name: 'AbortError' });
  });
});
