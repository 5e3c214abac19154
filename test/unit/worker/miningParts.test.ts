/**
 * Batch-hard and semi-hard (the worker's row-split mining) against brute force written from
 * definitions.md on the same float32 distances, a hand-computed case, and degenerate inputs.
 */
import * as assert from 'node:assert/strict';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';
import type { EngineInput } from '../../../src/engine/types';
import { batchHardPart, mergeBatchHard, mergeSemiHard, semiHardPart } from '../../../src/worker/miningParts';

function randomInput(n: number, dim: number, classes: number, seed: number, levels = 0): EngineInput {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  return {
    embeddings: Float32Array.from({ length: n * dim }, () => (levels ? Math.floor(r() * levels) : r() * 2 - 1)), n, dim,
    labels: Int32Array.from({ length: n }, () => Math.floor(r() * classes)), classes,
  };
}

const input1d = (xs: number[], labels: number[]): EngineInput =>
  ({ embeddings: Float32Array.from(xs), n: xs.length, dim: 1, labels: Int32Array.from(labels), classes: Math.max(...labels) + 1 });

async function batchHard(input: EngineInput, margin: number, soft: boolean) {
  return mergeBatchHard([await batchHardPart(input, { distance: 'euclidean', normalize: false })], margin, soft);
}
async function semiHard(input: EngineInput, margin: number) {
  return mergeSemiHard([await semiHardPart(input, { distance: 'euclidean', normalize: false }, margin)], margin);
}

describe('worker/miningParts', () => {
  it('hand-computed 1-D case', async () => {
    // A at 0, 1, 4; B at 2, 6. m = 0.5.
    const input = input1d([0, 1, 4, 2, 6], [0, 0, 0, 1, 1]);
    const bh = await batchHard(input, 0.5, false);
    // anchor 0: far pos 4 (d 4), near neg 2 (d 2): 0.5 + 4 - 2 = 2.5; anchor 1: pos 4 (3), neg 2 (1): 2.5;
    // anchor 2 (at 4): pos 0 (4), neg 2 or 6 (2, tie: index 3): 2.5; anchor 3 (B at 2): pos 6 (4), neg 1 (1): 3.5;
    // anchor 4 (B at 6): pos 2 (4), neg 4 (2): 2.5.
    assert.deepEqual(Array.from(bh.hardestPositive), [2, 2, 0, 4, 3]);
    assert.deepEqual(Array.from(bh.hardestNegative), [3, 3, 3, 1, 2]);
    assert.deepEqual(Array.from(bh.loss), [2.5, 2.5, 2.5, 3.5, 2.5]);
    assert.equal(bh.meanLoss, 13.5 / 5);
    const sh = await semiHard(input, 0.5);
    // (0,1): dap 1, negatives of 0 at 2, 6 -> 2: max(0, 1 - 2 + 0.5) = 0; (0,2): dap 4 -> 6: 0;
    // (1,0): dap 1, negs at 1, 5 -> 5: 0; (1,2): dap 3 -> 5: 0; (2,0): dap 4, negs at 2, 2 -> none > 4: farthest 2: 2.5;
    // (2,1): dap 3 -> farthest 2: 1.5; (3,4): dap 4, negs 2, 1, 2 -> none: farthest 2: 2.5; (4,3): dap 4, negs 6, 5, 2 -> 5: 0.
    assert.equal(sh.pairs, 8);
    assert.equal(sh.lossSum, 6.5);
    assert.equal(sh.nonZero, 3);
  });

  it('matches brute force on random and tied data, soft and hinge, and any split', async () => {
    for (const [input, margin] of [[randomInput(60, 3, 4, 1), 0.3], [randomInput(50, 2, 3, 2, 3), 1]] as [EngineInput, number][]) {
      const { n, dim, labels } = input;
      const d = distanceRows(prepareEmbeddings(input, false), n, dim, 0, n, 'euclidean');
      let bhSum = 0, bhN = 0, shSum = 0, shN = 0;
      for (let a = 0; a < n; a++) {
        const pos = [...Array(n).keys()].filter((j) => j !== a && labels[j] === labels[a]);
        const neg = [...Array(n).keys()].filter((j) => labels[j] !== labels[a]);
        if (!pos.length || !neg.length) continue;
        const dap = Math.max(...pos.map((p) => d[a * n + p]));
        const dan = Math.min(...neg.map((q) => d[a * n + q]));
        bhSum += Math.log(1 + Math.exp(margin + dap - dan));
        bhN++;
        for (const p of pos) {
          const ds = neg.map((q) => d[a * n + q]);
          const farther = ds.filter((v) => v > d[a * n + p]);
          const pick = farther.length ? Math.min(...farther) : Math.max(...ds);
          shSum += Math.max(0, d[a * n + p] - pick + margin);
          shN++;
        }
      }
      const soft = await batchHard(input, margin, true);
      assert.equal(soft.anchors, bhN);
      assert.ok(Math.abs(soft.meanLoss - bhSum / bhN) < 1e-12);
      const sh = await semiHard(input, margin);
      assert.equal(sh.pairs, shN);
      assert.ok(Math.abs(sh.meanLoss - shSum / shN) < 1e-12);
      const opts = { distance: 'euclidean' as const, normalize: false };
      const split = mergeSemiHard([await semiHardPart(input, opts, margin, { rowStart: 17, rowEnd: n }), await semiHardPart(input, opts, margin, { rowStart: 0, rowEnd: 17 })], margin);
      assert.deepEqual(split, sh);
      const bhSplit = mergeBatchHard([await batchHardPart(input, opts, { rowStart: 0, rowEnd: 9 }), await batchHardPart(input, opts, { rowStart: 9, rowEnd: n })], margin, true);
      assert.deepEqual(bhSplit, soft);
    }
  });

  it('degenerate inputs: one class, singletons, N = 2', async () => {
    const one = await batchHard(input1d([0, 1, 2], [0, 0, 0]), 0.2, false);
    assert.deepEqual([one.anchors, one.meanLoss, one.hardestNegative[0]], [0, 0, -1]);
    assert.ok(Number.isNaN(one.loss[0]));
    const oneSh = await semiHard(input1d([0, 1, 2], [0, 0, 0]), 0.2);
    assert.deepEqual([oneSh.pairs, oneSh.meanLoss], [0, 0]);
    const singles = await batchHard(input1d([0, 1, 2], [0, 1, 2]), 0.2, false);
    assert.equal(singles.anchors, 0);
    const two = await batchHard(input1d([0, 3], [0, 1]), 0.2, false);
    assert.equal(two.anchors, 0);
    const dup = await semiHard(input1d([1, 1, 1], [0, 0, 1]), 0.2);
    // dap 0, dan 0, nothing farther: the farthest negative (d 0): loss 0.2 for both pairs.
    assert.deepEqual([dup.pairs, dup.lossSum], [2, 0.4]);
  });
});
