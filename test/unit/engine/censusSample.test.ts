/**
 * The sampled census: with every anchor sampled it is the exact census with zero-width
 * intervals; with a stated sample its totals are the sampled anchors' exact totals scaled by N/s,
 * and the stated 95 % interval covers the exact value (fixed seed, so the check is deterministic).
 */
import * as assert from 'node:assert/strict';
import { buildCensusIndex, countAtMargin } from '../../../src/engine/census';
import { buildSampledCensus, censusIndexBytes, countSampled } from '../../../src/engine/censusSample';
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
  const embeddings = Float32Array.from({ length: n * dim }, (_, k) => r() + 0.4 * (labels[Math.floor(k / dim)] === k % dim ? 1 : 0));
  return { embeddings, n, dim, labels, classes };
}

describe('sampled census', function () {
  this.timeout(30000);
  const opts: DistanceOptions = { distance: 'euclidean', normalize: true };
  const input = makeInput(120, 6, 4);

  it('sampling every anchor gives the exact census, zero-width intervals, dataset ids', async () => {
    const exact = countAtMargin(await buildCensusIndex(input, opts), 0.2, { topK: 8 });
    const s = countSampled(await buildSampledCensus(input, opts, { sampleSize: 120, groups: 6 }), 0.2, { topK: 8 });
    assert.equal(s.triplets.value, exact.triplets);
    assert.equal(s.pml.violating.value, exact.pml.violating);
    assert.equal(s.facenet.semihard.value, exact.facenet.semihard);
    assert.equal(s.pml.violating.halfWidth95, 0);
    assert.ok(Math.abs(s.lossSum.value - exact.lossSum) <= 1e-9 * exact.lossSum);
    assert.deepEqual(Array.from(s.sample.nearestImpostor), Array.from(exact.nearestImpostor));
    assert.deepEqual(s.sample.worst.map((w) => [w.anchor, w.positive, w.negative]), exact.worst.map((w) => [w.anchor, w.positive, w.negative]));
  });

  it('a 40-anchor sample: sample totals scaled by N/s, interval covers the exact value, method stated', async () => {
    const index = await buildCensusIndex(input, opts);
    const exact = countAtMargin(index, 0.3, { perSample: true });
    const si = await buildSampledCensus(input, opts, { sampleSize: 40, seed: 3, groups: 10 });
    const s = countSampled(si, 0.3);
    let v = 0;
    for (let k = 0; k < 40; k++) v += exact.perSample!.violAsAnchor[si.perm[k]];
    assert.equal(s.sample.pml.violating, v, 'the sample is counted exactly');
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
