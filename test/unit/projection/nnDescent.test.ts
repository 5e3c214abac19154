/**
 * NN-descent (approximate kNN) against a brute-force reference written here: recall on clustered
 * and overlapping data, the exact table format (self first, ascending, ties by index, true
 * distances), determinism per seed, duplicates, n < k, normalize, progress and cancellation; and
 * computeLayout's choice between exact and approximate neighbours with its recall report.
 */
import * as assert from 'node:assert/strict';
import type { KnnTable } from '../../../src/projection/fuzzyGraph';
import { NN_DESCENT_MESSAGE, nnDescent, type NnDescentOptions } from '../../../src/projection/nnDescent';
import { seededRandom } from '../../../src/projection/random';
import { computeLayout, EXACT_MESSAGE, EXACT_NEIGHBOURS_UP_TO, type KnnInfo } from '../../../src/projection/umap';
import { clusteredData } from './helpers';

/** Float64 Euclidean distance rounded once to float32, as the table stores it. */
function dist32(x: Float32Array, dim: number, i: number, j: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const t = x[i * dim + d] - x[j * dim + d];
    s += t * t;
  }
  return Math.fround(Math.sqrt(s));
}

/** Brute force: every row sorted in full by (float32 distance, index), the point itself first. */
function reference(x: Float32Array, n: number, dim: number, k: number): KnnTable {
  const kk = Math.min(k, n);
  const indices = new Int32Array(n * kk);
  const distances = new Float32Array(n * kk);
  // Sort keys: a non-negative float32's bits order like its value, so bits * n + j orders by
  // (distance, index) and stays an exact integer in a float64 (< 2^31 * n).
  const bits = new Uint32Array(1),
    f = new Float32Array(bits.buffer);
  const keys = new Float64Array(n - 1 > 0 ? n - 1 : 0);
  for (let i = 0; i < n; i++) {
    for (let j = 0, m = 0; j < n; j++) {
      if (j === i) continue;
      f[0] = dist32(x, dim, i, j);
      keys[m++] = bits[0] * n + j;
    }
    keys.sort();
    indices[i * kk] = i;
    for (let t = 1; t < kk; t++) {
      const j = keys[t - 1] % n;
      indices[i * kk + t] = j;
      distances[i * kk + t] = dist32(x, dim, i, j);
    }
  }
  return { k: kk, indices, distances };
}

/** Share of the table's neighbours (self excluded) no farther than the reference's last one: ties at the boundary count
 * as found. */
function recall(table: KnnTable, ref: KnnTable, n: number): number {
  let found = 0;
  for (let i = 0; i < n; i++) {
    const kth = ref.distances[i * ref.k + ref.k - 1];
    for (let t = 1; t < table.k; t++) if (table.distances[i * table.k + t] <= kth) found++;
  }
  return found / (n * (table.k - 1));
}

/** Self first at 0, then strictly ascending by (distance, index), no repeats, each distance the true one. */
function assertFormat(table: KnnTable, x: Float32Array, n: number, dim: number): void {
  const { k, indices, distances } = table;
  assert.equal(indices.length, n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    assert.equal(indices[o], i, `row ${i} starts with the point itself`);
    assert.equal(distances[o], 0);
    const seen = new Set<number>([i]);
    for (let t = 1; t < k; t++) {
      const j = indices[o + t];
      assert.ok(j >= 0 && j < n && !seen.has(j), `row ${i}: neighbour ${j} valid and not repeated`);
      seen.add(j);
      assert.equal(distances[o + t], dist32(x, dim, i, j), `row ${i}: distance to ${j}`);
      if (t >= 2) {
        const dp = distances[o + t - 1],
          dq = distances[o + t];
        assert.ok(dp < dq || (dp === dq && indices[o + t - 1] < j), `row ${i} ascending, ties by index at column ${t}`);
      }
    }
  }
}

function unitRows(x: Float32Array, n: number, dim: number): Float32Array {
  const u = Float32Array.from(x);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += u[i * dim + d] * u[i * dim + d];
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) u[i * dim + d] *= inv;
  }
  return u;
}

const bytes = (t: KnnTable) => [Buffer.from(t.indices.buffer), Buffer.from(t.distances.buffer)];

describe('projection: nnDescent', function () {
  this.timeout(120_000);

  // Brute force is the slow part; each dataset's reference is computed once.
  const datasets = [
    { name: 'separated clusters, D = 32', n: 3000, dim: 32, classes: 30, spread: 3 },
    { name: 'separated clusters, D = 128', n: 3000, dim: 128, classes: 30, spread: 3 },
    {
      name: 'overlapping classes, D = 128 (bench/projection.ts spread 0.7)',
      n: 4000,
      dim: 128,
      classes: 40,
      spread: 0.7,
    },
    { name: 'overlapping classes, D = 32 (spread 1)', n: 3000, dim: 32, classes: 20, spread: 1 },
  ].map((d) => ({ ...d, ...clusteredData(d.n, d.dim, d.classes, d.spread, 11) }));
  const refs = new Map<string, KnnTable>();
  const refOf = (d: (typeof datasets)[number]) => {
    if (!refs.has(d.name)) refs.set(d.name, reference(d.x, d.n, d.dim, 15));
    return refs.get(d.name)!;
  };

  for (const d of datasets) {
    it(`finds >= 95 % of the exact 15 nearest neighbours: ${d.name}`, async () => {
      const table = await nnDescent(d.x, d.n, d.dim, 15, { seed: 1 });
      assert.equal(table.k, 15);
      assertFormat(table, d.x, d.n, d.dim);
      const r = recall(table, refOf(d), d.n);
      assert.ok(r >= 0.95, `recall ${r.toFixed(4)}`);
    });
  }

  it('owes its recall to the NN-descent iterations: the forest alone falls short (so the recall tests can fail)', async () => {
    for (const d of [datasets[1], datasets[2]]) {
      const forestOnly = recall(await nnDescent(d.x, d.n, d.dim, 15, { seed: 1, nIters: 0 }), refOf(d), d.n);
      const oneIteration = recall(await nnDescent(d.x, d.n, d.dim, 15, { seed: 1, nIters: 1 }), refOf(d), d.n);
      const full = recall(await nnDescent(d.x, d.n, d.dim, 15, { seed: 1 }), refOf(d), d.n);
      assert.ok(forestOnly < 0.9, `${d.name}: forest only ${forestOnly.toFixed(4)}`);
      assert.ok(
        forestOnly < oneIteration && oneIteration <= full,
        `${d.name}: ${forestOnly} < ${oneIteration} <= ${full}`,
      );
    }
  });

  it('is exact when every point fits in one leaf (30 by default), at any k up to n, without iterations', async () => {
    const n = 30,
      dim = 6;
    const { x } = clusteredData(n, dim, 3, 2, 5);
    for (const k of [2, 15, 30]) {
      const t = await nnDescent(x, n, dim, k, { seed: 3, nIters: 0 });
      assert.deepEqual(bytes(t), bytes(reference(x, n, dim, k)), `k = ${k}`);
    }
    // Ten points more and the forest alone no longer compares every pair; the iterations make up for it.
    const { x: y } = clusteredData(n + 10, dim, 3, 2, 5);
    assert.deepEqual(bytes(await nnDescent(y, n + 10, dim, 15, { seed: 3 })), bytes(reference(y, n + 10, dim, 15)));
  });

  it('clamps k to n and handles n = 0, 1 and 2', async () => {
    const { x } = clusteredData(5, 8, 2, 1, 2);
    const t = await nnDescent(x, 5, 8, 15);
    assert.equal(t.k, 5);
    assert.deepEqual(bytes(t), bytes(reference(x, 5, 8, 15)));
    assert.deepEqual(await nnDescent(new Float32Array(0), 0, 8, 15), {
      k: 0,
      indices: new Int32Array(0),
      distances: new Float32Array(0),
    });
    const one = await nnDescent(x, 1, 8, 15);
    assert.deepEqual([one.k, [...one.indices], [...one.distances]], [1, [0], [0]]);
    const two = await nnDescent(x, 2, 8, 15);
    assert.deepEqual([two.k, [...two.indices]], [2, [0, 1, 1, 0]]);
    assert.equal(two.distances[1], dist32(x, 8, 0, 1));
    await assert.rejects(nnDescent(x, 5, 8, 0), RangeError);
    await assert.rejects(nnDescent(x, 6, 8, 3), RangeError); // 40 values hold only 5 rows of 8
  });

  it('gives the same bytes for the same data and seed, and samples differently for another seed', async () => {
    const d = datasets[2];
    const opts: NnDescentOptions = { nIters: 2 };
    const a = await nnDescent(d.x, d.n, d.dim, 15, { ...opts, seed: 7 });
    const b = await nnDescent(Float32Array.from(d.x), d.n, d.dim, 15, { ...opts, seed: 7 });
    assert.deepEqual(bytes(a), bytes(b));
    const c = await nnDescent(d.x, d.n, d.dim, 15, { ...opts, seed: 8 });
    assert.notDeepEqual(bytes(a), bytes(c));
  });

  it('puts exact duplicates first, by index, as the exact table does', async () => {
    // 300 distinct points, each repeated 1 to 4 times, plus 40 copies of one point, shuffled.
    const dim = 16;
    const rnd = seededRandom(21);
    const base = clusteredData(300, dim, 10, 2, 9).x;
    const rows: number[] = [];
    for (let i = 0; i < 300; i++) for (let r = 0, c = 1 + Math.floor(rnd() * 4); r < c; r++) rows.push(i);
    for (let r = 0; r < 40; r++) rows.push(17);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const n = rows.length;
    const x = new Float32Array(n * dim);
    rows.forEach((r, i) => x.set(base.subarray(r * dim, (r + 1) * dim), i * dim));
    const t = await nnDescent(x, n, dim, 15, { seed: 2 });
    assertFormat(t, x, n, dim);
    const ref = reference(x, n, dim, 15);
    assert.ok(recall(t, ref, n) >= 0.98);
    // Where zero-distance ties decide the row (a point with 14 or more copies), the smallest indices win.
    const copies = rows.map((r, i) => (r === 17 ? i : -1)).filter((i) => i >= 0);
    for (const i of copies) {
      assert.deepEqual([...t.indices.subarray(i * 15, i * 15 + 15)], [...ref.indices.subarray(i * 15, i * 15 + 15)]);
      assert.ok(t.distances.subarray(i * 15, i * 15 + 15).every((v) => v === 0));
    }
  });

  it('normalize: the same table as on rows normalised beforehand, the neighbours of the unit rows', async () => {
    const d = datasets[0];
    const unit = unitRows(d.x, d.n, d.dim);
    const viaOption = await nnDescent(d.x, d.n, d.dim, 15, { seed: 4, normalize: true });
    assert.deepEqual(bytes(viaOption), bytes(await nnDescent(unit, d.n, d.dim, 15, { seed: 4 })));
    assertFormat(viaOption, unit, d.n, d.dim);
    assert.ok(recall(viaOption, reference(unit, d.n, d.dim, 15), d.n) >= 0.95);
    // The caller's array is left as it was.
    assert.deepEqual(d.x, clusteredData(d.n, d.dim, d.classes, d.spread, 11).x);
  });

  it('reports progress rising to 1 with its message, and stops with an AbortError', async () => {
    const d = datasets[3];
    const seen: number[] = [];
    await nnDescent(
      d.x,
      d.n,
      d.dim,
      15,
      {},
      {
        onProgress: (f, message) => {
          seen.push(f);
          assert.equal(message, NN_DESCENT_MESSAGE);
        },
      },
    );
    assert.ok(seen.length > 5);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], 'progress never goes back');
    assert.equal(seen[seen.length - 1], 1);

    const before = new AbortController();
    before.abort();
    await assert.rejects(
      nnDescent(d.x, d.n, d.dim, 15, {}, { signal: before.signal }),
      (e: Error) => e.name === 'AbortError',
    );
    const during = new AbortController();
    let calls = 0,
      afterAbort = 0;
    await assert.rejects(
      nnDescent(
        d.x,
        d.n,
        d.dim,
        15,
        {},
        {
          signal: during.signal,
          onProgress: (f) => {
            if (during.signal.aborted) afterAbort++;
            if (++calls === 3) during.abort();
            assert.ok(f < 1, 'never finishes');
          },
        },
      ),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(afterAbort, 0, 'no progress after the abort');
  });
});

describe('projection: computeLayout neighbours', function () {
  this.timeout(120_000);
  const n = 1500,
    dim = 24;
  const { x } = clusteredData(n, dim, 15, 1.5, 31);

  it('uses NN-descent when asked, reports its sampled recall, and says so in the progress', async () => {
    const infos: KnnInfo[] = [];
    const messages = new Set<string>();
    const layout = await computeLayout(
      { embeddings: x, n, dim },
      { nEpochs: 20, neighbours: 'approximate' },
      {
        onKnn: (info) => infos.push(info),
        onProgress: (_f, m) => messages.add(m),
      },
    );
    assert.ok(layout.every(Number.isFinite));
    assert.equal(infos.length, 1);
    assert.equal(infos[0].method, 'approximate');
    assert.equal(infos[0].sampled, 1000);
    // The reported estimate agrees with the full recall of the same (seeded) table.
    const table = await nnDescent(x, n, dim, 15, { seed: 42 });
    const full = recall(table, reference(x, n, dim, 15), n);
    assert.ok(Math.abs(infos[0].recall! - full) < 0.02, `sampled ${infos[0].recall} vs full ${full}`);
    assert.ok(messages.has(NN_DESCENT_MESSAGE));
    assert.ok(!messages.has(EXACT_MESSAGE));
  });

  it("uses the exact search by default at this size and with 'exact', and the table decides the layout", async () => {
    const infos: KnnInfo[] = [];
    const messages = new Set<string>();
    const auto = await computeLayout(
      { embeddings: x, n, dim },
      { nEpochs: 20 },
      { onKnn: (i) => infos.push(i), onProgress: (_f, m) => messages.add(m) },
    );
    assert.ok(messages.has(EXACT_MESSAGE) && !messages.has(NN_DESCENT_MESSAGE));
    const exact = await computeLayout(
      { embeddings: x, n, dim },
      { nEpochs: 20, neighbours: 'exact' },
      { onKnn: (i) => infos.push(i) },
    );
    assert.deepEqual(infos, [{ method: 'exact' }, { method: 'exact' }]);
    assert.deepEqual(auto, exact);
    const approx = await computeLayout({ embeddings: x, n, dim }, { nEpochs: 20, neighbours: 'approximate' });
    const given = await computeLayout(
      { embeddings: x, n, dim },
      { nEpochs: 20, knn: await nnDescent(x, n, dim, 15, { seed: 42 }) },
    );
    assert.deepEqual(approx, given, 'the approximate path lays out exactly the table nnDescent gives');
    await assert.rejects(computeLayout({ embeddings: x, n, dim }, { neighbours: 'fast' as never }), RangeError);
  });

  it("'auto' switches to NN-descent above EXACT_NEIGHBOURS_UP_TO points", async () => {
    const big = EXACT_NEIGHBOURS_UP_TO + 1,
      d = 8;
    const { x: y } = clusteredData(big, d, 20, 2, 3);
    const methods: string[] = [];
    for (const m of [big - 1, big])
      await computeLayout({ embeddings: y, n: m, dim: d }, { nEpochs: 1 }, { onKnn: (i) => methods.push(i.method) });
    assert.deepEqual(methods, ['exact', 'approximate']);
  });
});
