/**
 * Mining against straightforward references written here (full distance matrix, plain loops)
 * and a hand-computed case; explicit-triplet validation names the bad row.
 */
import * as assert from 'node:assert/strict';
import { buildCensusIndex, countAtMargin } from '../../../src/engine/census';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';
import { batchHard, batchHardFromIndex, explicitTriplets, semihardSelection } from '../../../src/engine/mining';
import type { DistanceKind, DistanceOptions, EngineInput } from '../../../src/engine/types';
import { InputError } from '../../../src/shared/dataset';
import { rng } from '../../helpers/rng';

function makeInput(n: number, dim: number, classes: number, seed: number, integer = false): EngineInput {
  const r = rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => (i < classes ? i : Math.floor(r() * classes)));
  const embeddings = Float32Array.from({ length: n * dim }, () => (integer ? Math.floor(r() * 3) : r() * 2 - 1));
  return { embeddings, n, dim, labels, classes };
}

function matrix(input: EngineInput, opts: DistanceOptions): Float32Array {
  return distanceRows(prepareEmbeddings(input, opts.normalize), input.n, input.dim, 0, input.n, opts.distance);
}

/** Reference batch-hard: for each anchor scan every sample. */
function refBatchHard(input: EngineInput, d: Float32Array, m: number, soft: boolean) {
  const { n, labels } = input;
  const out: { p: number; ng: number; loss: number }[] = [];
  for (let a = 0; a < n; a++) {
    let p = -1,
      ng = -1;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      if (labels[j] === labels[a]) {
        if (p < 0 || d[a * n + j] > d[a * n + p]) p = j;
      } else if (ng < 0 || d[a * n + j] < d[a * n + ng]) ng = j;
    }
    const x = p >= 0 && ng >= 0 ? d[a * n + p] - d[a * n + ng] : NaN;
    out.push({
      p: ng >= 0 ? p : -1,
      ng: p >= 0 ? ng : -1,
      loss: p < 0 || ng < 0 ? 0 : soft ? Math.log(1 + Math.exp(x)) : Math.max(0, m + d[a * n + p] - d[a * n + ng]),
    });
  }
  return out;
}

/** Reference TFA semi-hard: per (a, p), every negative examined. */
function refSemihard(input: EngineInput, d: Float32Array, m: number) {
  const { n, labels } = input;
  const out: { a: number; p: number; ng: number; loss: number }[] = [];
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      let outside = -1,
        far = -1;
      for (let x = 0; x < n; x++) {
        if (labels[x] === labels[a]) continue;
        const dx = d[a * n + x];
        if (dx > d[a * n + p] && (outside < 0 || dx < d[a * n + outside])) outside = x;
        if (far < 0 || dx > d[a * n + far]) far = x;
      }
      const ng = outside >= 0 ? outside : far;
      out.push({ a, p, ng, loss: ng < 0 ? 0 : Math.max(0, m + d[a * n + p] - d[a * n + ng]) });
    }
  }
  return out;
}

describe('mining against references', function () {
  this.timeout(30000);
  const kinds: DistanceKind[] = ['euclidean', 'sqeuclidean', 'cosine'];
  for (const distance of kinds) {
    for (const integer of [false, true]) {
      it(`batch-hard and semi-hard, ${distance}${integer ? ', integer embeddings (ties)' : ''}`, async () => {
        const input = makeInput(64, 4, 5, 3 + (integer ? 1 : 0));
        if (integer) input.embeddings.set(makeInput(64, 4, 5, 9, true).embeddings);
        const opts: DistanceOptions = { distance, normalize: !integer };
        const d = matrix(input, opts),
          index = await buildCensusIndex(input, opts);
        for (const m of [0, 0.2, 1]) {
          for (const soft of [false, true]) {
            const ref = refBatchHard(input, d, m, soft);
            for (const res of [await batchHard(input, opts, m, { soft }), batchHardFromIndex(index, m, { soft })]) {
              assert.deepEqual(
                Array.from(res.hardestPositive),
                ref.map((x) => x.p),
              );
              assert.deepEqual(
                Array.from(res.hardestNegative),
                ref.map((x) => x.ng),
              );
              res.loss.forEach((l, a) =>
                assert.ok(Math.abs(l - ref[a].loss) <= 1e-12, `anchor ${a}: ${l} vs ${ref[a].loss}`),
              );
            }
          }
          const sh = semihardSelection(index, m),
            ref = refSemihard(input, d, m);
          assert.equal(sh.pairs, ref.length);
          assert.deepEqual(
            Array.from(sh.anchor),
            ref.map((x) => x.a),
          );
          assert.deepEqual(
            Array.from(sh.positive),
            ref.map((x) => x.p),
          );
          assert.deepEqual(
            Array.from(sh.negative),
            ref.map((x) => x.ng),
          );
          sh.loss.forEach((l, q) => assert.equal(l, ref[q].loss));
          const mean = ref.reduce((s, x) => s + x.loss, 0) / ref.length;
          assert.ok(Math.abs(sh.meanLoss - mean) <= 1e-12 * Math.max(1, mean));
        }
      });
    }
  }

  it('explicit triplets agree with the census on the same distances', async () => {
    const input = makeInput(40, 3, 3, 17);
    const opts: DistanceOptions = { distance: 'euclidean', normalize: true };
    const d = matrix(input, opts),
      { n, labels } = input;
    const rows: number[] = [];
    for (let a = 0; a < n; a++)
      for (let p = 0; p < n; p++)
        for (let x = 0; x < n; x++) {
          if (a !== p && labels[a] === labels[p] && labels[x] !== labels[a]) rows.push(a, p, x);
        }
    const m = 0.3,
      res = await explicitTriplets(input, opts, m, Int32Array.from(rows));
    const census = countAtMargin(await buildCensusIndex(input, opts), m);
    assert.deepEqual(res.totals.pml, census.pml);
    assert.deepEqual(res.totals.facenet, census.facenet);
    assert.ok(Math.abs(res.totals.lossSum - census.lossSum) <= 1e-9 * census.lossSum);
    for (let q = 0; q < res.rows; q++) assert.equal(res.dap[q], d[rows[3 * q] * n + rows[3 * q + 1]]);
  });
});

describe('mining: hand-computed case (definitions.md) and validation', () => {
  // 1-D points: class 0 at 0 and 1, class 1 at 1.5 and 3; euclidean, m = 0.5.
  const line: EngineInput = {
    embeddings: Float32Array.from([0, 1, 1.5, 3]),
    n: 4,
    dim: 1,
    labels: Int32Array.from([0, 0, 1, 1]),
    classes: 2,
  };
  const eu: DistanceOptions = { distance: 'euclidean', normalize: false };

  it('batch-hard: losses 0, 1, 1.5, 0; mean 0.625; 2 violating anchors', async () => {
    const r = await batchHard(line, eu, 0.5);
    assert.deepEqual(Array.from(r.hardestPositive), [1, 0, 3, 2]);
    assert.deepEqual(Array.from(r.hardestNegative), [2, 2, 1, 1]);
    assert.deepEqual(Array.from(r.loss), [0, 1, 1.5, 0]);
    assert.equal(r.meanLoss, 0.625);
    assert.equal(r.violatingAnchors, 2);
  });

  it('semi-hard: (2,3) has no negative beyond d = 1.5 (a tie is not "beyond") and falls back to the farthest', async () => {
    const r = semihardSelection(await buildCensusIndex(line, eu), 0.5);
    assert.deepEqual(Array.from(r.negative), [2, 3, 0, 1]);
    assert.deepEqual(Array.from(r.loss), [0, 0, 0.5, 0]);
    assert.equal(r.fallbacks, 1);
    assert.equal(r.meanLoss, 0.125);
  });

  it('explicit rows: categories and losses', async () => {
    const r = await explicitTriplets(line, eu, 0.5, Int32Array.from([0, 1, 2, 2, 3, 1]));
    assert.deepEqual(Array.from(r.t), [0.5, -1]);
    assert.deepEqual(Array.from(r.loss), [0, 1.5]);
    assert.deepEqual(Array.from(r.pml), [1, 2]); // t == m is semi-hard for pml
    assert.deepEqual(Array.from(r.facenet), [0, 2]); // and easy for facenet
    assert.equal(r.totals.lossSum, 1.5);
  });

  it('explicit rows: a clear error naming the row', async () => {
    const bad: [number[], RegExp][] = [
      [[0, 1, 2, 0, 1, 9], /row 2 .*n=9 is outside 0\.\.3/],
      [[0, 0, 2], /row 1 .*same sample/],
      [[0, 2, 3], /row 1 .*positive has label 1/],
      [[0, 1, 1], /row 1 .*negative has the anchor's label/],
      [[0, 1], /rows of 3/],
    ];
    for (const [rows, re] of bad) {
      await assert.rejects(
        explicitTriplets(line, eu, 0.5, Int32Array.from(rows), { source: 'triplets.csv' }),
        (e: Error) => e instanceof InputError && re.test(e.message) && e.message.startsWith('triplets.csv'),
      );
    }
  });

  it('degenerate: one class and singleton classes give no valid anchors, no crash', async () => {
    const one: EngineInput = { ...line, labels: Int32Array.from([0, 0, 0, 0]) };
    const singles: EngineInput = { ...line, labels: Int32Array.from([0, 1, 2, 3]), classes: 4 };
    for (const input of [one, singles]) {
      const r = await batchHard(input, eu, 0.5);
      assert.equal(r.validAnchors, 0);
      assert.equal(r.meanLoss, 0);
      const s = semihardSelection(await buildCensusIndex(input, eu), 0.5);
      assert.equal(s.meanLoss, 0);
      assert.ok(Array.from(s.negative).every((x) => x === -1));
    }
  });
});
