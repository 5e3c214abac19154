import * as assert from 'node:assert/strict';
import { answerAt, nearestPosition } from '../../../src/shared/tableAnswer';
import type { MarginAnswers } from '../../../src/shared/marginTableView';
import type { TripletRow } from '../../../src/shared/model';

const row = (anchor: number, dap: number, dan: number): TripletRow => ({
  anchor,
  positive: 9,
  negative: 8,
  loss: dap - dan,
  dap,
  dan,
});

/** 3 positions, 100 triplets; t of the smallest triplets: -0.5, -0.25, 0.05, 0.5 (more beyond the list). */
function table(): MarginAnswers {
  return {
    margins: Float64Array.from([0, 0.1, 0.2]),
    triplets: 100,
    hard: 10,
    hardStrict: 8,
    violating: Float64Array.from([10, 30, 50]),
    violatingStrict: Float64Array.from([8, 29, 50]),
    lossSum: Float64Array.from([0, 1.5, 4]),
    batchHardLoss: Float64Array.from([0.3, 0.35, 0.4]),
    batchHardViolating: Float64Array.from([5, 6, 7]),
    smallest: [row(0, 1, 0.5), row(1, 1, 0.75), row(2, 1, 1.05), row(3, 1, 1.5)],
    complete: false,
    limit: 0.2,
    topK: 2,
  };
}

describe('shared/tableAnswer', () => {
  it('answers a position: its counts under both conventions, means, batch-hard and the worst list', () => {
    const a = answerAt(table(), 0.1, 2)!;
    assert.equal(a.k, 1);
    assert.equal(a.margin, 0.1);
    assert.equal(a.exact, true);
    assert.deepEqual(a.pml, { easy: 70, semihard: 20, hard: 10, violating: 30 });
    assert.deepEqual(a.facenet, { easy: 71, semihard: 21, hard: 8, violating: 29 });
    assert.equal(a.lossSum, 1.5);
    assert.equal(a.meanLoss, 1.5 / 100);
    assert.equal(a.meanLossNonZero, 1.5 / 29);
    assert.deepEqual(a.batchHard, { meanLoss: 0.35, violatingAnchors: 6 });
    assert.deepEqual(
      a.worst.map((w) => [w.anchor, w.loss]),
      [
        [0, 0.1 - (0.5 - 1)],
        [1, 0.1 - (0.75 - 1)],
      ],
    );
  });

  it('a margin between positions: none, or the nearest position said so (streaming)', () => {
    assert.equal(answerAt(table(), 0.13, 2), undefined);
    const a = answerAt(table(), 0.13, 2, true)!;
    assert.equal(a.k, 1);
    assert.equal(a.margin, 0.1);
    assert.equal(a.exact, false);
    assert.equal(answerAt(table(), 0.16, 2, true)!.margin, 0.2);
    assert.equal(nearestPosition(Float64Array.from([0, 0.1]), Number.NaN), -1);
    assert.equal(nearestPosition(new Float64Array(0), 0.1), -1);
  });

  it('declines a longer worst list than the table decides, or a tie across the end of its list', () => {
    assert.equal(answerAt(table(), 0.1, 3), undefined);
    assert.equal(answerAt(table(), 0.1, -1), undefined);
    const tie = table();
    tie.smallest = [row(0, 1, 0.5), row(1, 1, 0.5), row(2, 1, 0.5)];
    assert.equal(answerAt(tie, 0.1, 2), undefined);
    const all = table();
    all.complete = true;
    assert.equal(answerAt(all, 0.1, 0)!.worst.length, 0);
  });
});
