/**
 * Trustworthiness against a transcription of scikit-learn's `trustworthiness` (full argsort of
 * the original distances, inverted index of ranks, layout neighbours by full sort).
 */
import * as assert from 'node:assert/strict';
import { sampleAnchors, trustworthiness } from '../../../src/projection/quality';
import { seededRandom } from '../../../src/projection/random';

/** scikit-learn 1.x `trustworthiness`, summed over `anchors` only (all rows by default). */
function sklearnTrustworthiness(
  x: Float32Array,
  n: number,
  dim: number,
  y: Float32Array,
  k: number,
  anchors?: number[],
): number {
  const dist = (a: ArrayLike<number>, w: number, i: number, j: number) => {
    let s = 0;
    for (let d = 0; d < w; d++) s += (a[i * w + d] - a[j * w + d]) ** 2;
    return Math.sqrt(s);
  };
  const rows = anchors ?? Array.from({ length: n }, (_, i) => i);
  let t = 0;
  for (const i of rows) {
    // ind_X: argsort of the row with the diagonal at +inf; inverted_index[i, ind_X[i]] = 1..n.
    const others = Array.from({ length: n }, (_, j) => j);
    const dx = others.map((j) => (j === i ? Infinity : dist(x, dim, i, j)));
    const order = others.slice().sort((a, b) => dx[a] - dx[b] || a - b);
    const rank = new Array<number>(n);
    order.forEach((j, r) => {
      rank[j] = r + 1;
    });
    // Layout neighbours: NearestNeighbors(k).kneighbors() excludes the query itself.
    const dy = others.map((j) => dist(y, 2, i, j));
    const nbrs = others
      .filter((j) => j !== i)
      .sort((a, b) => dy[a] - dy[b] || a - b)
      .slice(0, k);
    for (const j of nbrs) t += Math.max(0, rank[j] - k);
  }
  return 1 - t * (2 / (rows.length * k * (2 * n - 3 * k - 1)));
}

describe('projection: trustworthiness', () => {
  const rnd = seededRandom(3);
  const make = (len: number) => Float32Array.from({ length: len }, () => rnd() * 2 - 1);

  it('matches the scikit-learn definition on random data and layouts', () => {
    for (const [n, dim, k] of [
      [40, 5, 5],
      [61, 3, 10],
      [25, 8, 1],
      [90, 12, 7],
    ]) {
      const x = make(n * dim);
      const y = make(2 * n);
      const ours = trustworthiness(x, n, dim, y, k);
      const ref = sklearnTrustworthiness(x, n, dim, y, k);
      assert.ok(Math.abs(ours - ref) < 1e-12, `n=${n} k=${k}: ${ours} vs ${ref}`);
      assert.ok(ours < 0.95, 'a random layout is not trustworthy');
    }
  });

  it('matches it on a partly faithful layout (a noisy 2-D projection)', () => {
    const n = 80,
      dim = 6;
    const x = make(n * dim);
    const y = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      y[2 * i] = x[i * dim] + 0.05 * rnd();
      y[2 * i + 1] = x[i * dim + 1];
    }
    const ours = trustworthiness(x, n, dim, y, 5);
    assert.ok(Math.abs(ours - sklearnTrustworthiness(x, n, dim, y, 5)) < 1e-12);
  });

  it('is 1 for a layout that is the data itself (2-D data)', () => {
    const n = 50;
    const x = make(2 * n);
    assert.equal(trustworthiness(x, n, 2, x, 7), 1);
  });

  it('on a subset of anchors, is the same sum restricted to those rows', () => {
    const n = 70,
      dim = 4,
      k = 6;
    const x = make(n * dim);
    const y = make(2 * n);
    const anchors = sampleAnchors(n, 20, seededRandom(9));
    assert.equal(new Set(anchors).size, 20);
    const ours = trustworthiness(x, n, dim, y, k, { anchors });
    assert.ok(Math.abs(ours - sklearnTrustworthiness(x, n, dim, y, k, Array.from(anchors))) < 1e-12);
  });

  it('with normalize, ranks by cosine (the same as on normalised rows)', () => {
    const n = 40,
      dim = 5;
    const x = make(n * dim);
    const unit = Float32Array.from(x);
    for (let i = 0; i < n; i++) {
      const s = Math.hypot(...unit.subarray(i * dim, (i + 1) * dim));
      for (let d = 0; d < dim; d++) unit[i * dim + d] /= s;
    }
    const y = make(2 * n);
    const ours = trustworthiness(x, n, dim, y, 5, { normalize: true });
    assert.ok(Math.abs(ours - sklearnTrustworthiness(unit, n, dim, y, 5)) < 1e-6);
  });

  it('rejects k >= n / 2 like scikit-learn', () => {
    assert.throws(() => trustworthiness(make(20), 10, 2, make(20), 5), RangeError);
  });
});
