/**
 * The snapshot diff against an O(N^3) brute force written here on the same float32 distances
 * (distanceRows' output): per-sample counts and losses, the 3 x 3 transition matrix, class pairs,
 * both conventions, integer embeddings (ties t == 0 and t == m), and bad input.
 */
import * as assert from 'node:assert/strict';
import { diffSnapshots, CATEGORIES } from '../../../src/engine/diff';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';
import type { Convention, DistanceKind, DistanceOptions, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';

/** Two snapshots of the same labelled samples; B moves some samples of A. */
function pair(n: number, dim: number, classes: number, seed: number, integer: boolean): [EngineInput, EngineInput] {
  const r = rng(seed);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i < classes ? i : Math.floor(r() * classes);
  const ea = new Float32Array(n * dim),
    eb = new Float32Array(n * dim);
  for (let i = 0; i < n * dim; i++) {
    ea[i] = integer ? Math.floor(r() * 4) - 1 : r() * 2 - 1;
    eb[i] = r() < 0.4 ? (integer ? Math.floor(r() * 4) - 1 : r() * 2 - 1) : ea[i];
  }
  return [
    { embeddings: ea, n, dim, labels, classes },
    { embeddings: eb, n, dim, labels, classes },
  ];
}

function category(t: number, m: number, c: Convention): number {
  // index into CATEGORIES: 0 easy, 1 semihard, 2 hard
  if (c === 'pml') return t > m ? 0 : t > 0 ? 1 : 2;
  return t >= m ? 0 : t >= 0 ? 1 : 2;
}

function brute(a: EngineInput, b: EngineInput, o: DistanceOptions, m: number, c: Convention) {
  const { n, labels, classes } = a;
  const da = distanceRows(prepareEmbeddings(a, o.normalize), n, a.dim, 0, n, o.distance);
  const db = distanceRows(prepareEmbeddings(b, o.normalize), n, b.dim, 0, n, o.distance);
  const T = new Float64Array(9),
    violA = new Float64Array(n),
    violB = new Float64Array(n),
    lossA = new Float64Array(n),
    lossB = new Float64Array(n);
  const pa = new Float64Array(classes * classes),
    pb = new Float64Array(classes * classes);
  for (let x = 0; x < n; x++)
    for (let p = 0; p < n; p++) {
      if (p === x || labels[p] !== labels[x]) continue;
      for (let q = 0; q < n; q++) {
        if (labels[q] === labels[x]) continue;
        const tA = da[x * n + q] - da[x * n + p],
          tB = db[x * n + q] - db[x * n + p];
        const ca = category(tA, m, c),
          cb = category(tB, m, c);
        T[3 * ca + cb]++;
        if (ca > 0) {
          violA[x]++;
          pa[labels[x] * classes + labels[q]]++;
        }
        if (cb > 0) {
          violB[x]++;
          pb[labels[x] * classes + labels[q]]++;
        }
        lossA[x] += Math.max(0, m - tA);
        lossB[x] += Math.max(0, m - tB);
      }
    }
  return { T, violA, violB, lossA, lossB, pa, pb };
}

function close(x: number, y: number, what: string): void {
  assert.ok(Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y)), `${what}: ${x} vs ${y}`);
}

describe('diffSnapshots', () => {
  const cases: [DistanceKind, boolean, boolean][] = [
    ['sqeuclidean', false, true],
    ['euclidean', false, true],
    ['euclidean', true, false],
    ['cosine', false, false],
  ];
  for (const [distance, normalize, integer] of cases) {
    for (const convention of ['pml', 'facenet'] as Convention[]) {
      it(`matches brute force: ${distance}${normalize ? ' normalised' : ''}, ${integer ? 'integer (ties)' : 'continuous'}, ${convention}`, async () => {
        const [a, b] = pair(37, 3, 4, distance.length * 7 + (integer ? 1 : 0), integer);
        const margins = integer ? [0, 1, 2] : [0, 0.2, 0.7];
        for (const m of margins) {
          const o = { distance, normalize };
          const r = await diffSnapshots(a, b, { ...o, margin: m, convention, top: 1000 });
          const br = brute(a, b, o, m, convention);
          assert.deepEqual([...r.transitions], [...br.T], `transitions at m = ${m}`);
          const sum = (arr: Float64Array, from: number, to: number, step: number): number => {
            let s = 0;
            for (let i = from; i < to; i += step) s += arr[i];
            return s;
          };
          assert.equal(r.a.hard, sum(br.T, 6, 9, 1));
          assert.equal(r.b.easy, sum(br.T, 0, 9, 3));
          assert.equal(r.a.violating, sum(br.violA, 0, a.n, 1));
          assert.equal(r.stayedHard, br.T[8]);
          assert.equal(r.becameEasy, br.T[3] + br.T[6]);
          assert.equal(r.turnedHard, br.T[2] + br.T[5]);
          assert.deepEqual([...r.violA], [...br.violA]);
          assert.deepEqual([...r.violB], [...br.violB]);
          assert.deepEqual([...r.classPairsA], [...br.pa]);
          assert.deepEqual([...r.classPairsB], [...br.pb]);
          for (let i = 0; i < a.n; i++) {
            close(r.lossA[i], br.lossA[i], `lossA[${i}]`);
            close(r.dLoss[i], br.lossB[i] - br.lossA[i], `dLoss[${i}]`);
            assert.equal(r.dViolating[i], br.violB[i] - br.violA[i]);
          }
          // worsened: exactly the samples with a larger loss (or equal loss, more violating), sorted
          const expected = [...Array(a.n).keys()].filter(
            (i) => r.dLoss[i] > 0 || (r.dLoss[i] === 0 && r.dViolating[i] > 0),
          );
          assert.deepEqual(
            r.worsened.map((w) => w.index).sort((x, y) => x - y),
            expected,
          );
          for (let k = 1; k < r.worsened.length; k++) assert.ok(r.worsened[k - 1].dLoss >= r.worsened[k].dLoss);
          for (const p of r.worsenedPairs)
            assert.equal(
              p.delta,
              br.pb[p.anchorClass * a.classes + p.negativeClass] - br.pa[p.anchorClass * a.classes + p.negativeClass],
            );
        }
      });
    }
  }

  it('a snapshot compared with itself changes nothing', async () => {
    const [a] = pair(30, 4, 3, 5, false);
    const r = await diffSnapshots(a, a, { distance: 'euclidean', normalize: false, margin: 0.3, convention: 'pml' });
    assert.equal(
      r.transitions[1] + r.transitions[2] + r.transitions[3] + r.transitions[5] + r.transitions[6] + r.transitions[7],
      0,
    );
    assert.equal(r.worsened.length, 0);
    assert.equal(r.worsenedPairs.length, 0);
    assert.equal(CATEGORIES[0], 'easy');
  });

  it('a hand-computed case: one anchor, one positive, one negative moving closer', async () => {
    // 1-D: anchor 0 at 0, positive 1 at 1, negative 2 at 3 (A) then at 0.5 (B), m = 1, euclidean.
    const labels = Int32Array.from([0, 0, 1]);
    const a: EngineInput = { embeddings: Float32Array.from([0, 1, 3]), n: 3, dim: 1, labels, classes: 2 };
    const b: EngineInput = { embeddings: Float32Array.from([0, 1, 0.5]), n: 3, dim: 1, labels, classes: 2 };
    const r = await diffSnapshots(a, b, { distance: 'euclidean', normalize: false, margin: 1, convention: 'pml' });
    // anchor 0: t_A = 3 - 1 = 2 (easy), t_B = 0.5 - 1 = -0.5 (hard, loss 1.5)
    // anchor 1: t_A = 2 - 1 = 1 (semi-hard, loss 0), t_B = 0.5 - 1 = -0.5 (hard, loss 1.5)
    assert.equal(r.a.triplets, 2);
    assert.equal(r.transitions[0 * 3 + 2], 1);
    assert.equal(r.transitions[1 * 3 + 2], 1);
    assert.equal(r.turnedHard, 2);
    assert.deepEqual([...r.dLoss], [1.5, 1.5, 0]);
    assert.deepEqual([...r.dViolating], [1, 0, 0]);
    assert.deepEqual(
      r.worsened.map((w) => w.index),
      [0, 1],
    );
    assert.deepEqual(
      r.worsenedPairs.map((p) => [p.anchorClass, p.negativeClass, p.delta]),
      [[0, 1, 1]],
    );
  });

  it('stops with an AbortError when cancelled', async () => {
    const [a, b] = pair(20, 2, 2, 9, false);
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(
      diffSnapshots(
        a,
        b,
        { distance: 'euclidean', normalize: false, margin: 0.1, convention: 'pml' },
        { signal: ctl.signal },
      ),
      { name: 'AbortError' },
    );
  });

  it('refuses snapshots of different samples or labels', async () => {
    const [a, b] = pair(10, 2, 2, 3, false);
    const c = { ...b, labels: b.labels.slice(), n: b.n };
    c.labels[4] = 1 - c.labels[4];
    const o = { distance: 'euclidean' as const, normalize: false, margin: 0.1, convention: 'pml' as const };
    await assert.rejects(diffSnapshots(a, c, o), /labels differ \(first at sample 4\)/);
    await assert.rejects(
      diffSnapshots(a, { ...b, n: 9, labels: b.labels.subarray(0, 9) }, o),
      /different numbers of samples/,
    );
  });
});
