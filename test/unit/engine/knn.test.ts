/**
 * exactKnn against a brute-force reference: full sort of every row by (distance, index), with the
 * distances taken from the same `distanceRows` (so float32 ties are the same ties), and, on data
 * without near-ties, against neighbours from float64 distances computed here.
 */
import * as assert from 'node:assert/strict';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';
import { exactKnn, HEAP_MAX_K, RowSelector } from '../../../src/engine/knn';
import type { DistanceKind, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';

/** n x dim embeddings; `levels` > 0 quantises coordinates to that many values (many exact ties). */
function makeInput(n: number, dim: number, classes: number, seed: number, levels = 0): EngineInput {
  const r = rng(seed);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = levels ? Math.floor(r() * levels) : r() * 2 - 1;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % classes;
  return { embeddings, n, dim, labels, classes };
}

/** Reference: every other sample of row q sorted by (float32 distance from distanceRows, index). */
function referenceKnn(input: EngineInput, k: number, distance: DistanceKind, normalize: boolean, includeSelf: boolean) {
  const { n, dim } = input;
  const x = prepareEmbeddings(input, normalize);
  const full = distanceRows(x, n, dim, 0, n, distance);
  const rows: number[][] = [];
  for (let q = 0; q < n; q++) {
    const others = [...Array(n).keys()].filter((j) => j !== q);
    others.sort((a, b) => full[q * n + a] - full[q * n + b] || a - b);
    rows.push(includeSelf ? [q, ...others.slice(0, k - 1)] : others.slice(0, k));
  }
  return { rows, full };
}

function checkAgainstReference(
  input: EngineInput,
  k: number,
  distance: DistanceKind,
  normalize: boolean,
  includeSelf: boolean,
  got: { k: number; indices: Int32Array; distances: Float32Array },
) {
  const { rows, full } = referenceKnn(input, got.k, distance, normalize, includeSelf);
  const n = input.n;
  assert.equal(got.indices.length, n * got.k);
  for (let q = 0; q < n; q++) {
    const mine = Array.from(got.indices.subarray(q * got.k, (q + 1) * got.k));
    assert.deepEqual(mine, rows[q], `row ${q}`);
    for (let t = 0; t < got.k; t++) {
      const j = rows[q][t];
      assert.equal(got.distances[q * got.k + t], j === q ? 0 : full[q * n + j]);
    }
  }
}

describe('engine/knn exactKnn', () => {
  for (const distance of ['euclidean', 'sqeuclidean', 'cosine'] as DistanceKind[]) {
    it(`matches a full sort (${distance}, small and large k)`, async () => {
      const input = makeInput(300, 6, 4, 1);
      for (const k of [1, 5, 270, 299]) {
        const got = await exactKnn(input, k, { distance, normalize: distance === 'cosine' });
        assert.equal(got.k, k);
        checkAgainstReference(input, k, distance, distance === 'cosine', false, got);
      }
    });
  }

  it('breaks ties by index on quantised data (heap and quickselect paths)', async () => {
    const input = makeInput(300, 3, 5, 2, 3); // coordinates in {0,1,2}: many exact ties and duplicates
    for (const k of [3, HEAP_MAX_K, HEAP_MAX_K + 1, 299]) {
      const got = await exactKnn(input, k, { distance: 'sqeuclidean', normalize: false });
      checkAgainstReference(input, k, 'sqeuclidean', false, false, got);
    }
  });

  it('agrees with neighbours from float64 distances computed here', async () => {
    const input = makeInput(70, 8, 3, 3);
    const { n, dim, embeddings: e } = input;
    const got = await exactKnn(input, 4, { distance: 'euclidean', normalize: false });
    for (let q = 0; q < n; q++) {
      const d = (j: number) => Math.hypot(...Array.from({ length: dim }, (_, c) => e[q * dim + c] - e[j * dim + c]));
      const want = [...Array(n).keys()]
        .filter((j) => j !== q)
        .sort((a, b) => d(a) - d(b))
        .slice(0, 4);
      assert.deepEqual(Array.from(got.indices.subarray(q * 4, q * 4 + 4)), want);
      for (let t = 0; t < 4; t++) assert.ok(Math.abs(got.distances[q * 4 + t] - d(want[t])) < 1e-5);
    }
  });

  it('includeSelf puts the point first at distance 0 and counts it in k (UMAP layout)', async () => {
    const input = makeInput(40, 4, 2, 4);
    const got = await exactKnn(input, 6, { distance: 'euclidean', normalize: false, includeSelf: true });
    assert.equal(got.k, 6);
    for (let q = 0; q < 40; q++) {
      assert.equal(got.indices[q * 6], q);
      assert.equal(got.distances[q * 6], 0);
    }
    checkAgainstReference(input, 6, 'euclidean', false, true, got);
  });

  it('keeps duplicates in index order and the point itself first with includeSelf', async () => {
    const embeddings = new Float32Array([1, 1, 1, 1, 1, 1, 5, 5]); // samples 0, 1, 2 identical
    const input: EngineInput = { embeddings, n: 4, dim: 2, labels: new Int32Array([0, 0, 1, 1]), classes: 2 };
    const plain = await exactKnn(input, 3, { distance: 'euclidean', normalize: false });
    assert.deepEqual(Array.from(plain.indices), [1, 2, 3, 0, 2, 3, 0, 1, 3, 0, 1, 2]);
    const self = await exactKnn(input, 2, { distance: 'euclidean', normalize: false, includeSelf: true });
    assert.deepEqual(Array.from(self.indices), [0, 1, 1, 0, 2, 0, 3, 0]);
  });

  it('clamps k, handles N = 1 and N = 2, and rejects a bad k', async () => {
    const two: EngineInput = {
      embeddings: new Float32Array([0, 3]),
      n: 2,
      dim: 1,
      labels: new Int32Array([0, 1]),
      classes: 2,
    };
    const r = await exactKnn(two, 10, { distance: 'euclidean', normalize: false });
    assert.equal(r.k, 1);
    assert.deepEqual(Array.from(r.indices), [1, 0]);
    assert.deepEqual(Array.from(r.distances), [3, 3]);
    const one: EngineInput = {
      embeddings: new Float32Array([7]),
      n: 1,
      dim: 1,
      labels: new Int32Array([0]),
      classes: 1,
    };
    assert.equal((await exactKnn(one, 3, { distance: 'euclidean', normalize: false })).k, 0);
    const oneSelf = await exactKnn(one, 3, { distance: 'euclidean', normalize: false, includeSelf: true });
    assert.deepEqual([oneSelf.k, ...oneSelf.indices], [1, 0]);
    for (const bad of [0, -1, 1.5, NaN])
      await assert.rejects(exactKnn(two, bad, { distance: 'euclidean', normalize: false }), RangeError);
  });

  it('gives the same rows when computed in ranges', async () => {
    const input = makeInput(100, 5, 3, 5);
    const opts = { distance: 'euclidean' as const, normalize: true };
    const whole = await exactKnn(input, 7, opts);
    const a = await exactKnn(input, 7, opts, undefined, { rowStart: 0, rowEnd: 37 });
    const b = await exactKnn(input, 7, opts, undefined, { rowStart: 37, rowEnd: 100 });
    assert.deepEqual(Array.from(whole.indices), [...a.indices, ...b.indices]);
    assert.deepEqual(Array.from(whole.distances), [...a.distances, ...b.distances]);
  });

  it('reports progress and stops with an AbortError', async () => {
    const input = makeInput(3000, 2, 3, 6); // 3000 rows are several blocks
    const seen: number[] = [];
    await exactKnn(input, 2, { distance: 'euclidean', normalize: false }, { onProgress: (f) => seen.push(f) });
    assert.ok(seen.length >= 2);
    assert.equal(seen[seen.length - 1], 1);
    const ac = new AbortController();
    const p = exactKnn(
      input,
      2,
      { distance: 'euclidean', normalize: false },
      { signal: ac.signal, onProgress: () => ac.abort() },
    );
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
  });
});

describe('engine/knn RowSelector', () => {
  it('selects with a k below maxK and excludes the given index', () => {
    const row = new Float32Array([5, 1, 1, 0, 9, 1]);
    const sel = new RowSelector(6, 5);
    assert.deepEqual(Array.from(sel.select(row, 0, 3, 3)), [1, 2, 5]);
    assert.deepEqual(Array.from(sel.select(row, 0, -1, 5)), [3, 1, 2, 5, 0]);
    assert.throws(() => sel.select(row, 0, -1, 6), RangeError);
  });
});
