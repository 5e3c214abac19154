/**
 * The start for a neighbour graph in pieces: components against a brute-force graph search, each
 * piece in its own square around its centroid's PCA position (no two squares overlap), far pieces
 * far apart, and the `auto` start of computeLayout: random up to SPECTRAL_ABOVE points, spectral
 * above.
 */
import * as assert from 'node:assert/strict';
import { componentInit, connectedComponents } from '../../../src/projection/componentInit';
import type { SparseGraph } from '../../../src/projection/fuzzyGraph';
import { SPECTRAL_ABOVE } from '../../../src/projection/params';
import { seededRandom } from '../../../src/projection/random';
import { computeLayout } from '../../../src/projection/umap';

/** A symmetric graph from undirected edges, sorted by row then column. */
function graphOf(edges: [number, number][]): SparseGraph {
  const all = edges.flatMap(([a, b]) => [
    [a, b],
    [b, a],
  ]);
  all.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return {
    rows: Int32Array.from(all, (e) => e[0]),
    cols: Int32Array.from(all, (e) => e[1]),
    vals: Float64Array.from(all, () => 1),
  };
}

/** Components by breadth-first search from each unvisited vertex in order (the independent truth). */
function bfsComponents(n: number, edges: [number, number][]): Int32Array {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    adj[a].push(b);
    adj[b].push(a);
  }
  const label = new Int32Array(n).fill(-1);
  let next = 0;
  for (let s = 0; s < n; s++) {
    if (label[s] >= 0) continue;
    const queue = [s];
    label[s] = next;
    while (queue.length) {
      for (const v of adj[queue.shift()!]) {
        if (label[v] >= 0) continue;
        label[v] = next;
        queue.push(v);
      }
    }
    next++;
  }
  return label;
}

describe('projection: start of a graph in pieces', () => {
  it('finds the connected components (as a breadth-first search does)', () => {
    const r = seededRandom(3),
      n = 300;
    const edges: [number, number][] = [];
    for (let e = 0; e < 220; e++) edges.push([Math.floor(r() * n), Math.floor(r() * n)]);
    const got = connectedComponents(graphOf(edges), n);
    const truth = bfsComponents(n, edges);
    assert.deepEqual(got.labels, truth);
    assert.equal(got.count, Math.max(...truth) + 1);
    assert.ok(got.count > 10, 'a graph in many pieces');
  });

  it('puts each piece in its own square around its centroid, far groups far apart, within [0, 10]', () => {
    // 8 pieces of 25 points on a line in 5-D: pieces 0-3 near the origin, 4-7 a long way off.
    const dim = 5,
      per = 25,
      pieces = 8,
      n = per * pieces,
      r = seededRandom(9);
    const x = new Float32Array(n * dim);
    const edges: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / per);
      x[i * dim] = (c < 4 ? 0 : 1000) + 10 * c + r();
      for (let d = 1; d < dim; d++) x[i * dim + d] = r();
      if (i % per) edges.push([i - 1, i]);
    }
    const comps = connectedComponents(graphOf(edges), n);
    assert.equal(comps.count, pieces);
    const emb = componentInit(x, dim, n, comps, seededRandom(1));
    assert.ok(emb.every((v) => v >= 0 && v <= 10));
    const box = Array.from({ length: pieces }, () => ({ x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity }));
    for (let i = 0; i < n; i++) {
      const b = box[comps.labels[i]];
      b.x0 = Math.min(b.x0, emb[2 * i]);
      b.x1 = Math.max(b.x1, emb[2 * i]);
      b.y0 = Math.min(b.y0, emb[2 * i + 1]);
      b.y1 = Math.max(b.y1, emb[2 * i + 1]);
    }
    for (let a = 0; a < pieces; a++)
      for (let b = a + 1; b < pieces; b++) {
        const A = box[a],
          B = box[b];
        assert.ok(A.x1 <= B.x0 || B.x1 <= A.x0 || A.y1 <= B.y0 || B.y1 <= A.y0, `pieces ${a} and ${b} overlap`);
      }
    const centre = (b: (typeof box)[0]) => [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2];
    const dist = (a: number, b: number) => Math.hypot(...centre(box[a]).map((v, k) => v - centre(box[b])[k]));
    assert.ok(dist(0, 3) < dist(3, 4) && dist(4, 7) < dist(3, 4), 'the two far groups lie apart');
    assert.deepEqual(componentInit(x, dim, n, comps, seededRandom(1)), emb, 'seeded');
  });

  it("auto: umap-js's random start up to SPECTRAL_ABOVE points, the graph's start above", async function () {
    this.timeout(120_000);
    const dim = 4,
      r = seededRandom(5);
    const data = (n: number) => Float32Array.from({ length: n * dim }, (_, k) => (k % 97) * 0.01 * (1 + r()));
    for (const [n, same] of [
      [SPECTRAL_ABOVE, 'random'],
      [SPECTRAL_ABOVE + 1, 'spectral'],
    ] as const) {
      const x = data(n);
      const p = { nEpochs: 2, neighbours: 'approximate' as const };
      const auto = await computeLayout({ embeddings: x, n, dim }, p);
      const explicit = await computeLayout({ embeddings: x, n, dim }, { ...p, init: same });
      const other = await computeLayout(
        { embeddings: x, n, dim },
        { ...p, init: same === 'random' ? 'spectral' : 'random' },
      );
      assert.deepEqual(auto, explicit, `n = ${n}: ${same}`);
      assert.notDeepEqual(auto, other);
    }
  });
});
