import * as assert from './assert';
import { selectionCensus } from '../../../webview/projection/searchBox';

describe("the selection's census", () => {
  it('sums violating triplets as anchor over the selection and its valid triplets (size_c - 1)(n - size_c)', () => {
    // n = 6: class 0 has 3 samples (2 positives x 3 negatives = 6 triplets each), class 1 has 2 (1 x 4 = 4), class 2
    // one (0).
    const labels = Int32Array.from([0, 0, 0, 1, 1, 2]);
    const sizes = Uint32Array.from([3, 2, 1]);
    const viol = Float32Array.from([1, 0, 2, 4, 3, 0]);
    assert.deepEqual(selectionCensus(Int32Array.from([0, 3, 5]), labels, sizes, viol, 6), {
      violating: 5,
      triplets: 10,
    });
    assert.deepEqual(selectionCensus(new Int32Array(0), labels, sizes, viol, 6), { violating: 0, triplets: 0 });
    assert.deepEqual(selectionCensus(Int32Array.from([0, 1, 2, 3, 4, 5]), labels, sizes, viol, 6), {
      violating: 10,
      triplets: 26,
    });
  });
});
