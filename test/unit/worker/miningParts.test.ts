/**
 * Merging per-range mining results: any split of the anchors, merged, equals the single-range
 * engine result bit for bit; plus a hand-computed case and degenerate inputs through the merge.
 */
import * as assert from 'node:assert/strict';
import { buildCensusIndex } from '../../../src/engine/census';
import { batchHardFromIndex, semihardSelection } from '../../../src/engine/mining';
import type { EngineInput } from '../../../src/engine/types';
import { mergeBatchHard, mergeSemihard } from '../../../src/worker/miningParts';

function randomInput(n: number, dim: number, classes: number, seed: number, levels = 0): EngineInput {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  return {
    embeddings: Float32Array.from({ length: n * dim }, () => (levels ? Math.floor(r() * levels) : r() * 2 - 1)),
    n,
    dim,
    labels: Int32Array.from({ length: n }, () => Math.floor(r() * classes)),
    classes,
  };
}

const input1d = (xs: number[], labels: number[]): EngineInput => ({
  embeddings: Float32Array.from(xs),
  n: xs.length,
  dim: 1,
  labels: Int32Array.from(labels),
  classes: Math.max(...labels) + 1,
});

const opts = { distance: 'euclidean' as const, normalize: false };

/** Batch-hard and semi-hard of `input` computed on the given anchor split, merged. */
async function split(input: EngineInput, cuts: number[], margin: number, soft: boolean) {
  const bounds = [0, ...cuts, input.n];
  const bh = [],
    sh = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const index = await buildCensusIndex(input, opts, { anchorStart: bounds[i], anchorEnd: bounds[i + 1] });
    bh.push({
      range: { rowStart: bounds[i], rowEnd: bounds[i + 1] },
      result: batchHardFromIndex(index, margin, { soft }),
    });
    sh.push(semihardSelection(index, margin));
  }
  return { bh: mergeBatchHard(bh), sh: mergeSemihard(sh.reverse()) };
}

describe('worker/miningParts (merging per-worker mining)', () => {
  it('any split merges to the single-range result, bit for bit', async () => {
    for (const [input, margin] of [
      [randomInput(70, 3, 4, 1), 0.3],
      [randomInput(60, 2, 3, 2, 3), 1],
    ] as [EngineInput, number][]) {
      const whole = await buildCensusIndex(input, opts);
      for (const soft of [false, true]) {
        const want = batchHardFromIndex(whole, margin, { soft });
        for (const cuts of [[], [35], [1, 20, 59]]) {
          const got = await split(input, cuts, margin, soft);
          assert.deepEqual(got.bh, want, `batch-hard, cuts ${cuts}`);
          assert.deepEqual(got.sh, semihardSelection(whole, margin), `semi-hard, cuts ${cuts}`);
        }
      }
    }
  });

  it('hand-computed 1-D case through the merge', async () => {
    // A at 0, 1, 4; B at 2, 6. m = 0.5. Batch-hard per anchor: 2.5, 2.5, 2.5 (tie between
    // negatives 3 and 4 at d 2: index 3), 3.5, 2.5. Semi-hard over the 8 (a, p) pairs: 6.5 in all.
    const { bh, sh } = await split(input1d([0, 1, 4, 2, 6], [0, 0, 0, 1, 1]), [2], 0.5, false);
    assert.deepEqual(Array.from(bh.hardestPositive), [2, 2, 0, 4, 3]);
    assert.deepEqual(Array.from(bh.hardestNegative), [3, 3, 3, 1, 2]);
    assert.deepEqual(Array.from(bh.loss), [2.5, 2.5, 2.5, 3.5, 2.5]);
    assert.deepEqual([bh.validAnchors, bh.violatingAnchors, bh.meanLoss], [5, 5, 13.5 / 5]);
    assert.equal(sh.pairs, 8);
    assert.equal(sh.meanLoss, 6.5 / 8);
    assert.deepEqual(Array.from(sh.anchor), [0, 0, 1, 1, 2, 2, 3, 4]);
  });

  it('degenerate inputs: one class, singletons, duplicates, N = 2', async () => {
    const one = await split(input1d([0, 1, 2], [0, 0, 0]), [1], 0.2, false);
    assert.deepEqual([one.bh.validAnchors, one.bh.meanLoss, one.sh.pairs, one.sh.meanLoss], [0, 0, 6, 0]);
    const singles = await split(input1d([0, 1, 2], [0, 1, 2]), [2], 0.2, false);
    assert.deepEqual([singles.bh.validAnchors, singles.sh.pairs], [0, 0]);
    const two = await split(input1d([0, 3], [0, 1]), [1], 0.2, false);
    assert.equal(two.bh.validAnchors, 0);
    // Duplicates: d(a,p) = d(a,n) = 0, nothing farther than the positive: fall back to the farthest.
    const dup = await split(input1d([1, 1, 1], [0, 0, 1]), [1], 0.2, false);
    assert.deepEqual([dup.sh.pairs, dup.sh.fallbacks, dup.sh.meanLoss], [2, 2, 0.2]);
    assert.deepEqual([dup.bh.validAnchors, dup.bh.meanLoss], [2, 0.2]);
  });
});
