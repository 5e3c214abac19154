/**
 * The census against an O(N^3) brute force written here, on the SAME float32 distances
 * (distanceRows' output): counts exact, loss sums to 1e-9 relative, both conventions, all
 * distances, margins including ties (integer embeddings) and boundary margins; ranges merged
 * bit-identically; degenerate inputs; a case computed by hand from definitions.md.
 */
import * as assert from 'node:assert/strict';
import {
  buildCensusIndex,
  countAtMargin,
  fastRecountReady,
  mergeCensus,
  prepareFastRecount,
  tHistogram,
  validTriplets,
} from '../../../src/engine/census';
import type { CensusResult, WorstTriplet } from '../../../src/engine/census';
import { distanceRows, initBackend, prepareEmbeddings, setKernelMode } from '../../../src/engine/distances';
import { checkInvariant } from '../../../src/engine/censusMerge';
import type { DistanceKind, DistanceOptions, EngineInput } from '../../../src/engine/types';
import { makeInput } from '../../helpers/censusInput';

interface Brute {
  triplets: number;
  pml: number[];
  facenet: number[];
  lossSum: number;
  nonZero: number;
  violA: Float64Array;
  violP: Float64Array;
  violN: Float64Array;
  lossA: Float64Array;
  classPairs: Float64Array;
  worst: WorstTriplet[];
  nearest: Int32Array;
  hist: (edges: number[]) => number[];
}

/** Every valid triplet enumerated, on the same distances the census reads. */
function brute(input: EngineInput, opts: DistanceOptions, m: number, topK: number): Brute {
  const { n, dim, labels, classes } = input;
  const d = distanceRows(prepareEmbeddings(input, opts.normalize), n, dim, 0, n, opts.distance);
  const b: Brute = {
    triplets: 0,
    pml: [0, 0, 0, 0],
    facenet: [0, 0, 0, 0],
    lossSum: 0,
    nonZero: 0,
    violA: new Float64Array(n),
    violP: new Float64Array(n),
    violN: new Float64Array(n),
    lossA: new Float64Array(n),
    classPairs: new Float64Array(classes * classes),
    worst: [],
    nearest: new Int32Array(n).fill(-1),
    hist: () => [],
  };
  const ts: number[] = [];
  const all: WorstTriplet[] = [];
  for (let a = 0; a < n; a++) {
    let best = Infinity;
    for (let x = 0; x < n; x++)
      if (labels[x] !== labels[a] && d[a * n + x] < best) {
        best = d[a * n + x];
        b.nearest[a] = x;
      }
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let ng = 0; ng < n; ng++) {
        if (labels[ng] === labels[a]) continue;
        const dap = d[a * n + p],
          dan = d[a * n + ng],
          t = dan - dap,
          loss = Math.max(0, m - t);
        b.triplets++;
        ts.push(t);
        // pml: easy t > m, semi 0 < t <= m, hard t <= 0; facenet: easy t >= m, semi 0 <= t < m, hard t < 0
        b.pml[t > m ? 0 : t > 0 ? 1 : 2]++;
        b.facenet[t >= m ? 0 : t >= 0 ? 1 : 2]++;
        if (t <= m) {
          b.pml[3]++;
          b.violA[a]++;
          b.violP[p]++;
          b.violN[ng]++;
          b.classPairs[labels[a] * classes + labels[ng]]++;
        }
        if (t < m) b.facenet[3]++;
        if (loss > 0) {
          b.nonZero++;
          all.push({ anchor: a, positive: p, negative: ng, loss, dap, dan });
        }
        b.lossSum += loss;
        b.lossA[a] += loss;
      }
    }
  }
  all.sort((x, y) => y.loss - x.loss || x.anchor - y.anchor || x.positive - y.positive || x.negative - y.negative);
  b.worst = all.slice(0, topK);
  b.hist = (edges) =>
    edges
      .slice(0, -1)
      .map(
        (_, i) => ts.filter((t) => (i === 0 || t >= edges[i]) && (i === edges.length - 2 || t < edges[i + 1])).length,
      );
  return b;
}

function relClose(x: number, y: number, tol = 1e-9): void {
  assert.ok(Math.abs(x - y) <= tol * Math.max(1, Math.abs(y)), `${x} vs ${y}`);
}

function check(res: CensusResult, b: Brute, label: string): void {
  const counts = (c: CensusResult['pml']): number[] => [c.easy, c.semihard, c.hard, c.violating];
  assert.equal(res.triplets, b.triplets, `${label} triplets`);
  assert.deepEqual(counts(res.pml), b.pml, `${label} pml`);
  assert.deepEqual(counts(res.facenet), b.facenet, `${label} facenet`);
  assert.equal(res.nonZero, b.nonZero, `${label} nonZero`);
  relClose(res.lossSum, b.lossSum);
  relClose(res.meanLoss, b.triplets ? b.lossSum / b.triplets : 0);
  relClose(res.meanLossNonZero, b.nonZero ? b.lossSum / b.nonZero : 0);
  assert.deepEqual(Array.from(res.classPairs), Array.from(b.classPairs), `${label} classPairs`);
  assert.deepEqual(Array.from(res.nearestImpostor), Array.from(b.nearest), `${label} nearest impostor`);
  assert.deepEqual(
    res.worst.map((w) => [w.anchor, w.positive, w.negative]),
    b.worst.map((w) => [w.anchor, w.positive, w.negative]),
    `${label} worst`,
  );
  res.worst.forEach((w, k) => {
    relClose(w.loss, b.worst[k].loss, 1e-12);
    assert.equal(w.dap, b.worst[k].dap);
    assert.equal(w.dan, b.worst[k].dan);
  });
  if (res.perSample) {
    assert.deepEqual(Array.from(res.perSample.violAsAnchor), Array.from(b.violA), `${label} violAsAnchor`);
    assert.deepEqual(Array.from(res.perSample.violAsPositive), Array.from(b.violP), `${label} violAsPositive`);
    assert.deepEqual(Array.from(res.perSample.violAsNegative), Array.from(b.violN), `${label} violAsNegative`);
    res.perSample.lossAsAnchor.forEach((x, i) => relClose(x, b.lossA[i]));
  }
  if (res.perAnchor) {
    assert.deepEqual(Array.from(res.perAnchor.violAsAnchor), Array.from(b.violA), `${label} perAnchor.violAsAnchor`);
    res.perAnchor.lossAsAnchor.forEach((x, i) => relClose(x, b.lossA[i]));
  }
}

describe('census: exact against brute force', function () {
  this.timeout(60000);
  const kinds: DistanceKind[] = ['euclidean', 'sqeuclidean', 'cosine'];

  for (const [n, dim, classes] of [
    [12, 3, 3],
    [47, 5, 4],
    [75, 8, 6],
  ]) {
    for (const distance of kinds) {
      for (const normalize of [false, true]) {
        it(`N=${n} ${distance}${normalize ? ' normalised' : ''}: every margin, both conventions`, async () => {
          const input = makeInput(n, dim, classes, n * 7 + dim);
          const opts = { distance, normalize };
          const index = await buildCensusIndex(input, opts);
          // Boundary margins: a margin equal to one of the triplets' own t values.
          const d = distanceRows(prepareEmbeddings(input, normalize), n, dim, 0, n, distance);
          const tie = Math.abs(d[0 * n + n - 1] - d[0 * n + 1]);
          for (const m of [0, 0.05, 0.2, 1, 3, tie]) {
            check(countAtMargin(index, m, { topK: 15, perSample: true }), brute(input, opts, m, 15), `m=${m}`);
          }
        });
      }
    }
  }

  for (const distance of kinds) {
    it(`integer embeddings (ties t == 0 and t == m) with ${distance}`, async () => {
      const input = makeInput(60, 4, 5, 99, true);
      const opts = { distance, normalize: false };
      const index = await buildCensusIndex(input, opts);
      for (const m of [0, 1, 2, 3, 0.5, 5])
        check(countAtMargin(index, m, { topK: 30, perSample: true }), brute(input, opts, m, 30), `m=${m}`);
    });
  }

  it('a far outlier squeezes every other distance into a few sort buckets (the radix fallback), ties too: still exact', async () => {
    const input = makeInput(300, 4, 6, 123);
    input.embeddings.fill(1e6, 0, 4); // sample 0 is a million away: one bucket holds nearly all of every other row
    const ties = makeInput(300, 3, 5, 124, true); // few distinct distances: buckets of equal keys
    for (const [label, x, opts] of [
      ['outlier', input, { distance: 'euclidean', normalize: false }],
      ['ties', ties, { distance: 'sqeuclidean', normalize: false }],
    ] as const) {
      const index = await buildCensusIndex(x, opts);
      for (const m of [0, 0.5, 2])
        check(countAtMargin(index, m, { topK: 10, perSample: true }), brute(x, opts, m, 10), `${label} m=${m}`);
    }
  });

  it('ties really happen in the integer case (the test above can fail)', () => {
    const input = makeInput(60, 4, 5, 99, true);
    const b = brute(input, { distance: 'sqeuclidean', normalize: false }, 1, 0);
    assert.notEqual(b.pml[1], b.facenet[1], 'pml and facenet must differ on t == m ties');
  });

  it('anchor ranges merge to exactly the single-range result (any split)', async () => {
    const input = makeInput(80, 6, 5, 5);
    const opts: DistanceOptions = { distance: 'euclidean', normalize: true };
    const whole = countAtMargin(await buildCensusIndex(input, opts), 0.2, {
      topK: 10,
      perSample: true,
      perAnchor: true,
    });
    for (const cuts of [
      [0, 80],
      [0, 1, 80],
      [0, 33, 34, 80],
      [0, 20, 40, 60, 80],
    ]) {
      const parts: CensusResult[] = [];
      for (let k = 0; k + 1 < cuts.length; k++) {
        parts.push(
          countAtMargin(await buildCensusIndex(input, opts, { anchorStart: cuts[k], anchorEnd: cuts[k + 1] }), 0.2, {
            topK: 10,
            perSample: true,
            perAnchor: true,
          }),
        );
      }
      // The partials may differ in representation; the rounded sum and everything else may not.
      const merged = mergeCensus(parts, 10);
      assert.equal(merged.lossSum, whole.lossSum);
      assert.deepEqual({ ...merged, lossSumPartials: [] }, { ...whole, lossSumPartials: [] }, `cuts ${cuts}`);
    }
  });

  it('classPairs: false (search path) gives the same counts and a bit-identical loss sum', async () => {
    for (const integer of [false, true]) {
      const input = makeInput(70, 4, 5, 21, integer);
      const opts: DistanceOptions = { distance: integer ? 'sqeuclidean' : 'euclidean', normalize: !integer };
      const index = await buildCensusIndex(input, opts);
      for (const m of integer ? [0, 1, 2, 4] : [0, 0.1, 0.3, 1]) {
        const full = countAtMargin(index, m, { topK: 5 }),
          fast = countAtMargin(index, m, { topK: 5, classPairs: false });
        assert.equal(fast.classPairs.length, 0);
        assert.deepEqual(
          { ...fast, classPairs: null, lossSumPartials: [] },
          { ...full, classPairs: null, lossSumPartials: [] },
          `m=${m}`,
        );
        check({ ...fast, classPairs: full.classPairs }, brute(input, opts, m, 5), `fast m=${m}`);
        // perAnchor stays on the fast path (no class pairs) and is exact per anchor, ties included.
        const withAnchors = countAtMargin(index, m, { topK: 5, classPairs: false, perAnchor: true });
        assert.equal(withAnchors.classPairs.length, 0);
        assert.ok(withAnchors.perAnchor && !withAnchors.perSample);
        check({ ...withAnchors, classPairs: full.classPairs }, brute(input, opts, m, 5), `fast perAnchor m=${m}`);
        assert.equal(withAnchors.lossSum, fast.lossSum);
      }
    }
  });

  it('t histogram matches the brute force, bins add up to the triplet count', async () => {
    const input = makeInput(50, 4, 4, 3, true);
    const opts: DistanceOptions = { distance: 'sqeuclidean', normalize: false };
    const edges = [-4, -2, -1, 0, 1, 2, 4];
    const h = tHistogram(await buildCensusIndex(input, opts), Float64Array.from(edges));
    const b = brute(input, opts, 0, 0);
    assert.deepEqual(Array.from(h), b.hist(edges));
    assert.equal(
      h.reduce((s, x) => s + x, 0),
      validTriplets(input.labels, input.classes),
    );
    // Continuous distances, many edges (the searches gallop from edge to edge).
    const input2 = makeInput(60, 5, 4, 8),
      opts2: DistanceOptions = { distance: 'euclidean', normalize: true };
    const edges2 = Array.from({ length: 41 }, (_, k) => -1 + k * 0.05);
    assert.deepEqual(
      Array.from(tHistogram(await buildCensusIndex(input2, opts2), Float64Array.from(edges2))),
      brute(input2, opts2, 0, 0).hist(edges2),
    );
  });

  it('the wasm GEMM kernel gives the same census as the brute force on its own distances', async function () {
    if ((await initBackend()) === 'js') this.skip();
    setKernelMode('tfjs');
    try {
      const input = makeInput(70, 16, 5, 11);
      for (const distance of kinds) {
        const opts = { distance, normalize: true };
        const index = await buildCensusIndex(input, opts);
        for (const m of [0, 0.1, 0.3])
          check(
            countAtMargin(index, m, { topK: 10, perSample: true }),
            brute(input, opts, m, 10),
            `${distance} m=${m}`,
          );
      }
    } finally {
      setKernelMode('auto');
    }
  });
});

describe('census: hand-computed case and degenerate inputs', () => {
  // 1-D points: class 0 at 0 and 1, class 1 at 1.5 and 3 (euclidean, not normalised).
  // t per triplet: A0: .5, 2; A1: -.5, 1; B0: 0, -1; B1: 1.5, .5 (worked out in definitions.md terms).
  const line: EngineInput = {
    embeddings: Float32Array.from([0, 1, 1.5, 3]),
    n: 4,
    dim: 1,
    labels: Int32Array.from([0, 0, 1, 1]),
    classes: 2,
  };
  const eu: DistanceOptions = { distance: 'euclidean', normalize: false };

  it('m = 0.5: pml 3/2/3 (viol 5), facenet 5/1/2, loss 3 over 8 triplets', async () => {
    const r = countAtMargin(await buildCensusIndex(line, eu), 0.5, { topK: 5, perSample: true });
    assert.equal(r.triplets, 8);
    assert.deepEqual(r.pml, { easy: 3, semihard: 2, hard: 3, violating: 5 });
    assert.deepEqual(r.facenet, { easy: 5, semihard: 1, hard: 2, violating: 3 });
    assert.equal(r.lossSum, 3);
    assert.equal(r.nonZero, 3);
    assert.equal(r.meanLoss, 0.375);
    assert.equal(r.meanLossNonZero, 1);
    assert.deepEqual(
      r.worst.map((w) => [w.anchor, w.positive, w.negative, w.loss]),
      [
        [2, 3, 1, 1.5],
        [1, 0, 2, 1],
        [2, 3, 0, 0.5],
      ],
    );
    assert.deepEqual(Array.from(r.classPairs), [0, 2, 3, 0]);
    assert.deepEqual(Array.from(r.nearestImpostor), [2, 2, 1, 1]);
    assert.deepEqual(Array.from(r.nearestImpostorDist), [1.5, 0.5, 0.5, 2]);
  });

  it('m = 0: a t == 0 triplet is hard for pml and easy for facenet', async () => {
    const r = countAtMargin(await buildCensusIndex(line, eu), 0);
    assert.deepEqual(r.pml, { easy: 5, semihard: 0, hard: 3, violating: 3 });
    assert.deepEqual(r.facenet, { easy: 6, semihard: 0, hard: 2, violating: 2 });
    assert.equal(r.lossSum, 1.5);
  });

  it('one class: no negatives, zero triplets, no impostor', async () => {
    const input = makeInput(10, 3, 1, 1);
    const r = countAtMargin(await buildCensusIndex(input, eu), 0.2, { perSample: true });
    assert.equal(r.triplets, 0);
    assert.equal(r.lossSum, 0);
    assert.equal(r.meanLoss, 0);
    assert.deepEqual(Array.from(r.nearestImpostor), new Array(10).fill(-1));
  });

  it('singleton classes: no positives, zero triplets, impostors still found', async () => {
    const input = makeInput(6, 2, 6, 2);
    const r = countAtMargin(await buildCensusIndex(input, eu), 0.2);
    assert.equal(r.triplets, 0);
    assert.deepEqual(r.pml, { easy: 0, semihard: 0, hard: 0, violating: 0 });
    check(r, brute(input, eu, 0.2, 20), 'singletons');
  });

  it('duplicate embeddings: distance exactly 0, census matches brute force', async () => {
    const input = makeInput(30, 3, 3, 4);
    input.embeddings.copyWithin(3, 0, 3); // sample 1 = sample 0
    input.embeddings.copyWithin(9, 12, 15); // sample 3 = sample 4
    const d = distanceRows(input.embeddings, 30, 3, 0, 30, 'euclidean');
    assert.equal(d[1], 0);
    for (const m of [0, 0.3])
      check(
        countAtMargin(await buildCensusIndex(input, eu), m, { perSample: true }),
        brute(input, eu, m, 20),
        `dup m=${m}`,
      );
  });

  it('N = 2, same class and different classes', async () => {
    for (const labels of [
      [0, 0],
      [0, 1],
    ]) {
      const input: EngineInput = {
        embeddings: Float32Array.from([0, 1]),
        n: 2,
        dim: 1,
        labels: Int32Array.from(labels),
        classes: 2,
      };
      const r = countAtMargin(await buildCensusIndex(input, eu), 1);
      assert.equal(r.triplets, 0);
      assert.deepEqual(Array.from(r.nearestImpostor), labels[1] ? [1, 0] : [-1, -1]);
    }
  });

  it('a census whose counts do not add up (distances that are not numbers) is an error, never a result', () => {
    const bad = {
      triplets: 10,
      pml: { easy: 12, semihard: -2, hard: 0, violating: -2 },
      facenet: { easy: 10, semihard: 0, hard: 0, violating: 0 },
    };
    assert.throws(() => checkInvariant(bad), /pml easy 12 \+ semi-hard -2/);
    checkInvariant({
      triplets: 10,
      pml: { easy: 7, semihard: 2, hard: 1, violating: 3 },
      facenet: { easy: 8, semihard: 1, hard: 1, violating: 2 },
    });
  });

  it('rejects negative or NaN margins and bad labels', async () => {
    const index = await buildCensusIndex(line, eu);
    assert.throws(() => countAtMargin(index, -0.1), /margin/);
    assert.throws(() => countAtMargin(index, NaN), /margin/);
    await assert.rejects(buildCensusIndex({ ...line, labels: Int32Array.from([0, 0, 1, 2]) }, eu), /label/);
  });

  it('prepareFastRecount readies the fast path ahead of time without changing any result', async () => {
    const input = makeInput(90, 4, 5, 8);
    const a = await buildCensusIndex(input, eu),
      b = await buildCensusIndex(input, eu);
    assert.equal(fastRecountReady(a), false);
    assert.equal(prepareFastRecount(a), true);
    assert.equal(fastRecountReady(a), true);
    assert.equal(fastRecountReady(b), false);
    for (const m of [0, 0.2, 0.7]) {
      const opts = { topK: 7, classPairs: false, perAnchor: true };
      assert.deepEqual(countAtMargin(a, m, opts), countAtMargin(b, m, opts), `m=${m}`);
    }
  });

  it('shouldStop stops a recount with an AbortError; a never-stopping one changes nothing', async () => {
    const input = makeInput(200, 4, 5, 3);
    const index = await buildCensusIndex(input, eu);
    let polls = 0;
    for (const classPairs of [true, false]) {
      assert.throws(
        () => countAtMargin(index, 0.2, { classPairs, shouldStop: () => ++polls >= 2 }),
        (e: Error) => e.name === 'AbortError',
      );
    }
    const plain = countAtMargin(index, 0.2, { perSample: true });
    polls = 0;
    const polled = countAtMargin(index, 0.2, {
      perSample: true,
      shouldStop: () => {
        polls++;
        return false;
      },
    });
    assert.ok(polls >= 200 / 32, `polled ${polls} times`);
    assert.deepEqual(polled, plain);
  });

  it('cancellation throws an AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      buildCensusIndex(makeInput(20, 2, 2, 1), eu, undefined, { signal: ac.signal }),
      (e: Error) => e.name === 'AbortError',
    );
  });
});
