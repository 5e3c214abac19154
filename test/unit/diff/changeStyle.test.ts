/**
 * The projection's "change" colour mode (webview/projection/pointStyle.ts, pure): a sample whose
 * loss as anchor grew is drawn in the hard colour, one that improved in the accent colour,
 * unchanged ones muted; before any comparison everything is muted.
 */
import * as assert from 'node:assert/strict';
import { computePointStyles, COLOR_MODES, type Palette } from '../../../webview/projection/pointStyle';

const pal: Palette = {
  background: [0, 0, 0],
  foreground: [255, 255, 255],
  muted: [128, 128, 128],
  hard: [220, 0, 0],
  semihard: [220, 150, 0],
  easy: [90, 90, 90],
  focus: [0, 120, 255],
  positive: [0, 180, 80],
  negative: [200, 0, 200],
  isDark: true,
};

function styles(change: Float32Array | null) {
  return computePointStyles({
    n: 4,
    colorBy: 'change',
    labels: Int32Array.from([0, 0, 1, 1]),
    classCount: 2,
    category: null,
    loss: null,
    change,
    lossScale: { ref: 0, max: 0 },
    emphasis: new Set(),
    selected: null,
    baseSize: 4,
    palette: pal,
  });
}

describe('projection colour by change', () => {
  it('is offered as a colour mode', () => assert.ok(COLOR_MODES.includes('change')));

  it('worse in the hard colour, better in the accent, unchanged muted', () => {
    const s = styles(Float32Array.from([2.5, -1, 0, 1e-7]));
    const rgb = (i: number) => Array.from(s.rgba.subarray(4 * i, 4 * i + 3));
    assert.deepEqual(rgb(0), pal.hard);
    assert.deepEqual(rgb(1), pal.positive);
    assert.deepEqual(rgb(2), pal.muted);
    assert.deepEqual(rgb(3), pal.hard, 'any growth counts as worse');
    assert.ok(s.rgba[3] > s.rgba[11], 'worse is more opaque than unchanged');
  });

  it('everything muted before a comparison', () => {
    const s = styles(null);
    for (let i = 0; i < 4; i++) assert.deepEqual(Array.from(s.rgba.subarray(4 * i, 4 * i + 3)), pal.muted);
  });
});
