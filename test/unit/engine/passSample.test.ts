/**
 * The sampled census as the CLI and the extension run it (drawSample, one pass chunk per group,
 * estimateFromGroups): with every anchor sampled it is the exact census with zero-width
 * intervals; with a stated sample its totals are the sampled anchors' exact totals scaled by N/s,
 * and the stated 95 % interval covers the exact value (fixed seed, so the check is deterministic).
 */
import * as assert from 'node:assert/strict';
import { buildCensusIndex, censusIndexBytes, countAtMargin } from '../../../src/engine/census';
import { initBackend } from '../../../src/engine/distances';
import { PassRunner } from '../../../src/engine/pass';
import { PassAccumulator, type PassResult } from '../../../src/engine/passResult';
import { drawSample, estimateFromGroups, type SampleDraw, type SampleEstimate } from '../../../src/engine/passSample';
import type { CensusTotals, PassSpec } from '../../../src/engine/passTypes';
import type { DistanceOptions, EngineInput } from '../../../src/engine/types';

function makeInput(n: number, dim: number, classes: number): EngineInput {
  let seed = 5;
  const r = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const embeddings = Float32Array.from(
    { length: n * dim },
    (_, k) => r() + 0.4 * (labels[Math.floor(k / dim)] === k % dim ? 1 : 0),
  );
  return { embeddings, n, dim, labels, classes };
}

/** One chunk per group of the draw: the estimate, each group's totals and the sample's exact census. */
function sampled(
  input: EngineInput,
  distance: DistanceOptions,
  margin: number,
  draw: SampleDraw,
  topK = 20,
): { e: SampleEstimate; totals: CensusTotals[]; sample: PassResult } {
  const spec: PassSpec = {
    distance,
    margin,
    topK,
    perSample: false,
    retrieval: false,
    semihard: false,
    blockAnchors: 16,
  };
  const runner = new PassRunner(input, spec),
    acc = new PassAccumulator(spec, input.labels, input.classes);
  const totals = draw.groups.map((g) => {
    const c = runner.runChunk(g);
    acc.addChunk(c);
    return c.census;
  });
  acc.addTotals(runner.totals());
  return { e: estimateFromGroups(draw, totals), totals, sample: acc.result() };
}

describe('sampled census (drawSample, a pass per group, estimateFromGroups)', function () {
  this.timeout(30000);
  before(() => initBackend());
  const opts: DistanceOptions = { distance: 'euclidean', normalize: true };
  const input = makeInput(120, 6, 4);

  it('sampling every anchor gives the exact census, zero-width intervals, dataset ids', async () => {
    const exact = countAtMargin(await buildCensusIndex(input, opts), 0.2, { topK: 8 });
    const { e: s, sample } = sampled(input, opts, 0.2, drawSample(120, 120, 1, 6), 8);
    assert.equal(s.triplets.value, exact.triplets);
    assert.equal(s.pml.violating.value, exact.pml.violating);
    assert.equal(s.facenet.semihard.value, exact.facenet.semihard);
    assert.equal(s.pml.violating.halfWidth95, 0);
    assert.ok(Math.abs(s.lossSum.value - exact.lossSum) <= 1e-9 * exact.lossSum);
    assert.deepEqual(Array.from(sample.census.nearestImpostor), Array.from(exact.nearestImpostor));
    assert.deepEqual(
      sample.census.worst.map((w) => [w.anchor, w.positive, w.negative]),
      exact.worst.map((w) => [w.anchor, w.positive, w.negative]),
    );
  });

  it('a 40-anchor sample: sample totals scaled by N/s, interval covers the exact value, method stated', async () => {
    const index = await buildCensusIndex(input, opts);
    const exact = countAtMargin(index, 0.3, { perSample: true });
    const draw = drawSample(120, 40, 3, 10);
    const { e: s, totals } = sampled(input, opts, 0.3, draw);
    let v = 0;
    for (const g of draw.groups) for (const a of g) v += exact.perSample!.violAsAnchor[a];
    assert.equal(
      draw.groups.reduce((k, g) => k + g.length, 0),
      40,
    );
    assert.equal(
      totals.reduce((k, t) => k + t.pml.violating, 0),
      v,
      'the sample is counted exactly',
    );
    assert.equal(s.pml.violating.value, v * 3);
    assert.ok(s.pml.violating.halfWidth95 > 0);
    assert.ok(Math.abs(s.pml.violating.value - exact.pml.violating) <= s.pml.violating.halfWidth95);
    assert.match(s.method, /sample of 40 of 120 anchors \(seed 3\)/);
  });

  it('index size estimate: about 4.5 bytes per (anchor, negative) pair', () => {
    const labels = Int32Array.from({ length: 20000 }, (_, i) => i % 100);
    const gb = censusIndexBytes(labels, 100) / 1e9;
    assert.ok(gb > 1.7 && gb < 1.9, `${gb}`);
  });
});
