import * as assert from 'node:assert/strict';
import { buildCensusIndex, countAtMargin } from '../../../src/engine/census';
import {
  dominantCategories,
  tripletsAsAnchor,
  CAT_EASY,
  CAT_HARD,
  CAT_NONE,
  CAT_SEMIHARD,
  classSizes,
  classViolationRates,
  classViolationRatesFromAnchors,
  histogramEdges,
  marginRange,
  niceCeil,
  topClassPairs,
} from '../../../src/analysis/derive';

describe('derive: dominant category per anchor', () => {
  it("picks the category holding most of the anchor's triplets, ties to the harder one", () => {
    // total 10 each: (hard, violating) -> easy = 10 - viol, semi = viol - hard
    const hard = [6, 1, 1, 0, 2, 4, 0];
    const viol = [7, 8, 3, 0, 6, 8, 0];
    const total = [10, 10, 10, 10, 10, 10, 0];
    // #4: semi 4 = easy 4 -> semi-hard; #5: hard 4 = semi 4 -> hard.
    assert.deepEqual(
      [...dominantCategories(hard, viol, total)],
      [CAT_HARD, CAT_SEMIHARD, CAT_EASY, CAT_EASY, CAT_SEMIHARD, CAT_HARD, CAT_NONE],
    );
  });
  it('counts (n_c - 1)(N - n_c) triplets per anchor', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 1, 2]);
    assert.deepEqual([...tripletsAsAnchor(labels, classSizes(labels, 3))], [6, 6, 6, 4, 4, 0]);
  });
});

describe('derive: class tables', () => {
  it('violation rate divides by n_c (n_c - 1) (N - n_c)', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 1, 2]);
    const sizes = classSizes(labels, 3);
    assert.deepEqual([...sizes], [3, 2, 1]);
    // class 0: 3*2*3 = 18 valid; class 1: 2*1*4 = 8; class 2: no positives.
    const pairs = Float64Array.from([0, 6, 3, 2, 0, 2, 0, 0, 0]);
    assert.deepEqual([...classViolationRates(pairs, sizes)], [9 / 18, 4 / 8, 0]);
  });
  it('rates from per-anchor counts equal the rates from the class-pair matrix of the same census', async () => {
    // A real census (engine) on random data: both routes must agree exactly at every margin.
    const n = 90,
      dim = 4,
      classes = 6;
    const labels = new Int32Array(n),
      embeddings = new Float32Array(n * dim);
    let s = 7;
    const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    for (let i = 0; i < n; i++) {
      labels[i] = i % classes;
      for (let d = 0; d < dim; d++) embeddings[i * dim + d] = r() + labels[i] * 0.2;
    }
    const index = await buildCensusIndex(
      { embeddings, n, dim, labels, classes },
      { distance: 'euclidean', normalize: false },
    );
    const sizes = classSizes(labels, classes);
    for (const m of [0, 0.1, 0.3, 1]) {
      const c = countAtMargin(index, m, { perSample: true });
      const fromPairs = classViolationRates(c.classPairs, sizes);
      assert.ok(fromPairs.some((x) => x > 0 && x < 1) || m === 0, `m=${m}: some class partly violating`);
      assert.deepEqual(
        [...classViolationRatesFromAnchors(labels, c.perSample!.violAsAnchor, sizes)],
        [...fromPairs],
        `m=${m}`,
      );
    }
  });
  it('top pairs are sorted by count, off-diagonal only', () => {
    const pairs = Float64Array.from([9, 1, 5, 5, 9, 0, 2, 7, 9]);
    assert.deepEqual(topClassPairs(pairs, 3, 3), [
      { a: 2, b: 1, count: 7 },
      { a: 0, b: 2, count: 5 },
      { a: 1, b: 0, count: 5 },
    ]);
  });
});

describe('derive: scales', () => {
  it('niceCeil rounds up to 1, 2, 2.5, 5 x 10^k', () => {
    assert.deepEqual([0.13, 0.2, 0.21, 0.26, 3, 7, 1000].map(niceCeil), [0.2, 0.2, 0.25, 0.5, 5, 10, 1000]);
  });
  it('margin range covers the current margin and the nearest-negative scale', () => {
    const r = marginRange([0.1, 0.2, 0.3, 0.4, Infinity], 0.05);
    assert.equal(r.min, 0);
    assert.equal(r.max, 0.5);
    assert.equal(r.step, 0.001);
    assert.equal(marginRange([0.1], 3).max, 5);
  });
  it('histogram edges are equal bins from below zero to hi', () => {
    const e = histogramEdges(-0.5, 1, 3);
    assert.deepEqual([...e], [-0.5, 0, 0.5, 1]);
    assert.equal(histogramEdges(0.3, 1, 4)[0], -0.1);
  });
});
