/** The interpolated power used in the epochs, against Math.pow. */
import * as assert from 'node:assert/strict';
import { findABParams } from 'umap-js/dist/umap';
import { PowTable } from '../../../src/projection/fastPow';
import { seededRandom } from '../../../src/projection/random';

describe('projection: interpolated d^b', function () {
  this.timeout(20_000);
  // b of UMAP's curve for min_dist 0, 0.1 (default), 0.5 and 1 (spread 1).
  const bs = [0, 0.1, 0.5, 1].map((m) => findABParams(1, m).b);

  it('is within 5e-5 relative of Math.pow over the whole range (min_dist 0..1), 3e-6 for the default curve', () => {
    const rnd = seededRandom(1);
    for (const b of bs) {
      const t = new PowTable(b);
      let worst = 0;
      for (let i = 0; i < 40_000; i++) {
        // Squared distances from 1e-8 to 1e5 (log-uniform), plus exact grid points.
        const d = i % 10 === 0 ? (i / 256) ** 2 : 10 ** (rnd() * 13 - 8);
        const ref = Math.pow(d, b);
        const err = d === 0 ? Math.abs(t.pow(d) - ref) : Math.abs(t.pow(d) - ref) / ref;
        worst = Math.max(worst, err);
      }
      assert.ok(worst < 5e-5, `b = ${b}: worst relative error ${worst}`);
      if (Math.abs(b - bs[1]) < 1e-12) assert.ok(worst < 3e-6, `default curve: ${worst}`);
    }
  });

  it('gives 0^b = 0 and falls back to the exact power outside the table', () => {
    const t = new PowTable(bs[1]);
    assert.equal(t.pow(0), 0);
    assert.equal(t.pow(1e-3), Math.exp(bs[1] * Math.log(1e-3)));
    assert.equal(t.pow(1e5), Math.exp(bs[1] * Math.log(1e5)));
    assert.notEqual(t.pow(1e4), Math.exp(bs[1] * Math.log(1e4)), 'tabulated');
  });
});
