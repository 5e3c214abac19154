/**
 * computeLayout's contract: determinism, pass-through of low-dimensional data, progress and
 * cancellation, aligned initialisation, parameter checks, and layout quality against umap-js's
 * own (NN-descent) run on clustered data.
 */
import * as assert from 'node:assert/strict';
import { UMAP } from 'umap-js';
import { computeLayout } from '../../../src/projection/umap';
import { trustworthiness } from '../../../src/projection/quality';
import { seededRandom } from '../../../src/projection/random';
import { bruteKnn, clusteredData, rowsOf } from './helpers';

describe('projection: computeLayout', function () {
  this.timeout(120_000);

  it('gives byte-identical layouts for the same data, parameters and seed, and others for another seed', async () => {
    const n = 300,
      dim = 10;
    const { x } = clusteredData(n, dim, 5, 3, 2);
    const a = await computeLayout({ embeddings: x, n, dim }, { seed: 5, nEpochs: 100 });
    const b = await computeLayout({ embeddings: Float32Array.from(x), n, dim }, { seed: 5, nEpochs: 100 });
    assert.deepEqual(Buffer.from(a.buffer), Buffer.from(b.buffer));
    const c = await computeLayout({ embeddings: x, n, dim }, { seed: 6, nEpochs: 100 });
    assert.notDeepEqual(Buffer.from(a.buffer), Buffer.from(c.buffer));
    assert.ok(a.every(Number.isFinite));
  });

  it('uses the engine kNN by default: same layout as with a brute-force kNN table', async () => {
    const n = 200,
      dim = 8;
    const { x } = clusteredData(n, dim, 4, 3, 4);
    const viaEngine = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 50 });
    const viaTable = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 50, knn: bruteKnn(x, n, dim, 15) });
    assert.deepEqual(viaEngine, viaTable);
  });

  it('cosine and normalize lay out the normalised rows (euclidean on unit vectors)', async () => {
    const n = 150,
      dim = 6;
    const { x } = clusteredData(n, dim, 3, 3, 8);
    const unit = Float32Array.from(x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += unit[i * dim + d] ** 2;
      for (let d = 0; d < dim; d++) unit[i * dim + d] /= Math.sqrt(s);
    }
    const ref = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 30, knn: bruteKnn(unit, n, dim, 15) });
    assert.deepEqual(await computeLayout({ embeddings: x, n, dim }, { nEpochs: 30, distance: 'cosine' }), ref);
    assert.deepEqual(await computeLayout({ embeddings: x, n, dim }, { nEpochs: 30, normalize: true }), ref);
  });

  it('returns 2-D and 3-D data as it is (first two coordinates) and gives 1-D data y = 0', async () => {
    const x3 = Float32Array.from([1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await computeLayout({ embeddings: x3, n: 2, dim: 3 }), Float32Array.from([1, 2, 4, 5]));
    const x2 = Float32Array.from([1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await computeLayout({ embeddings: x2, n: 3, dim: 2 }), x2);
    assert.deepEqual(
      await computeLayout({ embeddings: Float32Array.from([7, 8]), n: 2, dim: 1 }),
      Float32Array.from([7, 0, 8, 0]),
    );
  });

  it('reports progress rising to 1 and stops with an AbortError when the signal fires', async () => {
    const n = 200,
      dim = 8;
    const { x } = clusteredData(n, dim, 4, 3, 5);
    const seen: number[] = [];
    await computeLayout({ embeddings: x, n, dim }, { nEpochs: 40 }, { onProgress: (f) => seen.push(f) });
    assert.ok(seen.length >= 40);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], 'progress never goes back');
    assert.equal(seen[seen.length - 1], 1);
    const ac = new AbortController();
    let epochs = 0;
    await assert.rejects(
      computeLayout(
        { embeddings: x, n, dim },
        { nEpochs: 400 },
        {
          signal: ac.signal,
          onProgress: (_f, m) => {
            if (m.startsWith('UMAP') && ++epochs === 5) ac.abort();
          },
        },
      ),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(epochs, 5, 'no epoch runs after the abort');
  });

  it('starts from alignedInit instead of random positions', async () => {
    const n = 120,
      dim = 6;
    const { x } = clusteredData(n, dim, 3, 3, 6);
    const init = Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? -1 : 1) * (i / 10));
    const one = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 2, alignedInit: init });
    // Epoch 0 samples nothing, epoch 1 only the edges of maximal weight; a step is at most 4 per
    // coordinate (the gradient clip) per sample, and a point has a few such edges at most.
    let moved = 0;
    for (let i = 0; i < 2 * n; i++) {
      assert.ok(Math.abs(one[i] - init[i]) <= 4 * 6, `coordinate ${i} jumped`);
      if (one[i] !== init[i]) moved++;
    }
    assert.ok(moved > 0 && moved < 2 * n);
    const random = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 2 });
    assert.ok(
      random.some((v, i) => Math.abs(v - init[i]) > 1),
      'the default start is not the given layout',
    );
  });

  it('rejects parameters UMAP cannot use', async () => {
    const input = { embeddings: new Float32Array(40), n: 10, dim: 4 };
    for (const p of [
      { nNeighbors: 1 },
      { nNeighbors: 2.5 },
      { minDist: -0.1 },
      { minDist: 1.5 },
      { nEpochs: 0 },
      { seed: 0.5 },
      { alignedInit: new Float32Array(3) },
    ]) {
      await assert.rejects(computeLayout(input, p), RangeError, JSON.stringify(p));
    }
    await assert.rejects(computeLayout({ embeddings: new Float32Array(10), n: 10, dim: 4 }), RangeError);
  });

  it('lays out tiny inputs without failing (nNeighbors clamped to n - 1)', async () => {
    const { x } = clusteredData(6, 5, 2, 3, 1);
    const l = await computeLayout({ embeddings: x, n: 6, dim: 5 }, { nEpochs: 20 });
    assert.equal(l.length, 12);
    assert.ok(l.every(Number.isFinite));
    assert.equal((await computeLayout({ embeddings: x.subarray(0, 10), n: 2, dim: 5 })).length, 4);
    assert.equal((await computeLayout({ embeddings: new Float32Array(0), n: 0, dim: 5 })).length, 0);
  });

  it('is at least as trustworthy as umap-js run on its own (N=1500, D=32, 10 overlapping classes)', async () => {
    const n = 1500,
      dim = 32,
      k = 10;
    const { x } = clusteredData(n, dim, 10, 0.8, 12);
    const ours = await computeLayout({ embeddings: x, n, dim }, { seed: 42 });
    const u = new UMAP({ nNeighbors: 15, minDist: 0.1, random: seededRandom(42) });
    const ref = Float32Array.from(u.fit(rowsOf(x, n, dim)).flat());
    const tOurs = trustworthiness(x, n, dim, ours, k);
    const tRef = trustworthiness(x, n, dim, ref, k);
    assert.ok(tOurs >= tRef - 0.01, `trustworthiness ${tOurs.toFixed(4)} vs umap-js ${tRef.toFixed(4)}`);
    // The data has structure a random layout would not keep.
    assert.ok(tRef > 0.8, `umap-js reference ${tRef}`);
  });
});
