/**
 * Retrieval metrics against a reference written from the definitions (full sort of every row,
 * PML's lone-query exclusion), against hand-computed cases, and on degenerate inputs.
 */
import * as assert from 'node:assert/strict';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';
import { HEAP_MAX_K } from '../../../src/engine/knn';
import { retrievalMetrics, retrievalRows, summarizeRetrieval } from '../../../src/engine/retrieval';
import type { DistanceKind, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';

function input1d(xs: number[], labels: number[]): EngineInput {
  return {
    embeddings: Float32Array.from(xs),
    n: xs.length,
    dim: 1,
    labels: Int32Array.from(labels),
    classes: Math.max(...labels) + 1,
  };
}

/** Straight from the definitions: sort all others by (distance, index), average over queries with R >= 1. */
function reference(input: EngineInput, distance: DistanceKind, normalize: boolean) {
  const { n, dim, labels, classes } = input;
  const full = distanceRows(prepareEmbeddings(input, normalize), n, dim, 0, n, distance);
  const per: { q: number; p1: number; rp: number; ap: number }[] = [];
  for (let q = 0; q < n; q++) {
    const R = labels.filter((y, j) => j !== q && y === labels[q]).length;
    if (R === 0) continue;
    const order = [...Array(n).keys()]
      .filter((j) => j !== q)
      .sort((a, b) => full[q * n + a] - full[q * n + b] || a - b);
    const rel = order.map((j) => (labels[j] === labels[q] ? 1 : 0));
    let ap = 0;
    for (let i = 1; i <= R; i++) {
      const precisionAtI = rel.slice(0, i).reduce((s: number, v) => s + v, 0) / i;
      ap += precisionAtI * rel[i - 1];
    }
    per.push({ q, p1: rel[0], rp: rel.slice(0, R).reduce((s: number, v) => s + v, 0) / R, ap: ap / R });
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0);
  const perClass = (key: 'p1' | 'rp' | 'ap') =>
    Array.from({ length: classes }, (_, c) => {
      const xs = per.filter((r) => labels[r.q] === c).map((r) => r[key]);
      return xs.length ? mean(xs) : NaN;
    });
  return {
    queries: per.length,
    precisionAt1: mean(per.map((r) => r.p1)),
    rPrecision: mean(per.map((r) => r.rp)),
    mapAtR: mean(per.map((r) => r.ap)),
    perClass: { precisionAt1: perClass('p1'), rPrecision: perClass('rp'), mapAtR: perClass('ap') },
  };
}

function close(a: number, b: number, what: string) {
  if (Number.isNaN(b)) assert.ok(Number.isNaN(a), `${what}: expected NaN, got ${a}`);
  else assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);
}

function checkAgainstReference(
  input: EngineInput,
  distance: DistanceKind,
  normalize: boolean,
  got: Awaited<ReturnType<typeof retrievalMetrics>>,
) {
  const want = reference(input, distance, normalize);
  assert.equal(got.queries, want.queries);
  close(got.precisionAt1, want.precisionAt1, 'precision@1');
  close(got.rPrecision, want.rPrecision, 'R-precision');
  close(got.mapAtR, want.mapAtR, 'MAP@R');
  for (let c = 0; c < input.classes; c++) {
    close(got.perClass.precisionAt1[c], want.perClass.precisionAt1[c], `class ${c} precision@1`);
    close(got.perClass.rPrecision[c], want.perClass.rPrecision[c], `class ${c} R-precision`);
    close(got.perClass.mapAtR[c], want.perClass.mapAtR[c], `class ${c} MAP@R`);
  }
}

describe('engine/retrieval', () => {
  it('matches the hand-computed 1-D case', async () => {
    // A at 0, 3, 4; B at 1, 10. Query 0: order B(1) A(3) A(4): P@1 0, RP 1/2, AP (1/2)(1/2).
    // Query 1 (B, R 1): nearest A: all 0. Queries 3 and 4 (A): nearest A then B: 1, 1/2, 1/2.
    const input = input1d([0, 1, 3, 4, 10], [0, 1, 0, 0, 1]);
    const r = await retrievalMetrics(input, { distance: 'euclidean', normalize: false });
    assert.equal(r.queries, 5);
    close(r.precisionAt1, 2 / 5, 'p@1');
    close(r.rPrecision, 1.5 / 5, 'RP');
    close(r.mapAtR, 1.25 / 5, 'MAP@R');
    close(r.perClass.precisionAt1[0], 2 / 3, 'A p@1');
    close(r.perClass.mapAtR[0], 1.25 / 3, 'A MAP@R');
    close(r.perClass.rPrecision[1], 0, 'B RP');
  });

  it('orders equal distances by index', async () => {
    // Query 1 (at 1) has samples 0 and 2 both at distance 1: sample 0 (other class) comes first.
    const input = input1d([0, 1, 2], [1, 0, 0]);
    const rows = await retrievalRows(input, { distance: 'euclidean', normalize: false });
    assert.deepEqual(Array.from(rows.precisionAt1), [NaN, 0, 1]);
    assert.deepEqual(Array.from(rows.apAtR), [NaN, 0, 1]);
    const swapped = input1d([0, 1, 2], [0, 0, 1]);
    const r2 = await retrievalRows(swapped, { distance: 'euclidean', normalize: false });
    assert.deepEqual(Array.from(r2.precisionAt1), [1, 1, NaN]);
  });

  for (const [distance, normalize] of [
    ['euclidean', false],
    ['sqeuclidean', false],
    ['cosine', true],
    ['euclidean', true],
  ] as [DistanceKind, boolean][]) {
    it(`matches the reference on random data (${distance}, normalize ${normalize})`, async () => {
      const r = rng(11);
      const n = 320,
        dim = 4,
        classes = 5;
      const embeddings = Float32Array.from({ length: n * dim }, () => r() * 2 - 1);
      // Uneven classes, and R above HEAP_MAX_K for class 0 (quickselect path).
      const labels = Int32Array.from({ length: n }, (_, i) => (i <= HEAP_MAX_K + 1 ? 0 : 1 + (i % 4)));
      const input = { embeddings, n, dim, labels, classes };
      checkAgainstReference(input, distance, normalize, await retrievalMetrics(input, { distance, normalize }));
    });
  }

  it('handles duplicates (ties) against the reference', async () => {
    const r = rng(12);
    const n = 80,
      dim = 2;
    const embeddings = Float32Array.from({ length: n * dim }, () => Math.floor(r() * 3));
    const labels = Int32Array.from({ length: n }, () => Math.floor(r() * 3));
    const input = { embeddings, n, dim, labels, classes: 3 };
    checkAgainstReference(
      input,
      'sqeuclidean',
      false,
      await retrievalMetrics(input, { distance: 'sqeuclidean', normalize: false }),
    );
  });

  it('one class: everything is relevant', async () => {
    const input = input1d([0, 5, 1, 9], [0, 0, 0, 0]);
    const r = await retrievalMetrics(input, { distance: 'euclidean', normalize: false });
    assert.deepEqual([r.queries, r.precisionAt1, r.rPrecision, r.mapAtR], [4, 1, 1, 1]);
  });

  it('singleton classes are lone queries, excluded; all singletons give 0 with no query', async () => {
    const some = input1d([0, 1, 2, 50], [0, 0, 1, 2]);
    const r = await retrievalMetrics(some, { distance: 'euclidean', normalize: false });
    assert.equal(r.queries, 2);
    assert.ok(Number.isNaN(r.perClass.precisionAt1[1]) && Number.isNaN(r.perClass.mapAtR[2]));
    assert.deepEqual([r.perClass.queries[0], r.perClass.queries[1]], [2, 0]);
    checkAgainstReference(some, 'euclidean', false, r);
    const none = await retrievalMetrics(input1d([0, 1, 2], [0, 1, 2]), { distance: 'euclidean', normalize: false });
    assert.deepEqual([none.queries, none.precisionAt1, none.rPrecision, none.mapAtR], [0, 0, 0, 0]);
  });

  it('N = 2 of one class and N = 2 of two classes', async () => {
    const same = await retrievalMetrics(input1d([0, 1], [0, 0]), { distance: 'euclidean', normalize: false });
    assert.deepEqual([same.queries, same.precisionAt1, same.mapAtR], [2, 1, 1]);
    const diff = await retrievalMetrics(input1d([0, 1], [0, 1]), { distance: 'euclidean', normalize: false });
    assert.equal(diff.queries, 0);
  });

  it('row parts merge to the same result in any split', async () => {
    const r = rng(13);
    const n = 50,
      dim = 3;
    const input = {
      embeddings: Float32Array.from({ length: n * dim }, () => r()),
      n,
      dim,
      labels: Int32Array.from({ length: n }, (_, i) => i % 4),
      classes: 4,
    };
    const opts = { distance: 'euclidean' as const, normalize: false };
    const whole = await retrievalMetrics(input, opts);
    const b = await retrievalRows(input, opts, { rowStart: 20, rowEnd: 50 });
    const a = await retrievalRows(input, opts, { rowStart: 0, rowEnd: 20 });
    assert.deepEqual(summarizeRetrieval(input.labels, 4, [b, a]), whole);
    assert.throws(() => summarizeRetrieval(input.labels, 4, [a]), RangeError);
  });
});
