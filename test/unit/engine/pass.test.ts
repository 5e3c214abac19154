/**
 * The streaming pass against the in-memory index it replaces at scale: for every figure (census
 * with per-sample counts and class pairs, margin table, smallest-t list, histogram, batch-hard,
 * semi-hard, retrieval, kNN) the pass gives the index path's numbers bit for bit, whatever the
 * blocks, the chunks and their order (ranges, id lists, a shuffled split), on inputs with ties,
 * singleton classes, one class, outliers, all distances, both kernels.
 */
import * as assert from 'node:assert/strict';
import {
  buildCensusIndex,
  countAtMargin,
  mergeCensus,
  tHistogram,
  type CensusResult,
} from '../../../src/engine/census';
import { partialsRound } from '../../../src/engine/censusMerge';
import { distanceRowsOf, initBackend, prepareEmbeddings, setKernelMode } from '../../../src/engine/distances';
import { indexBlock, indexContext, IndexStorage, negIdAt } from '../../../src/engine/censusIndex';
import { exactKnn } from '../../../src/engine/knn';
import { marginTable, mergeMarginTable, mergeSmallestT, smallestT } from '../../../src/engine/marginTable';
import { batchHardFromIndex, semihardSelection } from '../../../src/engine/mining';
import { PassRunner } from '../../../src/engine/pass';
import { PassAccumulator, type PassResult } from '../../../src/engine/passResult';
import type { PassSpec } from '../../../src/engine/passTypes';
import { retrievalMetrics } from '../../../src/engine/retrieval';
import type { DistanceOptions, EngineInput } from '../../../src/engine/types';
import { makeInput } from '../../helpers/censusInput';
import { rng } from '../../helpers/rng';

const MARGINS = Float64Array.from([0, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 1.5, 2, 3, 4, 6]);

function specFor(distance: DistanceOptions, margin: number, blockAnchors: number): PassSpec {
  return {
    distance,
    margin,
    topK: 25,
    perSample: true,
    table: { margins: MARGINS, smallest: 40 },
    edges: Float64Array.from([-2, -0.5, -0.1, 0, 0.05, 0.2, 0.5, 1, 3]),
    retrieval: true,
    knn: { k: 6, includeSelf: distance.distance === 'euclidean' },
    semihard: true,
    blockAnchors,
  };
}

/** Runs the pass over a random split of the anchors into chunks (ranges and id lists, shuffled order), in one or two
 * runners. */
function runPass(input: EngineInput, spec: PassSpec, seed: number, runners = 2): PassResult {
  const r = rng(seed),
    n = input.n;
  const chunks: (Int32Array | { start: number; end: number })[] = [];
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  // The first third as ranges, the rest as shuffled id lists.
  const third = Math.floor(n / 3);
  for (let a = 0; a < third;) {
    const e = Math.min(third, a + 1 + Math.floor(r() * 9));
    chunks.push({ start: a, end: e });
    a = e;
  }
  const rest = Int32Array.from(order.filter((a) => a >= third));
  for (let i = 0; i < rest.length;) {
    const e = Math.min(rest.length, i + 1 + Math.floor(r() * 13));
    chunks.push(rest.slice(i, e));
    i = e;
  }
  const acc = new PassAccumulator(spec, input.labels, input.classes);
  const rs = Array.from({ length: runners }, () => new PassRunner(input, spec));
  chunks.forEach((c, i) => acc.addChunk(rs[i % runners].runChunk(c)));
  for (const x of rs) acc.addTotals(x.totals());
  return acc.result();
}

function strip(r: CensusResult): Omit<CensusResult, 'lossSumPartials'> {
  const { lossSumPartials: _drop, ...rest } = r;
  return rest;
}

async function checkPass(
  input: EngineInput,
  opts: DistanceOptions,
  margin: number,
  label: string,
  block = 5,
): Promise<void> {
  const spec = specFor(opts, margin, block);
  const p = runPass(input, spec, 7);
  const index = await buildCensusIndex(input, opts);
  const c = countAtMargin(index, margin, { topK: spec.topK, perSample: true });
  assert.deepEqual(strip(p.census), { ...strip(c), perAnchor: undefined }, `${label}: census`);
  assert.ok(Object.is(p.census.lossSum, c.lossSum), `${label}: loss sum ${p.census.lossSum} vs ${c.lossSum}`);
  assert.equal(p.anchors, input.n);
  assert.deepEqual(
    p.hardAsAnchor,
    countAtMargin(index, 0, { topK: 0, perSample: true }).perSample!.violAsAnchor,
    `${label}: hard as anchor`,
  );
  // Margin table: totals, columns, per-position loss sums; smallest-t list.
  const t = mergeMarginTable([marginTable(index, MARGINS)], input.n),
    pt = p.table!;
  assert.deepEqual([pt.triplets, pt.hard, pt.hardStrict], [t.triplets, t.hard, t.hardStrict], `${label}: table totals`);
  assert.deepEqual(pt.violating, t.violating);
  assert.deepEqual(pt.violatingStrict, t.violatingStrict);
  assert.deepEqual(pt.violAsAnchor, t.violAsAnchor, `${label}: table columns`);
  assert.deepEqual(pt.lossAsAnchor, t.lossAsAnchor);
  MARGINS.forEach((_, k) =>
    assert.ok(
      Object.is(partialsRound(pt.lossPartials[k]), partialsRound(t.lossPartials[k])),
      `${label}: table loss ${k}`,
    ),
  );
  const sm = mergeSmallestT([smallestT(index, MARGINS[MARGINS.length - 1], 40)], 40);
  assert.deepEqual(pt.smallest, sm.list, `${label}: smallest`);
  assert.equal(pt.complete, sm.complete);
  const classViol = new Float64Array(MARGINS.length * input.classes);
  MARGINS.forEach((_, k) => {
    for (let a = 0; a < input.n; a++) classViol[k * input.classes + input.labels[a]] += t.violAsAnchor[k * input.n + a];
  });
  assert.deepEqual(pt.classViolating, classViol, `${label}: class sums`);
  assert.deepEqual(p.histogram, tHistogram(index, spec.edges!), `${label}: histogram`);
  // Mining.
  const bh = batchHardFromIndex(index, margin),
    soft = batchHardFromIndex(index, margin, { soft: true });
  assert.deepEqual(p.batchHard, bh, `${label}: batch-hard`);
  assert.ok(Object.is(p.softBatchHardMeanLoss, soft.meanLoss), `${label}: soft batch-hard`);
  const sh = semihardSelection(index, margin);
  assert.deepEqual(
    p.semihard,
    { pairs: sh.pairs, fallbacks: sh.fallbacks, meanLoss: sh.meanLoss },
    `${label}: semi-hard`,
  );
  // Neighbours.
  assert.deepEqual(p.retrieval, await retrievalMetrics(input, opts), `${label}: retrieval`);
  const knn = await exactKnn(input, 6, { ...opts, includeSelf: spec.knn!.includeSelf });
  assert.deepEqual(p.knn, knn, `${label}: kNN`);
}

describe('engine/pass (streaming engine)', function () {
  this.timeout(120000);
  before(() => initBackend());
  afterEach(() => setKernelMode('auto'));

  const cases: [string, EngineInput, DistanceOptions, number][] = [
    ['euclidean', makeInput(60, 5, 4, 1), { distance: 'euclidean', normalize: false }, 0.5],
    ['euclidean normalised', makeInput(61, 5, 4, 2), { distance: 'euclidean', normalize: true }, 0.2],
    ['cosine', makeInput(50, 6, 3, 3), { distance: 'cosine', normalize: false }, 0.1],
    ['sqeuclidean ties', makeInput(70, 4, 5, 4, true), { distance: 'sqeuclidean', normalize: false }, 2],
    ['euclidean ties', makeInput(70, 3, 4, 5, true), { distance: 'euclidean', normalize: false }, 1],
    ['singleton classes', makeInput(40, 4, 30, 6), { distance: 'euclidean', normalize: false }, 0.3],
    ['one class', makeInput(20, 3, 1, 7), { distance: 'euclidean', normalize: false }, 0.3],
  ];
  for (const [label, input, opts, m] of cases) {
    it(`equals the index path bit for bit, any split of the anchors: ${label}`, async () => {
      setKernelMode('js');
      await checkPass(input, opts, m, label);
    });
  }

  it('equals the index path with the GEMM kernel too (N = 400, D = 24), blocks of 1 and 64', async function () {
    if ((await initBackend()) === 'js') this.skip();
    setKernelMode('tfjs');
    const input = makeInput(400, 24, 9, 11);
    await checkPass(input, { distance: 'euclidean', normalize: true }, 0.3, 'gemm b1', 1);
    await checkPass(input, { distance: 'sqeuclidean', normalize: false }, 1, 'gemm b64', 64);
  });

  for (const [label, input, opts, m] of cases.slice(0, 5)) {
    it(`without per-sample counts (distances sorted alone, the nearest ids found apart) it equals the index path: ${label}`, async () => {
      setKernelMode('js');
      const spec = { ...specFor(opts, m, 6), perSample: false, topK: 40 };
      const p = runPass(input, spec, 9);
      const index = await buildCensusIndex(input, opts);
      const c = countAtMargin(index, m, { topK: spec.topK, perAnchor: true, classPairs: false });
      assert.deepEqual(p.census.worst, c.worst, `${label}: worst list`);
      assert.deepEqual(
        { ...strip(p.census), perSample: undefined },
        { ...strip(c), perSample: undefined },
        `${label}: census, impostors`,
      );
      assert.deepEqual(p.batchHard, batchHardFromIndex(index, m), `${label}: batch-hard`);
      assert.deepEqual(p.retrieval, await retrievalMetrics(input, opts), `${label}: retrieval`);
      assert.deepEqual(
        p.knn,
        await exactKnn(input, 6, { ...opts, includeSelf: spec.knn!.includeSelf }),
        `${label}: kNN`,
      );
      const sm = mergeSmallestT([smallestT(index, MARGINS[MARGINS.length - 1], 40)], 40);
      assert.deepEqual(p.table!.smallest, sm.list, `${label}: smallest`);
    });
  }

  it('an index with only the nearest ids recovers the others when read, in the same order', async () => {
    setKernelMode('js');
    for (const input of [makeInput(90, 4, 5, 15), makeInput(90, 3, 4, 16, true)]) {
      const opts: DistanceOptions = { distance: 'euclidean', normalize: false };
      const x = prepareEmbeddings(input, false),
        ids = Int32Array.from({ length: input.n }, (_, i) => i);
      const rows = distanceRowsOf(x, input.n, input.dim, ids, 'euclidean');
      const ctx = indexContext(input, opts);
      const full = indexBlock(ctx, ids, rows),
        near = indexBlock(ctx, ids, rows, undefined, 2);
      assert.ok(
        near.idsKnown!.some((k, i) => k < full.negOff[i + 1] - full.negOff[i]),
        'some ids are left to recover',
      );
      for (let i = 0; i < input.n; i++) {
        for (let j = 0; j < full.negOff[i + 1] - full.negOff[i]; j++)
          assert.equal(negIdAt(near, i, j), full.negId[full.negOff[i] + j], `anchor ${i} position ${j}`);
      }
      assert.deepEqual(near.lower, full.lower);
      assert.deepEqual(near.prefix, full.prefix);
    }
  });

  it('counts on an index with only the nearest ids, in reused buffers, equal the full index: class pairs, per-sample, fenced', async () => {
    setKernelMode('js');
    const input = makeInput(90, 4, 5, 17),
      opts: DistanceOptions = { distance: 'euclidean', normalize: false };
    const x = prepareEmbeddings(input, false),
      ctx = indexContext(input, opts),
      storage = new IndexStorage();
    const index = await buildCensusIndex(input, opts);
    for (const o of [
      { perSample: true, classPairs: true },
      { perAnchor: true, classPairs: false },
    ] as const) {
      const want = countAtMargin(index, 0.3, { topK: 10, ...o });
      // Two blocks through the same storage: the second block's fences and ids must not be the first's.
      const parts = [
        { start: 0, end: 50 },
        { start: 50, end: 90 },
      ].map(({ start, end }) => {
        const ids = Int32Array.from({ length: end - start }, (_, i) => start + i);
        const near = indexBlock(ctx, ids, distanceRowsOf(x, input.n, input.dim, ids, 'euclidean'), storage, 2);
        return countAtMargin(near, 0.3, { topK: 10, ...o });
      });
      const got = mergeCensus(parts, 10);
      assert.deepEqual(strip({ ...got, lossSum: 0 }), strip({ ...want, lossSum: 0 }), JSON.stringify(o));
    }
  });

  it('a chunk that covers some anchors gives their census only; merging accumulators of disjoint parts gives the whole', () => {
    setKernelMode('js');
    const input = makeInput(80, 4, 5, 12),
      spec = specFor({ distance: 'euclidean', normalize: false }, 0.4, 8);
    const whole = runPass(input, spec, 3);
    const parts = [
      { start: 0, end: 17 },
      { start: 17, end: 60 },
      { start: 60, end: 80 },
    ].map((rg) => {
      const acc = new PassAccumulator(spec, input.labels, input.classes),
        runner = new PassRunner(input, spec);
      acc.addChunk(runner.runChunk(rg));
      acc.addTotals(runner.totals());
      return acc;
    });
    assert.equal(parts[1].result().anchors, 43);
    const merged = parts[2];
    merged.merge(parts[0]);
    merged.merge(parts[1]);
    const m = merged.result();
    // Partials are an exact sum's representation, which depends on the order of addition: compare what they round to.
    const norm = (x: PassResult) => ({
      ...x,
      census: strip(x.census),
      table: { ...x.table!, lossPartials: x.table!.lossPartials.map(partialsRound) },
    });
    assert.deepEqual(norm(m), norm(whole));
    assert.ok(Object.is(m.census.lossSum, whole.census.lossSum));
    assert.throws(() => merged.merge(parts[0]), /in two parts/);
  });

  it('stops between blocks and inside the count when asked', () => {
    setKernelMode('js');
    const input = makeInput(60, 4, 4, 13),
      runner = new PassRunner(input, specFor({ distance: 'euclidean', normalize: false }, 0.2, 4));
    assert.throws(
      () => runner.runChunk({ start: 0, end: 60 }, () => true),
      (e: Error) => e.name === 'AbortError',
    );
    let polls = 0;
    assert.throws(
      () => runner.runChunk({ start: 0, end: 60 }, () => ++polls > 3),
      (e: Error) => e.name === 'AbortError',
    );
  });

  it('rejects bad options and anchors', () => {
    const input = makeInput(10, 2, 2, 14),
      ok = specFor({ distance: 'euclidean', normalize: false }, 0.2, 4);
    assert.throws(() => new PassRunner(input, { ...ok, margin: -1 }), RangeError);
    assert.throws(() => new PassRunner(input, { ...ok, blockAnchors: 0 }), RangeError);
    assert.throws(
      () => new PassRunner(input, { ...ok, table: { margins: Float64Array.from([0.2, 0.1]), smallest: 3 } }),
      RangeError,
    );
    assert.throws(() => new PassRunner(input, ok).runChunk({ start: 5, end: 11 }), RangeError);
    const acc = new PassAccumulator(ok, input.labels, input.classes),
      runner = new PassRunner(input, ok);
    const c = runner.runChunk({ start: 0, end: 3 });
    acc.addChunk(c);
    assert.throws(() => acc.addChunk(c), /counted twice/);
  });
});
