/**
 * The margin table against the recount it stands in for: at every margin of the table, counts,
 * loss sum and per-anchor numbers are bit-identical to `countAtMargin` (itself checked against an
 * O(N^3) brute force in census.test.ts), with ties (integer embeddings: t == m and t == 0 occur),
 * all distances, any split of the anchors; the worst list from `worstAt` equals the recount's
 * whenever it answers; a hand-computed case pins the numbers themselves.
 */
import * as assert from 'node:assert/strict';
import { buildCensusIndex, countAtMargin, type CensusIndex } from '../../../src/engine/census';
import { partialsRound } from '../../../src/engine/censusMerge';
import { initBackend } from '../../../src/engine/distances';
import {
  marginTable,
  mergeMarginTable,
  mergeSmallestT,
  smallestT,
  tableCounts,
  type MarginTable,
} from '../../../src/engine/marginTable';
import { positionOf } from '../../../src/shared/marginTableView';
import { worstAt } from '../../../src/shared/worstAt';
import type { DistanceOptions, EngineInput } from '../../../src/engine/types';
import { makeInput } from '../../helpers/censusInput';

/** Every position of the table against countAtMargin at that margin. */
function checkAgainstRecount(index: CensusIndex, t: MarginTable, label: string): void {
  const n = t.n;
  t.margins.forEach((m, k) => {
    const r = countAtMargin(index, m, { topK: 0, classPairs: false, perAnchor: true });
    const c = tableCounts(t, k);
    const what = `${label} m=${m}`;
    assert.equal(c.triplets, r.triplets, `${what} triplets`);
    assert.deepEqual(c.pml, r.pml, `${what} pml`);
    assert.deepEqual(c.facenet, r.facenet, `${what} facenet`);
    assert.equal(c.nonZero, r.nonZero, `${what} nonZero`);
    assert.ok(Object.is(c.lossSum, r.lossSum), `${what} lossSum ${c.lossSum} vs ${r.lossSum}`);
    assert.ok(Object.is(c.meanLoss, r.meanLoss) && Object.is(c.meanLossNonZero, r.meanLossNonZero), `${what} means`);
    assert.deepEqual(
      Array.from(t.violAsAnchor.subarray(k * n, (k + 1) * n)),
      Array.from(r.perAnchor!.violAsAnchor),
      `${what} violAsAnchor`,
    );
    // The session sends the per-anchor loss as float32: the table stores exactly that.
    assert.deepEqual(
      t.lossAsAnchor.subarray(k * n, (k + 1) * n),
      Float32Array.from(r.perAnchor!.lossAsAnchor),
      `${what} lossAsAnchor`,
    );
  });
}

describe('engine/marginTable', function () {
  this.timeout(60000);
  before(() => initBackend());

  const margins = Float64Array.from([0, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 1.5, 2, 3, 4, 6]);
  const cases: [string, EngineInput, DistanceOptions][] = [
    ['euclidean', makeInput(60, 5, 4, 1), { distance: 'euclidean', normalize: false }],
    ['euclidean normalised', makeInput(60, 5, 4, 2), { distance: 'euclidean', normalize: true }],
    ['cosine', makeInput(50, 6, 3, 3), { distance: 'cosine', normalize: false }],
    // Integer coordinates: squared distances are integers, so t == m and t == 0 ties are everywhere.
    ['sqeuclidean ties', makeInput(70, 4, 5, 4, true), { distance: 'sqeuclidean', normalize: false }],
    ['euclidean ties', makeInput(70, 3, 4, 5, true), { distance: 'euclidean', normalize: false }],
    // One far outlier squeezes every anchor's other distances into a few equal-width buckets:
    // the search then leans on its galloping and binary steps.
    ['euclidean outlier', withOutlier(makeInput(90, 4, 3, 9)), { distance: 'euclidean', normalize: false }],
  ];
  for (const [label, input, opts] of cases) {
    it(`equals countAtMargin bit for bit at every margin: ${label}`, async () => {
      const index = await buildCensusIndex(input, opts);
      checkAgainstRecount(index, mergeMarginTable([marginTable(index, margins)], input.n), label);
    });
  }

  it('ties are really exercised: some t == m triplets separate the pml and facenet counts', async () => {
    const [, input, opts] = cases[3];
    const t = mergeMarginTable([marginTable(await buildCensusIndex(input, opts), margins)], input.n);
    const k = positionOf(t.margins, 2);
    assert.ok(t.violating[k] > t.violatingStrict[k], 'pml counts t == m, facenet does not');
    assert.ok(t.hard > t.hardStrict, 't == 0 triplets');
  });

  it('is the same whatever the split: chunks and worker ranges merged in any order', async () => {
    const input = makeInput(80, 5, 4, 6),
      opts: DistanceOptions = { distance: 'euclidean', normalize: false };
    const whole = mergeMarginTable([marginTable(await buildCensusIndex(input, opts), margins)], input.n);
    const left = await buildCensusIndex(input, opts, { anchorStart: 0, anchorEnd: 33 });
    const right = await buildCensusIndex(input, opts, { anchorStart: 33, anchorEnd: 80 });
    const parts = [
      marginTable(right, margins, 60, 80),
      marginTable(left, margins, 0, 7),
      marginTable(right, margins, 33, 60),
      marginTable(left, margins, 7, 33),
    ];
    const merged = mergeMarginTable(parts, input.n);
    assert.deepEqual(merged.violAsAnchor, whole.violAsAnchor);
    assert.deepEqual(merged.lossAsAnchor, whole.lossAsAnchor);
    assert.deepEqual(merged.violating, whole.violating);
    assert.deepEqual(merged.violatingStrict, whole.violatingStrict);
    assert.deepEqual([merged.triplets, merged.hard, merged.hardStrict], [whole.triplets, whole.hard, whole.hardStrict]);
    merged.lossPartials.forEach((p, k) =>
      assert.ok(Object.is(partialsRound(p), partialsRound(whole.lossPartials[k])), `loss at ${margins[k]}`),
    );
  });

  it('matches a case computed by hand', async () => {
    // 1-D: class 0 at 0 and 1, class 1 at 3. Triplets (a, p, n): (0, 1, 2): d(a,p) = 1, d(a,n) = 3, t = 2;
    // (1, 0, 2): d(a,p) = 1, d(a,n) = 2, t = 1. Class 1 has no positive.
    const input: EngineInput = {
      embeddings: Float32Array.from([0, 1, 3]),
      n: 3,
      dim: 1,
      labels: Int32Array.from([0, 0, 1]),
      classes: 2,
    };
    const t = mergeMarginTable(
      [
        marginTable(
          await buildCensusIndex(input, { distance: 'euclidean', normalize: false }),
          Float64Array.from([0, 1, 1.5, 2, 3]),
        ),
      ],
      3,
    );
    assert.deepEqual(Array.from(t.violating), [0, 1, 1, 2, 2]); // t <= m
    assert.deepEqual(Array.from(t.violatingStrict), [0, 0, 1, 1, 2]); // t < m
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((k) => tableCounts(t, k).lossSum),
      [0, 0, 0.5, 1, 3],
    ); // sum of max(0, m - t)
    assert.deepEqual(tableCounts(t, 3).pml, { easy: 0, semihard: 2, hard: 0, violating: 2 });
    assert.deepEqual(tableCounts(t, 3).facenet, { easy: 1, semihard: 1, hard: 0, violating: 1 });
    // Position-major per-anchor columns: at m = 1.5 only anchor 1 violates, with loss 0.5.
    assert.deepEqual(Array.from(t.violAsAnchor.subarray(2 * 3, 3 * 3)), [0, 1, 0]);
    assert.deepEqual(Array.from(t.lossAsAnchor.subarray(2 * 3, 3 * 3)), [0, 0.5, 0]);
  });

  it('handles a singleton class and a single class (no positives, no negatives) without a crash', async () => {
    const one: EngineInput = {
      embeddings: Float32Array.from([0, 1, 2]),
      n: 3,
      dim: 1,
      labels: Int32Array.from([0, 0, 0]),
      classes: 1,
    };
    const t1 = mergeMarginTable(
      [marginTable(await buildCensusIndex(one, { distance: 'euclidean', normalize: false }), margins)],
      3,
    );
    assert.equal(t1.triplets, 0);
    assert.deepEqual(tableCounts(t1, 3).pml, { easy: 0, semihard: 0, hard: 0, violating: 0 });
    const single = makeInput(30, 3, 3, 7);
    single.labels[0] = 2;
    single.labels[1] = 1;
    single.labels[2] = 0; // keep all classes present
    for (let i = 3; i < 30; i++) single.labels[i] = i % 2; // class 2 has one sample: no positive
    const index = await buildCensusIndex(single, { distance: 'euclidean', normalize: false });
    checkAgainstRecount(index, mergeMarginTable([marginTable(index, margins)], 30), 'singleton class');
  });

  it('rejects bad margins and ranges, and stops when asked', async () => {
    const input = makeInput(40, 3, 3, 8);
    const index = await buildCensusIndex(input, { distance: 'euclidean', normalize: false });
    assert.throws(() => marginTable(index, Float64Array.from([0, 0.2, 0.1])), /ascend/);
    assert.throws(() => marginTable(index, Float64Array.from([-1, 0.2])), />= 0/);
    assert.throws(() => marginTable(index, margins, 0, 41), /bad anchor range/);
    let polls = 0;
    assert.throws(
      () => marginTable(index, margins, 0, 40, () => ++polls > 3),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(polls, 4);
  });

  it('positionOf finds exact margins only', () => {
    const t = mergeMarginTable([{ ...emptyPart(), margins: Float64Array.from([0, 0.1, 0.2, 0.30000000000000004]) }], 0);
    assert.equal(positionOf(t.margins, 0.2), 2);
    assert.equal(positionOf(t.margins, 0.30000000000000004), 3);
    assert.equal(positionOf(t.margins, 0.3), -1);
    assert.equal(positionOf(t.margins, 0.15), -1);
  });

  describe('worst triplets at any margin from the smallest-t list', () => {
    for (const [label, input, opts] of [cases[0], cases[3]]) {
      it(`worstAt equals the recount's worst list whenever it answers: ${label}`, async () => {
        const topK = 6,
          count = topK + 32,
          limit = margins[margins.length - 1];
        const left = await buildCensusIndex(input, opts, { anchorStart: 0, anchorEnd: 30 });
        const right = await buildCensusIndex(input, opts, { anchorStart: 30, anchorEnd: input.n });
        const whole = await buildCensusIndex(input, opts);
        const { list, complete } = mergeSmallestT(
          [smallestT(left, limit, count), smallestT(right, limit, count)],
          count,
        );
        assert.equal(list.length, count);
        let answered = 0;
        for (const m of margins) {
          const w = worstAt(list, complete, limit, m, topK);
          if (!w) continue;
          answered++;
          assert.deepEqual(w, countAtMargin(whole, m, { topK }).worst, `${label} worst at m=${m}`);
        }
        // Real-valued distances: no tie at the list's end, every margin answered. Integer ones: ties
        // everywhere, it may decline (then the engine answers) but never answers wrongly.
        if (!/ties/.test(label)) assert.equal(answered, margins.length, 'every margin answered');
        assert.equal(worstAt(list, complete, limit, limit * 2, topK), undefined, 'beyond the limit it does not answer');
      });
    }

    it('declines when a tie crosses the end of the list; ranks ties inside it by ids', () => {
      const w = (anchor: number, dan: number) => ({ anchor, positive: 0, negative: 1, loss: -(dan - 1), dap: 1, dan });
      // (t, ids) order; outside triplets have t >= -0.25 and may have smaller ids than anchor 2.
      const list = [w(0, 0.5), w(1, 0.75), w(2, 0.75)];
      assert.equal(worstAt(list, false, 1, 0.5, 2), undefined, 'an outside t = -0.25 could rank before anchor 1');
      assert.deepEqual(
        worstAt(list, false, 1, 0.5, 1)?.map((x) => x.anchor),
        [0],
      );
      assert.deepEqual(
        worstAt(list, true, 1, 0.5, 2)?.map((x) => x.anchor),
        [0, 1],
        'complete: nothing outside',
      );
      assert.equal(worstAt(list, false, 1, 0.5, 3), undefined, 'needs more than k triplets');
      // Only triplets with loss > 0 (t = 0.5 has none at m = 0.3), ranked by loss then ids; the
      // last has no loss, so nothing outside can enter.
      const withEasy = [w(2, 0.5), w(0, 0.75), w(1, 0.75), w(3, 1.5)];
      assert.deepEqual(
        worstAt(withEasy, false, 1, 0.3, 3)?.map((x) => [x.anchor, x.loss]),
        [
          [2, 0.3 - (0.5 - 1)],
          [0, 0.3 - (0.75 - 1)],
          [1, 0.3 - (0.75 - 1)],
        ],
      );
      assert.equal(worstAt(list, false, 1, 1.5, 1), undefined, 'beyond the limit');
    });
  });
});

function withOutlier(input: EngineInput): EngineInput {
  for (let d = 0; d < input.dim; d++) input.embeddings[d] = 1000;
  return input;
}

function emptyPart() {
  return {
    anchorStart: 0,
    anchorEnd: 0,
    margins: new Float64Array(0),
    triplets: 0,
    hard: 0,
    hardStrict: 0,
    violating: new Float64Array(4),
    violatingStrict: new Float64Array(4),
    lossPartials: [[], [], [], []],
    violAsAnchor: new Uint32Array(0),
    lossAsAnchor: new Float32Array(0),
  };
}
