/**
 * Pictures when zoomed in (pictures.ts): which samples get one is decided by a bounded grid query; held here to a
 * brute force over every point's screen position, and to the limit (more points in view: none drawn).
 */
import * as assert from './assert';
import { PointGrid } from '../../../webview/projection/hitTest';
import { dataToScreen, type Camera, type Viewport } from '../../../webview/projection/camera';
import { fitRect, picturesInView } from '../../../webview/projection/pictures';
import { rng } from '../../helpers/rng';

function cloud(n: number, seed: number): Float32Array {
  const r = rng(seed),
    pos = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    pos[2 * i] = (i % 7) * 2 + (r() - 0.5) * 3;
    pos[2 * i + 1] = (r() - 0.5) * 10;
  }
  pos[6] = NaN; // point 3 has no position
  return pos;
}

/** Every point whose screen position lies in the viewport widened by pad (the definition, by brute force). */
function bruteInView(pos: Float32Array, n: number, cam: Camera, vp: Viewport, pad: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [sx, sy] = dataToScreen(cam, vp, pos[2 * i], pos[2 * i + 1]);
    // The grid compares data coordinates; screen and data differ by an affine map, so allow rounding at the edge.
    if (sx >= -pad - 1e-6 && sx <= vp.width + pad + 1e-6 && sy >= -pad - 1e-6 && sy <= vp.height + pad + 1e-6)
      out.push(i);
  }
  return out;
}

describe('projection: pictures when zoomed in', () => {
  const n = 20_000;
  const pos = cloud(n, 5);
  const grid = new PointGrid(pos, n, 2);
  const vp: Viewport = { width: 640, height: 400 };

  it('draws pictures for exactly the points in view (brute force) when they are few, none when they are many', () => {
    const r = rng(9);
    let few = 0,
      many = 0;
    for (let t = 0; t < 60; t++) {
      const cam: Camera = { cx: (r() - 0.1) * 14, cy: (r() - 0.5) * 10, scale: 20 * Math.pow(2, r() * 10) };
      const want = bruteInView(pos, n, cam, vp, 22);
      const got = picturesInView(grid, cam, vp, 200, 22);
      if (want.length <= 200) {
        few++;
        assert.ok(got !== null, `${want.length} points in view: pictures expected`);
        assert.deepEqual(Array.from(got!), want);
      } else {
        many++;
        assert.equal(got, null, `${want.length} points in view: no pictures`);
      }
    }
    assert.ok(few > 5 && many > 5, `both cases seen (${few} few, ${many} many)`);
  });

  it('answers exactly at the limit: limit points give pictures, limit + 1 none', () => {
    const cam: Camera = { cx: 6, cy: 0, scale: 400 };
    const k = bruteInView(pos, n, cam, vp, 22).length;
    assert.ok(k > 1, `${k} points in view`);
    assert.equal(picturesInView(grid, cam, vp, k, 22)?.length, k);
    assert.equal(picturesInView(grid, cam, vp, k - 1, 22), null);
  });

  it('inRectAtMost is inRect or null, at a million points without visiting them all', () => {
    const big = 1_000_000,
      bp = cloud(big, 7),
      g = new PointGrid(bp, big, 2);
    const small = g.inRect(1, 1, 1.05, 1.05);
    assert.deepEqual(g.inRectAtMost(1, 1, 1.05, 1.05, small.length), small);
    assert.equal(g.inRectAtMost(1, 1, 1.05, 1.05, small.length - 1), null);
    assert.equal(g.inRectAtMost(-1e9, -1e9, 1e9, 1e9, 200), null);
    assert.deepEqual(g.inRectAtMost(100, 100, 200, 200, 5), new Int32Array(0));
  });

  it('fits a picture in its box keeping the aspect ratio (hand-computed)', () => {
    assert.deepEqual(fitRect(100, 50, 44, 28, 28), [78, 28, 44, 44]);
    assert.deepEqual(fitRect(100, 50, 44, 88, 44), [78, 39, 44, 22]);
    assert.deepEqual(fitRect(0, 0, 40, 10, 40), [-5, -20, 10, 40]);
    assert.deepEqual(fitRect(0, 0, 40, 0, 40), [0, 0, 0, 0]);
  });
});
