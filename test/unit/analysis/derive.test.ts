import * as assert from 'node:assert/strict';
import { anchorCategories, CAT_EASY, CAT_HARD, CAT_NONE, CAT_SEMIHARD, classSizes, classViolationRates, histogramEdges, marginRange, niceCeil, topClassPairs } from '../../../src/analysis/derive';

describe('derive: per-sample categories from the worst triplet', () => {
  // t = dan - dap: -0.1 (hard), 0 (boundary), 0.1, 0.2 (== m), 0.3
  const hp = Int32Array.from([1, 0, 3, 2, 4, -1]);
  const dap = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
  const dan = [0.4, 0.5, 0.6, 0.7, 0.8, 0.1];
  it('pml: hard t <= 0, semi-hard 0 < t <= m, easy t > m', () => {
    assert.deepEqual([...anchorCategories(hp, dap, dan, 0.2, 'pml')], [CAT_HARD, CAT_HARD, CAT_SEMIHARD, CAT_SEMIHARD, CAT_EASY, CAT_NONE]);
  });
  it('facenet: hard t < 0, semi-hard 0 <= t < m, easy t >= m', () => {
    // 0.7 - 0.5 is 0.19999999999999996 in float64: below m, so semi-hard; use exact binary fractions instead.
    const dan2 = [0.375, 0.5, 0.625, 0.75, 0.875, 0.1];
    assert.deepEqual([...anchorCategories(hp, dap, dan2, 0.25, 'facenet')], [CAT_HARD, CAT_SEMIHARD, CAT_SEMIHARD, CAT_EASY, CAT_EASY, CAT_NONE]);
    assert.deepEqual([...anchorCategories(hp, dap, dan2, 0.25, 'pml')], [CAT_HARD, CAT_HARD, CAT_SEMIHARD, CAT_SEMIHARD, CAT_EASY, CAT_NONE]);
  });
  it('an anchor without a negative (infinite distance) has no category', () => {
    assert.deepEqual([...anchorCategories(Int32Array.from([1]), [0.5], [Infinity], 0.2, 'pml')], [CAT_NONE]);
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
  it('top pairs are sorted by count, off-diagonal only', () => {
    const pairs = Float64Array.from([9, 1, 5, 5, 9, 0, 2, 7, 9]);
    assert.deepEqual(topClassPairs(pairs, 3, 3), [{ a: 2, b: 1, count: 7 }, { a: 0, b: 2, count: 5 }, { a: 1, b: 0, count: 5 }]);
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
