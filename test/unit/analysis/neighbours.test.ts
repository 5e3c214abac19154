import * as assert from 'node:assert/strict';
import { nearestNeighbours } from '../../../src/analysis/neighbours';
import { prepareEmbeddings } from '../../../src/engine/distances';
import { seededRandom } from '../../../src/projection/random';

/** Brute force in float64, full sort: the truth (written apart from the engine). */
function brute(
  x: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  kind: 'euclidean' | 'sqeuclidean' | 'cosine',
  i: number,
  k: number,
) {
  const d = (a: number, b: number) => {
    let s = 0,
      na = 0,
      nb = 0,
      dot = 0;
    for (let t = 0; t < dim; t++) {
      const u = x[a * dim + t],
        v = x[b * dim + t];
      s += (u - v) ** 2;
      na += u * u;
      nb += v * v;
      dot += u * v;
    }
    return kind === 'euclidean' ? Math.sqrt(s) : kind === 'sqeuclidean' ? s : 1 - dot / Math.sqrt(na * nb);
  };
  const others = Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i)
    .map((j) => ({ j, dist: d(i, j) }));
  others.sort((a, b) => a.dist - b.dist || a.j - b.j);
  const firstSame = others.findIndex((o) => labels[o.j] === labels[i]);
  return {
    order: others.slice(0, k).map((o) => o.j),
    dists: others.slice(0, k).map((o) => o.dist),
    firstSameRank: firstSame < 0 ? -1 : firstSame + 1,
  };
}

describe('nearest neighbours of one sample', () => {
  const rnd = seededRandom(5);
  const n = 400,
    dim = 16;
  const x = Float32Array.from({ length: n * dim }, () => rnd() * 2 - 1);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 7);

  for (const kind of ['euclidean', 'sqeuclidean', 'cosine'] as const) {
    it(`${kind}: the same neighbours, distances and first same-class rank as brute force`, () => {
      const prepared = prepareEmbeddings({ embeddings: x, n, dim, labels, classes: 7 }, kind === 'cosine');
      for (const i of [0, 17, 399]) {
        for (const k of [1, 10, 50]) {
          const r = nearestNeighbours(prepared, n, dim, labels, kind, i, k);
          const b = brute(x, n, dim, labels, kind, i, k);
          assert.deepEqual(
            r.items.map((it) => it.index),
            b.order,
            `${kind} sample ${i} k ${k}`,
          );
          r.items.forEach((it, t) =>
            assert.ok(
              Math.abs(it.distance - b.dists[t]) < 1e-4 * Math.max(1, b.dists[t]),
              `${it.distance} vs ${b.dists[t]}`,
            ),
          );
          r.items.forEach((it) => assert.equal(it.sameClass, labels[it.index] === labels[i]));
          assert.equal(r.firstSameRank, b.firstSameRank);
          assert.equal(r.k, k);
        }
      }
    });
  }

  it('ties by the smaller index, a duplicate of the sample at distance 0, k beyond n, a class of one', () => {
    // Points on a line: 0, 1, 1, 1 (duplicates of sample 1 at 2 and 3), 5.
    const xs = Float32Array.from([0, 1, 1, 1, 5]);
    const ls = Int32Array.from([0, 1, 0, 2, 1]);
    const r = nearestNeighbours(xs, 5, 1, ls, 'euclidean', 1, 10);
    assert.deepEqual(
      r.items.map((it) => [it.index, it.distance]),
      [
        [2, 0],
        [3, 0],
        [0, 1],
        [4, 4],
      ],
    );
    assert.equal(r.k, 4);
    assert.equal(r.firstSameRank, 4, 'sample 4 is the only other of class 1');
    assert.equal(nearestNeighbours(xs, 5, 1, ls, 'euclidean', 3, 2).firstSameRank, -1, 'class 2 has no other sample');
    assert.deepEqual(nearestNeighbours(xs, 5, 1, ls, 'euclidean', 1, 0).items, []);
    assert.throws(() => nearestNeighbours(xs, 5, 1, ls, 'euclidean', 5, 3), RangeError);
  });
});
