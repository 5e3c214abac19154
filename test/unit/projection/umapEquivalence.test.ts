/**
 * The typed-array UMAP against umap-js itself: same kNN table, same seeded generator, so the
 * layouts must agree bit for bit (umap-js computes in float64; ours is rounded once to float32).
 */
import * as assert from 'node:assert/strict';
import { UMAP } from 'umap-js';
import { computeLayout } from '../../../src/projection/umap';
import { fuzzySimplicialSet } from '../../../src/projection/fuzzyGraph';
import { seededRandom } from '../../../src/projection/random';
import { bruteKnn, clusteredData, knnAsArrays, rowsOf } from './helpers';

describe('projection: bit-exact agreement with umap-js on the same kNN', function () {
  this.timeout(60_000);

  function umapJs(
    x: Float32Array,
    n: number,
    dim: number,
    nNeighbors: number,
    minDist: number,
    seed: number,
    nEpochs?: number,
  ) {
    const knn = bruteKnn(x, n, dim, nNeighbors);
    const u = new UMAP({ nNeighbors, minDist, random: seededRandom(seed), ...(nEpochs ? { nEpochs } : {}) });
    const arr = knnAsArrays(knn, n);
    u.setPrecomputedKNN(arr.indices, arr.distances);
    const emb = u.fit(rowsOf(x, n, dim));
    return {
      knn,
      layout: Float32Array.from(emb.flat()),
      graph: (u as unknown as { graph: { getAll(): { row: number; col: number; value: number }[] } }).graph,
    };
  }

  it('builds the same fuzzy simplicial set (every entry, every bit)', () => {
    const n = 300,
      dim = 12;
    const { x } = clusteredData(n, dim, 4, 3, 1);
    const ref = umapJs(x, n, dim, 10, 0.1, 3, 1);
    const g = fuzzySimplicialSet(ref.knn, n, 10);
    const all = ref.graph.getAll();
    assert.equal(g.vals.length, all.length);
    for (let i = 0; i < all.length; i++) {
      assert.equal(g.rows[i], all[i].row, `row of entry ${i}`);
      assert.equal(g.cols[i], all[i].col, `col of entry ${i}`);
      assert.equal(g.vals[i], all[i].value, `value of entry ${i}`);
    }
  });

  // [n, dim, nNeighbors, minDist, seed, nEpochs]: the first case runs umap-js's default epoch
  // count (500 at this size); the others are cut short to keep the suite fast (umap-js is slow).
  const cases = [
    [150, 16, 15, 0.1, 7, undefined],
    [400, 16, 15, 0.1, 9, 60],
    [250, 8, 5, 0.5, 11, 80],
    [300, 24, 30, 0, 13, 50],
  ] as const;
  for (const [n, dim, nNeighbors, minDist, seed, nEpochs] of cases) {
    it(`gives the same layout: n=${n} dim=${dim} nNeighbors=${nNeighbors} minDist=${minDist} epochs=${nEpochs ?? 'default'}`, async () => {
      const { x } = clusteredData(n, dim, 6, 4, seed);
      const ref = umapJs(x, n, dim, nNeighbors, minDist, seed, nEpochs);
      const ours = await computeLayout(
        { embeddings: x, n, dim },
        { nNeighbors, minDist, seed, knn: ref.knn, nEpochs, exactPow: true },
      );
      assert.equal(ours.length, 2 * n);
      let diff = 0;
      for (let i = 0; i < ours.length; i++) if (ours[i] !== ref.layout[i]) diff++;
      assert.equal(diff, 0, `${diff} of ${ours.length} coordinates differ`);
    });
  }
});
