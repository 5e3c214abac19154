import * as assert from 'node:assert/strict';
import { labelErrorMethod, labelSuspects, labelSuspectsCsv } from '../../../src/analysis/labelErrors';

describe('suspected label errors from the nearest neighbours', () => {
  // 6 samples, k = 3; labels 0 0 0 1 1 2.
  const labels = Int32Array.from([0, 0, 0, 1, 1, 2]);
  const knn = Int32Array.from([
    3,
    4,
    1, // sample 0: two of class 1, one of 0 -> score 2/3, suggested 1 (2 votes)
    0,
    2,
    3, // sample 1: own class mostly -> not a suspect
    5,
    3,
    0, // sample 2: 2, 1, 0 one each -> tie, the nearest (class 2) wins; score 2/3
    4,
    0,
    1, // sample 3: one of 1, two of 0 -> suggested 0, score 2/3
    0,
    1,
    2, // sample 4: all class 0 -> score 1, suggested 0
    3,
    4,
    0, // sample 5: 1, 1, 0 -> suggested 1, score 1
  ]);
  it('scores, suggests and ranks by hand', () => {
    const s = labelSuspects(knn, 3, labels, 3);
    assert.deepEqual(
      s.map((x) => [x.index, x.suggested, Math.round(x.score * 3), x.support]),
      [
        [4, 0, 3, 3], // score 1, support 3
        [5, 1, 3, 2], // score 1, support 2
        [0, 1, 2, 2], // 2/3, support 2, index 0
        [3, 0, 2, 2], // 2/3, support 2, index 3
        [2, 2, 2, 1], // 2/3, support 1 (the tie went to the nearest)
      ],
    );
    assert.ok(!s.some((x) => x.index === 1));
  });
  it('a tie goes to the label of the nearest of the tied, not the label that reached the count first', () => {
    // Sample 0 (label 0), k = 10, neighbours nearest first: 0 1 1 0 0 1 1 0 1 0 -> 5 votes each; the nearest is class
    // 0: not a suspect.
    const ls = Int32Array.from([0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const row = Int32Array.from([1, 2, 4, 3, 5, 6, 8, 7, 10, 9]);
    const table = new Int32Array(11 * 10);
    table.set(row, 0);
    for (let i = 1; i < 11; i++)
      table.set(
        Int32Array.from({ length: 10 }, (_, t) => ((i + 1 + t) % 11 === i ? (i + 12) % 11 : (i + 1 + t) % 11)),
        i * 10,
      );
    assert.ok(!labelSuspects(table, 10, ls, 2).some((x) => x.index === 0), 'sample 0 keeps its own label');
    // Reversed roles: the nearest is class 1 -> suspect with suggested 1 and score 0.5.
    table.set(Int32Array.from([2, 1, 3, 4, 6, 5, 7, 8, 9, 10]), 0);
    const s0 = labelSuspects(table, 10, ls, 2).find((x) => x.index === 0)!;
    assert.deepEqual([s0.suggested, s0.score, s0.support], [1, 0.5, 5]);
  });

  it('k = 0 or a wrong table size', () => {
    assert.deepEqual(labelSuspects(new Int32Array(0), 0, labels, 3), []);
    assert.throws(() => labelSuspects(new Int32Array(5), 1, labels, 3), RangeError);
  });
  it('CSV with a header and quoted cells (RFC 4180)', () => {
    const csv = labelSuspectsCsv(
      [{ index: 4, label: 1, suggested: 0, score: 1, support: 3 }],
      ['cat, big', 'dog "x"'],
      () => 'img/a,b.png',
    );
    assert.equal(csv, 'index,path,label,suggested_label,score\r\n4,"img/a,b.png","dog ""x""","cat, big",1\r\n');
  });
  it('names its method', () => {
    assert.match(
      labelErrorMethod(10, 'cosine'),
      /share of the 10 nearest neighbours \(cosine distance, original space\) with another label/,
    );
  });
});
