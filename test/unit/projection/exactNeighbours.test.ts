/**
 * Exact neighbours from the census pass for the layout: the pass's kNN (PassRunner with
 * `spec.knn`, as the streaming session runs it) turned into a layout is byte for byte the layout of
 * UMAP's own exact search, for Euclidean and cosine; the cache key says which neighbours; bad ids
 * are refused; the session's hand-over answers waiters only with neighbours of the right rows.
 */
import * as assert from 'node:assert/strict';
import { exactKnn } from '../../../src/engine/knn';
import { PassRunner } from '../../../src/engine/pass';
import { PassAccumulator } from '../../../src/engine/passResult';
import type { PassSpec } from '../../../src/engine/passTypes';
import type { DistanceOptions } from '../../../src/engine/types';
import { layoutCacheKey } from '../../../src/projection/cache';
import { ExactNeighbours, passNeighboursFor } from '../../../src/projection/exactNeighbours';
import { EXACT_NEIGHBOURS_UP_TO } from '../../../src/projection/params';
import { computeLayout } from '../../../src/projection/umap';
import { clusteredData } from './helpers';

/** The exact pass over every anchor with `spec.knn`, in process, in blocks of 64 anchors. */
function passKnn(x: Float32Array, labels: Int32Array, n: number, dim: number, k: number, distance: DistanceOptions) {
  const input = { embeddings: x, n, dim, labels, classes: Math.max(...labels) + 1 };
  const spec: PassSpec = {
    distance,
    margin: 0.2,
    topK: 5,
    perSample: true,
    retrieval: true,
    semihard: false,
    knn: { k, includeSelf: true },
    blockAnchors: 64,
  };
  const runner = new PassRunner(input, spec);
  const acc = new PassAccumulator(spec, labels, input.classes);
  for (let a = 0; a < n; a += 64) acc.addChunk(runner.runChunk({ start: a, end: Math.min(n, a + 64) }));
  acc.addTotals(runner.totals());
  return acc.result().knn!;
}

describe('projection: exact neighbours from the census pass', function () {
  this.timeout(120_000);
  const n = 400,
    dim = 12;
  const { x, labels } = clusteredData(n, dim, 6, 2.5, 3);

  for (const distance of [
    { distance: 'euclidean', normalize: false },
    { distance: 'cosine', normalize: false },
    { distance: 'sqeuclidean', normalize: true },
  ] as DistanceOptions[]) {
    it(`lays out the pass's ${distance.distance}${distance.normalize ? ' (normalised)' : ''} neighbours as UMAP's own exact search does`, async () => {
      const knn = passKnn(x, labels, n, dim, 20, distance);
      // The pass's ids are the exact ones (independent brute force by the engine's exactKnn).
      const truth = await exactKnn({ embeddings: x, n, dim, labels, classes: 6 }, 20, {
        ...distance,
        includeSelf: true,
      });
      assert.deepEqual(knn.indices, truth.indices);
      const params = { ...distance, nEpochs: 60, neighbours: 'exact' as const };
      const own = await computeLayout({ embeddings: x, n, dim }, params);
      let info: unknown;
      const fromPass = await computeLayout(
        { embeddings: x, n, dim },
        { ...params, neighbours: 'auto', exactIds: { k: knn.k, indices: knn.indices } },
        { onKnn: (i) => (info = i) },
      );
      assert.deepEqual(Buffer.from(fromPass.buffer), Buffer.from(own.buffer));
      assert.deepEqual(info, { method: 'exact' });
      // Same key as the exact search: reopening finds it; not the key of the approximate layout.
      const exactIds = { k: knn.k, indices: knn.indices };
      assert.equal(
        layoutCacheKey(x, { ...distance, exactIds }),
        layoutCacheKey(x, { ...distance, neighbours: 'exact' }),
      );
      assert.notEqual(layoutCacheKey(x, { ...distance, exactIds }), layoutCacheKey(x, distance));
    });
  }

  it('uses the ids it is given, with distances recomputed (float64, sorted by distance then index, self first)', async () => {
    // Valid ids that are not the nearest: row i = i, then i + 1 .. i + 14 (mod n), in that order.
    const k = 15;
    const indices = Int32Array.from({ length: n * k }, (_, t) => (Math.floor(t / k) + (t % k)) % n);
    const table = { k, indices: new Int32Array(n * k), distances: new Float32Array(n * k) };
    for (let i = 0; i < n; i++) {
      const row = Array.from(indices.subarray(i * k, (i + 1) * k), (c) => {
        let s = 0;
        for (let d = 0; d < dim; d++) s += (x[i * dim + d] - x[c * dim + d]) ** 2;
        return { c, d: c === i ? 0 : Math.fround(Math.sqrt(s)) };
      });
      row.sort((a, b) => (a.c === i ? -1 : b.c === i ? 1 : a.d - b.d || a.c - b.c));
      row.forEach((e, j) => ((table.indices[i * k + j] = e.c), (table.distances[i * k + j] = e.d)));
    }
    const given = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 40, exactIds: { k, indices } });
    const truth = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 40, knn: table });
    const own = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 40 });
    assert.deepEqual(Buffer.from(given.buffer), Buffer.from(truth.buffer));
    assert.notDeepEqual(Buffer.from(given.buffer), Buffer.from(own.buffer));
  });

  it('refuses ids that are not a table of the rows (own point first, in range, enough columns)', async () => {
    const knn = passKnn(x, labels, n, dim, 15, { distance: 'euclidean', normalize: false });
    const run = (indices: Int32Array, k = 15) =>
      computeLayout({ embeddings: x, n, dim }, { nEpochs: 5, exactIds: { k, indices } });
    await assert.rejects(run(knn.indices.slice(0, n * 10), 10), /k >= 15/);
    const notSelf = knn.indices.slice();
    [notSelf[15 * 7], notSelf[15 * 7 + 1]] = [notSelf[15 * 7 + 1], notSelf[15 * 7]];
    await assert.rejects(run(notSelf), /row 7 does not start with its own point/);
    const outside = knn.indices.slice();
    outside[15 * 3 + 4] = n;
    await assert.rejects(run(outside), /row 3 names point 400 of 400/);
  });

  it('asks the pass for neighbours only where UMAP would otherwise approximate them', () => {
    assert.equal(passNeighboursFor(EXACT_NEIGHBOURS_UP_TO, 15), 0);
    assert.equal(passNeighboursFor(EXACT_NEIGHBOURS_UP_TO + 1, 15), 15);
    assert.equal(passNeighboursFor(EXACT_NEIGHBOURS_UP_TO + 1, 30), 30);
  });

  it('hands neighbours to waiters of the same rows (normalised or not) with enough columns, and none after abort', async () => {
    const slot = new ExactNeighbours();
    const ids = (k: number) => ({
      k,
      indices: new Int32Array(3 * k),
      distances: new Float32Array(3 * k),
      rowStart: 0,
      rowEnd: 3,
    });
    const abort = new AbortController();
    const order: string[] = [];
    const plain = slot.wait(false, 15, abort.signal).then((r) => order.push(`plain ${r?.k}`));
    const unit = slot.wait(true, 15, abort.signal).then((r) => order.push(`unit ${r?.k}`));
    const wide = slot.wait(false, 30, new AbortController().signal);
    slot.offer({ distance: 'euclidean', normalize: false }, undefined); // a pass without kNN: nothing
    slot.offer({ distance: 'cosine', normalize: false }, ids(15)); // cosine: normalised rows
    await unit;
    assert.deepEqual(order, ['unit 15']);
    slot.offer({ distance: 'sqeuclidean', normalize: false }, ids(20));
    await plain;
    assert.deepEqual(order, ['unit 15', 'plain 20']);
    // Offered before the wait: answered at once; too few columns: still waiting.
    assert.equal((await slot.wait(false, 20, new AbortController().signal))?.k, 20);
    slot.offer({ distance: 'euclidean', normalize: false }, ids(30));
    assert.equal((await wide)?.k, 30);
    const late = slot.wait(true, 40, abort.signal);
    abort.abort();
    assert.equal(await late, undefined);
  });
});
