import { equal, close, same, ok } from './check';
import {
  cumulativeCounts,
  binIndex,
  countAtOrBelow,
  sweepCurve,
  splitBin,
  niceTicks,
  exactSweep,
  shareAt,
} from '../../../webview/controls/histogramModel';

/** Deterministic pseudo-random t values, binned by brute force. */
function sample(n: number, seed = 1): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    const u = s / 2147483647;
    s = (s * 16807) % 2147483647;
    const v = s / 2147483647;
    out.push(0.3 + 0.4 * Math.sqrt(-2 * Math.log(u + 1e-12)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

describe('controls/histogramModel', () => {
  it('cumulates counts', () => {
    same(Array.from(cumulativeCounts([2, 0, 3, 1])), [0, 2, 2, 5, 6]);
  });

  it('finds the bin of x', () => {
    const e = [0, 1, 2, 4];
    equal(binIndex(e, 0), 0);
    equal(binIndex(e, 0.99), 0);
    equal(binIndex(e, 1), 1);
    equal(binIndex(e, 3.9), 2);
  });

  it('is exact at every edge against a brute-force count of t <= edge', () => {
    const ts = sample(5000);
    const lo = -1.5,
      hi = 2.1,
      bins = 36;
    const edges = Float64Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
    const counts = new Float64Array(bins);
    for (const t of ts) {
      const i = Math.min(bins - 1, Math.max(0, Math.floor(((t - lo) / (hi - lo)) * bins)));
      counts[i]++;
    }
    const cum = cumulativeCounts(counts);
    for (let i = 1; i < bins; i++) {
      // brute force: triplets whose bin lies entirely at or below edge i
      let n = 0;
      for (const t of ts) if (Math.min(bins - 1, Math.max(0, Math.floor(((t - lo) / (hi - lo)) * bins))) < i) n++;
      equal(countAtOrBelow(edges, cum, edges[i]), n, `edge ${i}`);
    }
    equal(countAtOrBelow(edges, cum, lo - 1), 0);
    equal(countAtOrBelow(edges, cum, hi + 1), 5000);
  });

  it('interpolates linearly inside a bin (hand-computed)', () => {
    const edges = [0, 1, 3];
    const cum = cumulativeCounts([10, 20]);
    close(countAtOrBelow(edges, cum, 0.5), 5);
    close(countAtOrBelow(edges, cum, 2), 20); // 10 + 20 * (1/2)
    close(countAtOrBelow(edges, cum, 2.5), 25);
  });

  it('sweeps the violating share, rising from 0 towards 1', () => {
    const h = { edges: Float64Array.from([-1, 0, 1, 2]), counts: Float64Array.from([10, 30, 60]), triplets: 100 };
    const s = sweepCurve(h, 0, 2, 5);
    same(Array.from(s.margins), [0, 0.5, 1, 1.5, 2]);
    same(
      Array.from(s.share).map((x) => Number(x.toFixed(10))),
      [0.1, 0.25, 0.4, 0.7, 1],
    );
    for (let j = 1; j < s.share.length; j++) ok(s.share[j] >= s.share[j - 1]);
    const empty = sweepCurve({ ...h, triplets: 0 }, 0, 2, 3);
    same(Array.from(empty.share), [0, 0, 0]);
  });

  it('splits bars at t = 0 and at the margin', () => {
    same(splitBin(-0.5, -0.1, 0.2), [{ from: -0.5, to: -0.1, zone: 'hard' }]);
    same(splitBin(-0.1, 0.1, 0.2), [
      { from: -0.1, to: 0, zone: 'hard' },
      { from: 0, to: 0.1, zone: 'violating' },
    ]);
    same(splitBin(0.1, 0.3, 0.2), [
      { from: 0.1, to: 0.2, zone: 'violating' },
      { from: 0.2, to: 0.3, zone: 'easy' },
    ]);
    same(
      splitBin(-0.1, 0.3, 0.2).map((s) => s.zone),
      ['hard', 'violating', 'easy'],
    );
    same(
      splitBin(-0.1, 0.3, 0).map((s) => s.zone),
      ['hard', 'easy'],
    );
    same(splitBin(0.5, 0.7, 0.2), [{ from: 0.5, to: 0.7, zone: 'easy' }]);
  });

  it('chooses nice ticks', () => {
    same(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    same(niceTicks(-0.37, 1.2, 4), [0, 0.5, 1]);
    same(niceTicks(0, 9880, 4), [0, 2000, 4000, 6000, 8000]);
    same(niceTicks(2, 2), [2]);
    same(niceTicks(NaN, 1), []);
  });

  it("exact sweep: shares of the host's counts at its margins, read back exactly at them and linearly between", () => {
    const s = exactSweep([0, 0.1, 0.2, 0.4], [10, 30, 50, 100], 200);
    same([...s.share], [0.05, 0.15, 0.25, 0.5]);
    equal(shareAt(s, 0.2), 0.25);
    close(shareAt(s, 0.3), 0.375, 1e-12);
    equal(shareAt(s, -1), 0.05);
    equal(shareAt(s, 9), 0.5);
    same([...exactSweep([0, 1], [3, 4], 0).share], [0, 0]);
  });
});
