import * as assert from './assert';
import { PointGrid, pointInPolygon } from '../../../webview/projection/hitTest';
import { rng } from '../../helpers/rng';

/** Clustered points (stride 2), some non-finite, some duplicated. */
function points(n: number, seed: number): Float32Array {
  const r = rng(seed),
    pos = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 5;
    pos[2 * i] = c * 3 + (r() - 0.5) * (c + 1);
    pos[2 * i + 1] = (c % 2) * 4 + (r() - 0.5) * 2;
  }
  pos[10] = NaN;
  pos[21] = Infinity;
  pos[30] = pos[32];
  pos[31] = pos[33]; // points 15 and 16 coincide
  return pos;
}

function bruteNearest(pos: Float32Array, n: number, x: number, y: number, r: number): number {
  let best = -1,
    bestD = r * r;
  for (let i = 0; i < n; i++) {
    const dx = pos[2 * i] - x,
      dy = pos[2 * i + 1] - y,
      d = dx * dx + dy * dy;
    if (!Number.isFinite(d)) continue;
    if (d < bestD || (d === bestD && best < 0)) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

describe('projection hit-testing (uniform grid)', () => {
  const n = 3000;
  const pos = points(n, 11);
  const grid = new PointGrid(pos, n, 2);

  it('finds the same nearest point as brute force, radius inclusive, ties to the smaller index', () => {
    const r = rng(5);
    let hits = 0;
    for (let q = 0; q < 2000; q++) {
      const x = -2 + r() * 18,
        y = -2 + r() * 8,
        radius = [0.01, 0.05, 0.3, 2][q % 4];
      const expected = bruteNearest(pos, n, x, y, radius);
      assert.equal(grid.nearest(x, y, radius), expected, `query ${q} at (${x}, ${y}) r ${radius}`);
      if (expected >= 0) hits++;
    }
    assert.ok(hits > 500 && hits < 2000, `the queries should both hit and miss (${hits})`);
    // Exactly on a point; coincident points 15 and 16 resolve to 15.
    assert.equal(grid.nearest(pos[30], pos[31], 0), 15);
    assert.equal(grid.nearest(pos[2 * 7], pos[2 * 7 + 1], 0), bruteNearest(pos, n, pos[14], pos[15], 0));
  });

  it('never returns non-finite points and handles far-away queries', () => {
    assert.equal(grid.nearest(1e6, 1e6, 10), -1);
    assert.equal(grid.nearest(NaN, 0, 10), -1);
    const all = grid.inRect(-1e9, -1e9, 1e9, 1e9);
    assert.equal(all.length, n - 2);
    assert.ok(!all.includes(5) && !all.includes(10));
  });

  it('selects exactly the points inside a rectangle, in ascending order', () => {
    const r = rng(9);
    for (let q = 0; q < 50; q++) {
      const x0 = -2 + r() * 18,
        x1 = -2 + r() * 18,
        y0 = -2 + r() * 8,
        y1 = -2 + r() * 8;
      const expected: number[] = [];
      for (let i = 0; i < n; i++) {
        const x = pos[2 * i],
          y = pos[2 * i + 1];
        if (x >= Math.min(x0, x1) && x <= Math.max(x0, x1) && y >= Math.min(y0, y1) && y <= Math.max(y0, y1))
          expected.push(i);
      }
      assert.deepEqual(Array.from(grid.inRect(x0, y0, x1, y1)), expected);
    }
  });

  it('selects exactly the points inside a lasso polygon', () => {
    // A concave "C" shape and a triangle.
    const shapes = [
      [0, 0, 8, 0, 8, 2, 2, 2, 2, 4, 8, 4, 8, 6, 0, 6],
      [1, -1, 13, 1, 4, 5],
    ];
    for (const poly of shapes) {
      const expected: number[] = [];
      for (let i = 0; i < n; i++) if (pointInPolygon(pos[2 * i], pos[2 * i + 1], poly)) expected.push(i);
      assert.ok(expected.length > 50);
      assert.deepEqual(Array.from(grid.inPolygon(poly)), expected);
    }
    assert.equal(grid.inPolygon([0, 0, 1, 1]).length, 0);
  });

  it('tests points in polygons by the even-odd rule (hand cases)', () => {
    const square = [0, 0, 2, 0, 2, 2, 0, 2];
    assert.equal(pointInPolygon(1, 1, square), true);
    assert.equal(pointInPolygon(3, 1, square), false);
    assert.equal(pointInPolygon(1, -0.1, square), false);
    const c = [0, 0, 3, 0, 3, 1, 1, 1, 1, 2, 3, 2, 3, 3, 0, 3];
    assert.equal(pointInPolygon(2, 1.5, c), false, 'in the notch of the C');
    assert.equal(pointInPolygon(0.5, 1.5, c), true);
  });

  it('copes with degenerate layouts: one point, a line, nothing finite, stride 3', () => {
    const one = new PointGrid(new Float32Array([2, 3]), 1, 2);
    assert.equal(one.nearest(2.1, 3, 0.2), 0);
    assert.equal(one.nearest(2.5, 3, 0.2), -1);
    const line = new Float32Array(200);
    for (let i = 0; i < 100; i++) {
      line[2 * i] = 1;
      line[2 * i + 1] = i;
    }
    const lg = new PointGrid(line, 100, 2);
    assert.equal(lg.nearest(1.2, 41.4, 1), 41);
    assert.deepEqual(Array.from(lg.inRect(0, 10, 2, 12)), [10, 11, 12]);
    const none = new PointGrid(new Float32Array([NaN, NaN, NaN, 1]), 2, 2);
    assert.equal(none.nearest(0, 0, 100), -1);
    const s3 = new PointGrid(new Float32Array([0, 0, 99, 5, 5, 99, 1, 1, 99]), 3, 3);
    assert.equal(s3.nearest(0.9, 0.9, 1), 2);
  });
});

describe('projection hit-testing at 1 000 000 points', () => {
  it('answers like brute force, the cursor radius at fit-all and zoomed in, and a box selection', () => {
    const n = 1_000_000;
    const pos = points(n, 23);
    const grid = new PointGrid(pos, n, 2);
    const r = rng(31);
    let hits = 0;
    for (let q = 0; q < 150; q++) {
      // 7 CSS px at a fit-all scale of ~60 px per unit, and zoomed in 50x.
      const x = -2 + r() * 18,
        y = -2 + r() * 8,
        radius = q % 2 ? 0.12 : 0.0024;
      const expected = bruteNearest(pos, n, x, y, radius);
      assert.equal(grid.nearest(x, y, radius), expected, `query ${q}`);
      if (expected >= 0) hits++;
    }
    assert.ok(hits > 15 && hits < 150, `the queries should both hit and miss (${hits})`);
    const box = grid.inRect(5.5, 0.2, 6.3, 0.9);
    const want: number[] = [];
    for (let i = 0; i < n; i++)
      if (pos[2 * i] >= 5.5 && pos[2 * i] <= 6.3 && pos[2 * i + 1] >= 0.2 && pos[2 * i + 1] <= 0.9) want.push(i);
    assert.ok(want.length > 1000);
    assert.deepEqual(Array.from(box), want);
  });
});
