import * as assert from './assert';
import { drawOrder, MODE_INDEX, pointLook } from '../../../webview/projection/pointLook';
import { computePointStyles, type Palette } from '../../../webview/projection/pointStyle';
import { Styler, type StyleState } from '../../../webview/projection/styler';

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

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
}

describe('the shader path: draw order and look', () => {
  it('orders points exactly as the CPU reference (every combination of census, emphasis, selection, isolate)', () => {
    const rnd = rng(3),
      n = 500,
      k = 7;
    const labels = Int32Array.from({ length: n }, (_, i) =>
      i % 31 === 0 ? -2 : i % 37 === 0 ? 50 : Math.floor(rnd() * k),
    );
    const category = Uint8Array.from({ length: n }, (_, i) => (i % 23 === 0 ? 9 : Math.floor(rnd() * 4)));
    const selected = Uint8Array.from({ length: n }, () => (rnd() < 0.2 ? 1 : 0));
    let cases = 0;
    for (const cat of [null, category])
      for (const emphasis of [new Set<number>(), new Set([2, 5, 50])])
        for (const sel of [null, selected])
          for (const isolate of [false, true]) {
            const ref = computePointStyles({
              n,
              colorBy: 'label',
              labels,
              classCount: k,
              category: cat,
              loss: null,
              lossScale: { ref: 0, max: 0 },
              emphasis,
              selected: sel,
              isolate,
              baseSize: 4,
              palette,
            });
            const got = drawOrder(n, labels, k, cat, emphasis, sel, isolate && sel !== null);
            assert.deepEqual(
              Array.from(got),
              Array.from(ref.order),
              `category ${cat !== null}, emphasis ${emphasis.size}, selection ${sel !== null}, isolate ${isolate}`,
            );
            cases++;
          }
    assert.equal(cases, 16);
  });

  it('carries each mode’s colour table and alphas as the reference uses them', () => {
    const k = 3;
    const labels = new Int32Array([0, 1, 2, 7]),
      category = new Uint8Array([0, 1, 2, 3]);
    for (const colorBy of ['label', 'category', 'loss', 'change'] as const) {
      const look = pointLook({
        colorBy,
        classCount: k,
        emphasis: new Set(),
        isolate: false,
        baseSize: 4,
        palette,
        lossScale: { ref: 1, max: 4 },
      });
      assert.equal(look.mode, MODE_INDEX[colorBy]);
      assert.equal(look.entries, { label: k + 1, category: 4, loss: 512, change: 3 }[colorBy]);
      assert.equal(look.ringOnHard, colorBy !== 'loss');
      if (colorBy === 'category') {
        // Entry c is category c's colour, its alpha in slot c: the reference's rgba for a point of each category.
        const ref = computePointStyles({
          n: 4,
          colorBy,
          labels,
          classCount: k,
          category,
          loss: null,
          lossScale: { ref: 0, max: 0 },
          emphasis: new Set(),
          selected: null,
          baseSize: 4,
          palette,
        });
        for (let c = 0; c < 4; c++) {
          assert.deepEqual(
            Array.from(look.colours.subarray(4 * c, 4 * c + 3)),
            Array.from(ref.rgba.subarray(4 * c, 4 * c + 3)),
          );
          assert.equal(Math.round(look.alphas[c] * 255), ref.rgba[4 * c + 3]);
        }
      }
    }
    const emph = pointLook({
      colorBy: 'label',
      classCount: k,
      emphasis: new Set([1, 9, -1]),
      isolate: false,
      baseSize: 4,
      palette,
      lossScale: { ref: 0, max: 0 },
    });
    assert.deepEqual(
      Array.from(emph.emphasis!),
      [0, 255, 0, 0],
      'emphasised class 1 only; out-of-range ids and the unknown-label slot never',
    );
  });

  it('recomputes the order only when categories, emphasis or selection change; the loss scale only for the loss mode', () => {
    const n = 1000,
      labels = Int32Array.from({ length: n }, (_, i) => i % 5);
    const category = Uint8Array.from({ length: n }, (_, i) => i % 4),
      loss = Float32Array.from({ length: n }, (_, i) => i % 3);
    const state: StyleState = {
      n,
      labels,
      classCount: 5,
      colorBy: 'label',
      category,
      loss,
      change: null,
      emphasis: new Set(),
      selected: null,
      isolate: false,
      baseSize: 4,
      palette,
    };
    const s = new Styler();
    assert.ok(s.inputs(state).order, 'first time: an order');
    assert.equal(s.inputs({ ...state, colorBy: 'category' }).order, undefined, 'a colour mode changes no order');
    assert.deepEqual(s.lossScale(state), { ref: 0, max: 0 }, 'no loss scale while colouring by label');
    const byLoss = s.inputs({ ...state, colorBy: 'loss' });
    assert.equal(byLoss.values, loss, 'the losses are the shader’s values when colouring by loss');
    assert.ok(byLoss.look!.lossScale.max > 0);
    assert.ok(s.inputs({ ...state, category: category.slice() }).order, 'a new census: a new order');
    assert.ok(s.inputs({ ...state, category: state.category, emphasis: new Set([1]) }).order, 'emphasis: a new order');
    assert.deepEqual(s.categoryCounts(category), [250, 250, 250, 250]);
  });
});
