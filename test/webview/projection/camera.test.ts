import * as assert from './assert';
import {
  clipTransform,
  computeBounds,
  dataToScreen,
  fitCamera,
  framePoints,
  panBy,
  screenToData,
  wheelZoomFactor,
  zoomAt,
} from '../../../webview/projection/camera';

const vp = { width: 800, height: 600 };
const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);

describe('projection camera', () => {
  it('computes bounds over finite points only, with stride 3', () => {
    const pos = new Float32Array([1, 2, 9, NaN, 5, 9, -3, 7, 9, 4, Infinity, 9, 0, -1, 9]);
    assert.deepEqual(computeBounds(pos, 5, 3), { minX: -3, minY: -1, maxX: 1, maxY: 7, count: 3 });
  });

  it('fits a wide extent to the width and a tall one to the height, with padding', () => {
    // Wide: 10 x 1 data units; available 760 x 560 px -> 76 px per unit, centred.
    const wide = fitCamera({ minX: 0, maxX: 10, minY: 0, maxY: 1, count: 2 }, vp, 20);
    assert.deepEqual(wide, { cx: 5, cy: 0.5, scale: 76 });
    close(dataToScreen(wide, vp, 0, 0.5)[0], 20);
    close(dataToScreen(wide, vp, 10, 0.5)[0], 780);
    // Tall: 1 x 10 -> 56 px per unit; top and bottom edges land on the padding.
    const tall = fitCamera({ minX: 0, maxX: 1, minY: -5, maxY: 5, count: 2 }, vp, 20);
    close(tall.scale, 56);
    close(dataToScreen(tall, vp, 0.5, 5)[1], 20); // data y up -> screen top
    close(dataToScreen(tall, vp, 0.5, -5)[1], 580);
  });

  it('keeps a finite scale for a single point or a vertical line', () => {
    const one = fitCamera({ minX: 3, maxX: 3, minY: 3, maxY: 3, count: 1 }, vp, 20);
    assert.ok(Number.isFinite(one.scale) && one.scale > 0);
    assert.deepEqual([one.cx, one.cy], [3, 3]);
    const line = fitCamera({ minX: 2, maxX: 2, minY: 0, maxY: 4, count: 2 }, vp, 20);
    close(line.scale, 140); // the 4-unit height fills 560 px
  });

  it('maps screen -> data as the exact inverse of data -> screen', () => {
    const cam = { cx: -2.5, cy: 7, scale: 33.3 };
    for (const [x, y] of [
      [0, 0],
      [-2.5, 7],
      [100, -40],
      [1e-3, 5e3],
    ]) {
      const [sx, sy] = dataToScreen(cam, vp, x, y);
      const [bx, by] = screenToData(cam, vp, sx, sy);
      close(bx, x);
      close(by, y);
    }
    assert.deepEqual(dataToScreen(cam, vp, -2.5, 7), [400, 300]);
  });

  it('zooms around the cursor: the data point under it stays put', () => {
    const cam = { cx: 1, cy: 2, scale: 10 };
    const before = screenToData(cam, vp, 123, 456);
    const z = zoomAt(cam, vp, 123, 456, 2.5);
    close(z.scale, 25);
    const after = screenToData(z, vp, 123, 456);
    close(after[0], before[0]);
    close(after[1], before[1]);
    // Clamped zoom keeps the anchor too.
    const c = zoomAt(cam, vp, 700, 50, 100, 0, 40);
    close(c.scale, 40);
    const anchored = dataToScreen(c, vp, ...screenToData(cam, vp, 700, 50));
    close(anchored[0], 700);
    close(anchored[1], 50);
  });

  it('pans with the drag: content follows the pointer', () => {
    const cam = { cx: 0, cy: 0, scale: 20 };
    const p = dataToScreen(cam, vp, 3, 4);
    const moved = dataToScreen(panBy(cam, 30, -10), vp, 3, 4);
    close(moved[0], p[0] + 30);
    close(moved[1], p[1] - 10);
  });

  it('produces clip-space uniforms that agree with the screen mapping', () => {
    const cam = { cx: 2, cy: -1, scale: 50 };
    const t = clipTransform(cam, vp);
    for (const [x, y] of [
      [2, -1],
      [5, 3],
      [-4, 0.5],
    ]) {
      const clip = [(x - t.center[0]) * t.scale[0], (y - t.center[1]) * t.scale[1]];
      const [sx, sy] = dataToScreen(cam, vp, x, y);
      // clip x -1..1 is screen 0..width; clip y -1..1 is screen height..0
      close(((clip[0] + 1) * vp.width) / 2, sx);
      close(((1 - clip[1]) * vp.height) / 2, sy);
    }
  });

  it('turns wheel deltas into symmetric zoom factors', () => {
    close(wheelZoomFactor(100, 0) * wheelZoomFactor(-100, 0), 1);
    assert.ok(wheelZoomFactor(-100, 0) > 1, 'wheel up zooms in');
    close(wheelZoomFactor(3, 1), wheelZoomFactor(48, 0)); // lines are 16 px
    assert.ok(Number.isFinite(wheelZoomFactor(1e9, 0)));
  });

  it('frames a triplet within the zoom limits', () => {
    const xy = [0, 0, 1, 0, 0, 1];
    const cam = framePoints(xy, vp, 100, 1, 1000);
    close(cam.cx, 0.5);
    close(cam.cy, 0.5);
    close(cam.scale, 400); // 1 unit in the 600 - 200 px available height
    assert.equal(framePoints(xy, vp, 100, 1, 50).scale, 50);
    assert.equal(framePoints([3, 3, 3, 3], vp, 100, 1, 70).scale, 70); // identical points: max zoom
  });
});
