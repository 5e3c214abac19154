import * as assert from './assert';
import { cachedQuad } from '../../../webview/projection/frameCache';
import { clipTransform, type Camera } from '../../../webview/projection/camera';

describe('the cached drawing moved with the camera', () => {
  it('puts every data point where the new camera would draw it', () => {
    const vp = { width: 800, height: 500 };
    const then: Camera = { cx: 3, cy: -2, scale: 40 };
    for (const now of [
      then,
      { cx: 3.5, cy: -1, scale: 40 },
      { cx: 0, cy: 0, scale: 90 },
      { cx: -7, cy: 4, scale: 12.5 },
    ]) {
      const q = cachedQuad(then, now, vp);
      const a = clipTransform(then, vp),
        b = clipTransform(now, vp);
      for (const [x, y] of [
        [3, -2],
        [0, 0],
        [10, 7],
        [-4.5, 1.25],
      ]) {
        const clipThen = [(x - a.center[0]) * a.scale[0], (y - a.center[1]) * a.scale[1]];
        const clipNow = [(x - b.center[0]) * b.scale[0], (y - b.center[1]) * b.scale[1]];
        const moved = [clipThen[0] * q.scale[0] + q.offset[0], clipThen[1] * q.scale[1] + q.offset[1]];
        assert.ok(
          Math.abs(moved[0] - clipNow[0]) < 1e-12 && Math.abs(moved[1] - clipNow[1]) < 1e-12,
          `${JSON.stringify(now)} (${x}, ${y}): ${moved} vs ${clipNow}`,
        );
      }
    }
    assert.deepEqual(cachedQuad(then, then, vp), { scale: [1, 1], offset: [0, 0] });
  });
});
