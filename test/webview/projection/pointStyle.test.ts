import * as assert from './assert';
import { classColor } from '../../../webview/projection/colors';
import {
  baseSize,
  classCounts,
  computePointStyles,
  FLAG_RING,
  FLAG_SELECTED,
  orderByPriority,
  type Palette,
  type StyleInput,
} from '../../../webview/projection/pointStyle';

const palette: Palette = {
  background: [30, 30, 30],
  foreground: [200, 200, 200],
  muted: [150, 150, 150],
  hard: [241, 76, 76],
  semihard: [209, 134, 22],
  easy: [140, 140, 140],
  focus: [0, 127, 212],
  positive: [137, 209, 133],
  negative: [241, 76, 76],
  isDark: true,
};

// Six samples: classes 0,0,1,1,2,7 (7 is out of range for 3 classes); categories none, easy, semi, hard, hard, easy.
function input(over: Partial<StyleInput> = {}): StyleInput {
  return {
    n: 6,
    colorBy: 'label',
    labels: new Int32Array([0, 0, 1, 1, 2, 7]),
    classCount: 3,
    category: new Uint8Array([0, 1, 2, 3, 3, 1]),
    loss: new Float32Array([0, 0, 1, 4, 100, 0]),
    lossScale: { ref: 2, max: 4 },
    emphasis: new Set(),
    selected: null,
    baseSize: 4,
    palette,
    ...over,
  };
}
const rgbAt = (a: Uint8Array, i: number) => [a[4 * i], a[4 * i + 1], a[4 * i + 2]];

describe('projection point styles', () => {
  it('colours by label with the class palette, unknown labels muted', () => {
    const s = computePointStyles(input());
    for (const i of [0, 1, 2, 3, 4]) assert.deepEqual(rgbAt(s.rgba, i), classColor([0, 0, 1, 1, 2][i]));
    assert.deepEqual(rgbAt(s.rgba, 5), palette.muted);
  });

  it('makes hard and semi-hard stand out: size hard > semi-hard > easy, rings on hard', () => {
    const s = computePointStyles(input());
    assert.ok(s.size[3] > s.size[2] && s.size[2] > s.size[1]);
    assert.equal(s.size[1], 4);
    assert.equal(s.size[0], 4);
    assert.deepEqual(Array.from(s.flags), [0, 0, 0, FLAG_RING, FLAG_RING, 0]);
    // Drawn last, on top: hard (3, 4), then semi-hard (2), then the rest in index order.
    assert.deepEqual(Array.from(s.order), [0, 1, 5, 2, 3, 4]);
  });

  it('colours by category: hard/semi-hard vivid, easy faded, none fainter', () => {
    const s = computePointStyles(input({ colorBy: 'category' }));
    assert.deepEqual(rgbAt(s.rgba, 3), palette.hard);
    assert.deepEqual(rgbAt(s.rgba, 2), palette.semihard);
    assert.deepEqual(rgbAt(s.rgba, 1), palette.easy);
    const alpha = (i: number) => s.rgba[4 * i + 3];
    assert.ok(alpha(3) === 255 && alpha(2) > alpha(1) && alpha(1) > alpha(0));
  });

  it('colours by loss along the ramp, without rings (colour already says it)', () => {
    const s = computePointStyles(input({ colorBy: 'loss' }));
    assert.deepEqual(rgbAt(s.rgba, 4), rgbAt(s.rgba, 3), 'both at or past the top of the ramp');
    assert.notDeepEqual(rgbAt(s.rgba, 2), rgbAt(s.rgba, 3));
    assert.deepEqual(rgbAt(s.rgba, 0), rgbAt(s.rgba, 1), 'zero losses share the bottom colour');
    assert.ok(s.rgba[4 * 0 + 3] < s.rgba[4 * 2 + 3], 'zero loss is faded');
    assert.equal(s.flags[3] & FLAG_RING, 0);
  });

  it('emphasises classes and dims the rest; selection goes on top', () => {
    const s = computePointStyles(input({ emphasis: new Set([1]), selected: new Uint8Array([0, 1, 0, 0, 0, 0]) }));
    const alpha = (i: number) => s.rgba[4 * i + 3];
    assert.ok(alpha(4) < 60, 'hard sample of a dimmed class is faint');
    assert.equal(s.flags[4], 0, 'and loses its ring');
    assert.ok(alpha(2) >= 229 && s.size[2] > 4 * 1.45, 'emphasised class is opaque and larger');
    assert.equal(s.flags[1], FLAG_SELECTED);
    // dimmed (0, 4, 5) < emphasised semi (2) < emphasised hard (3) < selected (1)
    assert.deepEqual(Array.from(s.order), [0, 4, 5, 2, 3, 1]);
  });

  it('works before the census (no categories, no losses)', () => {
    const s = computePointStyles(input({ category: null, loss: null, colorBy: 'loss' }));
    assert.ok(s.size.every((v) => v === 4));
    assert.deepEqual(Array.from(s.order), [0, 1, 2, 3, 4, 5]);
  });

  it('orders by priority stably (counting sort against a reference sort)', () => {
    const p = new Uint8Array(500).map((_, i) => (i * 7919) % 11);
    const ref = Array.from(p.keys()).sort((a, b) => p[a] - p[b] || a - b);
    assert.deepEqual(Array.from(orderByPriority(p)), ref);
  });

  it('counts classes and sizes points by n', () => {
    assert.deepEqual(Array.from(classCounts(new Int32Array([0, 2, 2, -1, 9, 2]), 3)), [1, 0, 3]);
    assert.equal(baseSize(100), 8);
    assert.equal(baseSize(1e6), 2);
    assert.ok(baseSize(2000) > baseSize(100000));
  });
});

describe('projection point styles, written over the previous arrays', () => {
  it('gives the same styles as fresh arrays, in every mode and after a mode change', () => {
    let prev = computePointStyles(input());
    for (const over of [
      { colorBy: 'category' as const },
      { colorBy: 'loss' as const },
      { colorBy: 'label' as const, emphasis: new Set([2]) },
      { colorBy: 'change' as const, change: new Float32Array([1, -1, 0, 0, 2, -3]) },
      { selected: new Uint8Array([1, 0, 0, 0, 0, 1]) },
    ]) {
      const fresh = computePointStyles(input(over));
      const reused = computePointStyles(input(over), prev);
      assert.equal(reused.rgba, prev.rgba, 'the same arrays');
      assert.deepEqual(Array.from(reused.rgba), Array.from(fresh.rgba));
      assert.deepEqual(Array.from(reused.size), Array.from(fresh.size));
      assert.deepEqual(Array.from(reused.flags), Array.from(fresh.flags));
      assert.deepEqual(Array.from(reused.order), Array.from(fresh.order));
      prev = reused;
    }
    // Another size: new arrays.
    const other = computePointStyles(
      { ...input(), n: 5, labels: new Int32Array(5), category: new Uint8Array(5), loss: new Float32Array(5) },
      prev,
    );
    assert.ok(other.rgba !== prev.rgba, 'new arrays for another size');
    assert.equal(other.size.length, 5);
  });
});

describe('projection point styles: isolate the selection', () => {
  it('dims every point outside the selection and puts them under it; without a selection nothing changes', () => {
    const sel = new Uint8Array([0, 0, 1, 0, 0, 1]);
    const s = computePointStyles(input({ selected: sel, isolate: true }));
    const plain = computePointStyles(input({ selected: sel }));
    for (const i of [0, 1, 3, 4]) assert.ok(s.rgba[4 * i + 3] < plain.rgba[4 * i + 3] * 0.2, `point ${i} dimmed`);
    for (const i of [2, 5]) assert.equal(s.rgba[4 * i + 3], plain.rgba[4 * i + 3]);
    assert.deepEqual(Array.from(s.order).slice(-2), [2, 5], 'the selection is drawn last');
    assert.equal(s.flags[3], 0, 'a dimmed hard sample loses its ring');
    assert.deepEqual(
      Array.from(computePointStyles(input({ isolate: true })).rgba),
      Array.from(computePointStyles(input()).rgba),
    );
  });
});
