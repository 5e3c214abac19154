/**
 * Contrastive (Hadsell and PML forms) and NT-Xent against references written here pair by pair
 * from definitions.md (float64 distances computed here), hand-computed cases, degenerate inputs.
 */
import * as assert from 'node:assert/strict';
import {
  contrastiveLoss,
  contrastiveRows,
  ntXentLoss,
  ntXentPairLoss,
  ntXentRows,
  summarizeContrastive,
  summarizeNtXent,
} from '../../../src/engine/pairLosses';
import type { DistanceKind, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';

function randomInput(n: number, dim: number, classes: number, seed: number): EngineInput {
  const r = rng(seed);
  return {
    embeddings: Float32Array.from({ length: n * dim }, () => r() * 2 - 1),
    n,
    dim,
    labels: Int32Array.from({ length: n }, () => Math.floor(r() * classes)),
    classes,
  };
}

function input1d(xs: number[], labels: number[]): EngineInput {
  return {
    embeddings: Float32Array.from(xs),
    n: xs.length,
    dim: 1,
    labels: Int32Array.from(labels),
    classes: Math.max(...labels) + 1,
  };
}

function rowOf(input: EngineInput, i: number, normalize: boolean): number[] {
  const v = Array.from(input.embeddings.subarray(i * input.dim, (i + 1) * input.dim));
  const norm = Math.hypot(...v);
  return normalize && norm > 0 ? v.map((x) => x / norm) : v;
}

/** Float64 distance straight from definitions.md. */
function dist(input: EngineInput, i: number, j: number, kind: DistanceKind, normalize: boolean): number {
  const a = rowOf(input, i, normalize),
    b = rowOf(input, j, normalize);
  if (kind === 'cosine') {
    const dot = a.reduce((s, x, c) => s + x * b[c], 0);
    return 1 - dot / (Math.hypot(...a) * Math.hypot(...b));
  }
  const sq = a.reduce((s, x, c) => s + (x - b[c]) ** 2, 0);
  return kind === 'sqeuclidean' ? sq : Math.sqrt(sq);
}

const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('engine/pairLosses contrastive', () => {
  it('matches the hand-computed 1-D case (both forms)', async () => {
    // A at 0 and 1, B at 3. Pairs: (0,1) same d 1; (0,3) d 3; (1,3) d 2. Margin 2.5.
    const input = input1d([0, 1, 3], [0, 0, 1]);
    const dopt = { distance: 'euclidean' as const, normalize: false };
    const h = await contrastiveLoss(input, dopt, { form: 'hadsell', margin: 2.5 });
    // Unordered: 1^2 + 0 + (2.5-2)^2 = 1.25; ordered pairs double it over 6 pairs.
    assert.deepEqual([h.pairs, h.posPairs, h.negPairs, h.nonZero], [6, 2, 4, 4]);
    near(h.lossSum, 2.5, 1e-12, 'sum');
    near(h.meanLoss, 2.5 / 6, 1e-12, 'mean');
    near(h.posMeanLoss, 1, 1e-12, 'pos');
    near(h.negMeanLoss, 0.25 / 2, 1e-12, 'neg');
    near(h.perSample[1], (1 + 0.25) / 2, 1e-12, 'sample 1');
    const p = await contrastiveLoss(input, dopt, { form: 'pml', negMargin: 2.5 });
    // pos relu(1 - 0) = 1; neg relu(2.5 - 3) = 0, relu(2.5 - 2) = 0.5; AvgNonZero: 1 + 0.5.
    near(p.lossSum, 2 * (1 + 0.5), 1e-12, 'pml sum');
    near(p.pmlReduced, 1.5, 1e-12, 'pml reduced');
    assert.equal(p.posMargin, 0);
  });

  for (const [distance, normalize] of [
    ['euclidean', false],
    ['euclidean', true],
    ['sqeuclidean', false],
    ['cosine', false],
  ] as [DistanceKind, boolean][]) {
    it(`matches a pair-by-pair reference (${distance}, normalize ${normalize})`, async () => {
      const input = randomInput(40, 5, 3, 21);
      for (const opts of [
        { form: 'hadsell' as const, margin: 1.2 },
        { form: 'pml' as const, posMargin: 0.3, negMargin: 0.9 },
      ]) {
        const got = await contrastiveLoss(input, { distance, normalize }, opts);
        let sum = 0,
          pos = 0,
          neg = 0,
          nz = 0,
          pn = 0,
          nn = 0,
          pnz = 0,
          nnz = 0;
        for (let i = 0; i < input.n; i++)
          for (let j = 0; j < input.n; j++) {
            if (i === j) continue;
            const d = dist(input, i, j, distance, normalize);
            const same = input.labels[i] === input.labels[j];
            const l =
              opts.form === 'hadsell'
                ? same
                  ? d * d
                  : Math.max(0, opts.margin! - d) ** 2
                : same
                  ? Math.max(0, d - opts.posMargin!)
                  : Math.max(0, opts.negMargin! - d);
            sum += l;
            if (l > 0) nz++;
            if (same) {
              pos += l;
              pn++;
              if (l > 0) pnz++;
            } else {
              neg += l;
              nn++;
              if (l > 0) nnz++;
            }
          }
        assert.deepEqual([got.pairs, got.posPairs, got.negPairs], [input.n * (input.n - 1), pn, nn]);
        near(got.lossSum, sum, 1e-5, 'lossSum');
        near(got.meanLoss, sum / (pn + nn), 1e-5, 'meanLoss');
        near(got.posMeanLoss, pos / pn, 1e-5, 'pos');
        near(got.negMeanLoss, neg / nn, 1e-5, 'neg');
        near(got.pmlReduced, (pnz ? pos / pnz : 0) + (nnz ? neg / nnz : 0), 1e-5, 'pmlReduced');
        assert.ok(Math.abs(got.nonZero - nz) <= 2, 'nonZero (pairs at the margin may flip by rounding)');
      }
    });
  }

  it('degenerate inputs: one class, singleton classes, duplicates, N = 2', async () => {
    const dopt = { distance: 'euclidean' as const, normalize: false };
    const one = await contrastiveLoss(input1d([0, 2, 5], [0, 0, 0]), dopt, { form: 'hadsell' });
    assert.equal(one.negPairs, 0);
    near(one.lossSum, 2 * (4 + 25 + 9), 1e-12, 'one class');
    assert.equal(one.negMeanLoss, 0);
    const singles = await contrastiveLoss(input1d([0, 0.5, 4], [0, 1, 2]), dopt, { form: 'hadsell', margin: 1 });
    assert.equal(singles.posPairs, 0);
    near(singles.lossSum, 2 * 0.25, 1e-12, 'singletons');
    const dup = await contrastiveLoss(input1d([1, 1, 1], [0, 0, 1]), dopt, { form: 'hadsell', margin: 1 });
    near(dup.lossSum, 4, 1e-12, 'duplicates: two negative pairs at d 0, both directions');
    const two = await contrastiveLoss(input1d([0, 3], [0, 1]), dopt, { form: 'pml', negMargin: 4 });
    assert.deepEqual([two.pairs, two.lossSum, two.perSample[0], two.perSample[1]], [2, 2, 1, 1]);
    const single = await contrastiveLoss(input1d([3], [0]), dopt, { form: 'hadsell' });
    assert.deepEqual([single.pairs, single.meanLoss], [0, 0]);
    assert.ok(Number.isNaN(single.perSample[0]));
  });

  it('row parts merge to the same result', async () => {
    const input = randomInput(30, 3, 2, 22);
    const dopt = { distance: 'euclidean' as const, normalize: true };
    const o = { form: 'hadsell' as const, margin: 0.7 };
    const whole = await contrastiveLoss(input, dopt, o);
    const a = await contrastiveRows(input, dopt, o, { rowStart: 0, rowEnd: 11 });
    const b = await contrastiveRows(input, dopt, o, { rowStart: 11, rowEnd: 30 });
    assert.deepEqual(summarizeContrastive(input.labels, 2, o, [b, a]), whole);
  });
});

describe('engine/pairLosses NT-Xent', () => {
  it('matches the hand-computed case', async () => {
    // a = (1,0), p = (0,1) same class, n = (-1,0): s_ap = 0, s_an = -1, s_pn = 0.
    const input: EngineInput = {
      embeddings: new Float32Array([1, 0, 0, 1, -1, 0]),
      n: 3,
      dim: 2,
      labels: new Int32Array([0, 0, 1]),
      classes: 2,
    };
    const r = await ntXentLoss(input, 1);
    // (a,p): -log(1 / (1 + e^-1)); (p,a): -log(1 / (1 + e^0)) = log 2.
    const lap = Math.log(1 + Math.exp(-1));
    assert.equal(r.pairs, 2);
    near(r.lossSum, lap + Math.log(2), 1e-7, 'sum');
    near(r.perSample[0], lap, 1e-7, 'anchor a');
    assert.ok(Number.isNaN(r.perSample[2]));
  });

  it('matches a pair-by-pair reference and stays finite at tiny temperatures', async () => {
    const input = randomInput(36, 6, 4, 23);
    for (const tau of [0.07, 0.5, 0.001]) {
      const got = await ntXentLoss(input, tau);
      let sum = 0,
        pairs = 0;
      for (let a = 0; a < input.n; a++)
        for (let p = 0; p < input.n; p++) {
          if (a === p || input.labels[a] !== input.labels[p]) continue;
          const sap = (1 - dist(input, a, p, 'cosine', true)) / tau;
          // Reference log-sum-exp over [s_ap, s_an...] written independently.
          const terms = [sap];
          for (let n = 0; n < input.n; n++)
            if (input.labels[n] !== input.labels[a]) terms.push((1 - dist(input, a, n, 'cosine', true)) / tau);
          const m = Math.max(...terms);
          sum += m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0)) - sap;
          pairs++;
        }
      assert.equal(got.pairs, pairs);
      assert.ok(Number.isFinite(got.lossSum));
      near(got.meanLoss, sum / pairs, tau < 0.01 ? 1e-3 : 1e-5, `tau ${tau}`);
    }
  });

  it('one class has zero loss, singletons no pairs, N = 2, duplicates', async () => {
    const one = await ntXentLoss({
      embeddings: new Float32Array([1, 0, 0, 1, 1, 1]),
      n: 3,
      dim: 2,
      labels: new Int32Array([0, 0, 0]),
      classes: 1,
    });
    assert.deepEqual([one.pairs, one.lossSum, one.meanLoss], [6, 0, 0]);
    const singles = await ntXentLoss({
      embeddings: new Float32Array([1, 0, 0, 1]),
      n: 2,
      dim: 2,
      labels: new Int32Array([0, 1]),
      classes: 2,
    });
    assert.deepEqual([singles.pairs, singles.meanLoss], [0, 0]);
    // Duplicates: a = p = n direction: every similarity 1, loss log(1 + 1) per pair.
    const dup = await ntXentLoss(
      { embeddings: new Float32Array([1, 1, 2, 2, 3, 3]), n: 3, dim: 2, labels: new Int32Array([0, 0, 1]), classes: 2 },
      0.1,
    );
    near(dup.meanLoss, Math.log(2), 1e-5, 'duplicates');
  });

  it('ntXentPairLoss is stable far from 0 and row parts merge', async () => {
    near(ntXentPairLoss(1000, 1000, 1), Math.log(2), 1e-12, 'large');
    near(ntXentPairLoss(-1000, -Infinity, 0), 0, 0, 'no negatives');
    const input = randomInput(25, 4, 3, 24);
    const whole = await ntXentLoss(input, 0.2);
    const a = await ntXentRows(input, 0.2, { rowStart: 0, rowEnd: 9 });
    const b = await ntXentRows(input, 0.2, { rowStart: 9, rowEnd: 25 });
    assert.deepEqual(summarizeNtXent(input.labels, 3, 0.2, [a, b]), whole);
    await assert.rejects(ntXentLoss(input, 0), RangeError);
  });
});
