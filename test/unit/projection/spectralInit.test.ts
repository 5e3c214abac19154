/** The spectral start (umap-learn's default init) on graphs whose Laplacian eigenvectors are known. */
import * as assert from 'node:assert/strict';
import type { SparseGraph } from '../../../src/projection/fuzzyGraph';
import { spectralInit } from '../../../src/projection/spectralInit';
import { seededRandom } from '../../../src/projection/random';

/** A symmetric graph from undirected weighted edges, sorted by row then column. */
function graphOf(n: number, edges: [number, number, number][]): SparseGraph {
  const all: [number, number, number][] = [];
  for (const [a, b, w] of edges) all.push([a, b, w], [b, a, w]);
  all.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return {
    rows: Int32Array.from(all.map((e) => e[0])),
    cols: Int32Array.from(all.map((e) => e[1])),
    vals: Float64Array.from(all.map((e) => e[2])),
  };
}

describe('projection: spectral initial layout', () => {
  it('separates two weakly joined cliques along one axis (the Fiedler vector) and fills [0, 10]', () => {
    const n = 40;
    const edges: [number, number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (i < 20 === j < 20) edges.push([i, j, 1]);
    edges.push([0, 20, 0.05]);
    const emb = spectralInit(graphOf(n, edges), n, seededRandom(1));
    const xs = Array.from({ length: n }, (_, i) => emb[2 * i]);
    const ys = Array.from({ length: n }, (_, i) => emb[2 * i + 1]);
    for (const axis of [xs, ys]) {
      assert.ok(
        Math.abs(Math.min(...axis)) < 1e-9 && Math.abs(Math.max(...axis) - 10) < 1e-9,
        'each axis scaled to [0, 10]',
      );
    }
    // On one of the two axes the cliques do not overlap (the other axis is within-clique detail).
    const separated = [xs, ys].some((v) => {
      const a = v.slice(0, 20),
        b = v.slice(20);
      return Math.max(...a) < Math.min(...b) || Math.max(...b) < Math.min(...a);
    });
    assert.ok(separated, 'the two cliques are apart');
  });

  it('puts the inner nodes of a path graph in order along its first coordinate', () => {
    // The eigenvectors of the normalised Laplacian are D^1/2 times the monotone random-walk ones,
    // so the two end nodes (degree 1 against 2) sit inside; the degree-2 nodes are in order.
    const n = 12;
    const edges: [number, number, number][] = [];
    for (let i = 0; i + 1 < n; i++) edges.push([i, i + 1, 1]);
    const emb = spectralInit(graphOf(n, edges), n, seededRandom(2));
    const xs = Array.from({ length: n - 2 }, (_, i) => emb[2 * (i + 1)]);
    const up = xs.every((v, i) => i === 0 || v > xs[i - 1]);
    const down = xs.every((v, i) => i === 0 || v < xs[i - 1]);
    assert.ok(up || down, `not monotone: ${xs.map((v) => v.toFixed(2)).join(' ')}`);
  });

  it('is deterministic for a seed', () => {
    const g = graphOf(6, [
      [0, 1, 1],
      [1, 2, 0.5],
      [2, 3, 1],
      [3, 4, 0.2],
      [4, 5, 1],
      [5, 0, 0.7],
    ]);
    assert.deepEqual(spectralInit(g, 6, seededRandom(3)), spectralInit(g, 6, seededRandom(3)));
  });
});
