import * as assert from './assert';
import {
  classColor,
  deltaE76,
  GLASBEY_32,
  lchToSrgb,
  lossPosition,
  lossRamp,
  lossScale,
  parseCssColor,
  srgbToLab,
  type Rgb,
} from '../../../webview/projection/colors';

const near = (a: number, b: number, eps: number, what = '') =>
  assert.ok(Math.abs(a - b) <= eps, `${what} ${a} != ${b}`);

describe('projection colours', () => {
  it('parses the colour forms VS Code puts in --vscode-* variables', () => {
    assert.deepEqual(parseCssColor('#1e1e1e'), [30, 30, 30, 1]);
    assert.deepEqual(parseCssColor('  #FFF '), [255, 255, 255, 1]);
    assert.deepEqual(parseCssColor('#80808059'), [128, 128, 128, 0x59 / 255]);
    assert.deepEqual(parseCssColor('#f008'), [255, 0, 0, 0x88 / 255]);
    assert.deepEqual(parseCssColor('rgba(0, 0, 0, 0.36)'), [0, 0, 0, 0.36]);
    assert.deepEqual(parseCssColor('rgb(10 20 30 / 50%)'), [10, 20, 30, 0.5]);
    assert.deepEqual(parseCssColor('rgb(100%, 0%, 50%)'), [255, 0, 128, 1]);
    for (const bad of ['', 'red', '#12', '#12345', 'rgb(1,2)', 'rgb(a,b,c)', 'var(--x)'])
      assert.equal(parseCssColor(bad), null, bad);
  });

  it('converts sRGB to CIELAB like the published reference values (D65)', () => {
    const cases: [Rgb, [number, number, number]][] = [
      [
        [255, 255, 255],
        [100, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      [
        [255, 0, 0],
        [53.24, 80.09, 67.2],
      ],
      [
        [0, 255, 0],
        [87.73, -86.18, 83.18],
      ],
      [
        [0, 0, 255],
        [32.3, 79.19, -107.86],
      ],
      [
        [128, 128, 128],
        [53.59, 0, 0],
      ],
    ];
    for (const [rgb, lab] of cases) {
      const got = srgbToLab(rgb);
      for (let k = 0; k < 3; k++) near(got[k], lab[k], 0.02, `${rgb} channel ${k}`);
    }
  });

  it('round-trips LCh -> sRGB -> Lab for in-gamut colours and keeps hue when reducing chroma', () => {
    for (const [L, C, h] of [
      [60, 30, 20],
      [55, 25, 200],
      [70, 25, 300],
    ]) {
      const lab = srgbToLab(lchToSrgb(L, C, h));
      near(lab[0], L, 0.6, 'L');
      near(Math.hypot(lab[1], lab[2]), C, 0.8, 'C');
      near(((Math.atan2(lab[2], lab[1]) * 180) / Math.PI + 360) % 360, h, 1.5, 'h');
    }
    // Far out of gamut: lightness and hue kept, chroma reduced.
    const lab = srgbToLab(lchToSrgb(60, 200, 140));
    near(lab[0], 60, 1, 'L');
    near(((Math.atan2(lab[2], lab[1]) * 180) / Math.PI + 360) % 360, 140, 2.5, 'h');
  });

  it('keeps the first 32 class colours far apart and readable on light and dark backgrounds', () => {
    assert.equal(GLASBEY_32.length, 32);
    const cols = Array.from({ length: 32 }, (_, k) => classColor(k));
    let minPair = Infinity;
    for (let i = 0; i < 32; i++) for (let j = 0; j < i; j++) minPair = Math.min(minPair, deltaE76(cols[i], cols[j]));
    assert.ok(minPair >= 25, `closest pair dE ${minPair}`);
    for (const c of cols) {
      const L = srgbToLab(c)[0];
      assert.ok(L >= 40 && L <= 82, `L* ${L} of ${c}: too close to white or to #1e1e1e`);
      assert.ok(deltaE76(c, [128, 128, 128]) >= 20, `${c} looks like the grey of easy points`);
    }
  });

  it('stays distinguishable past 32 classes (golden-angle hues)', () => {
    const cols = Array.from({ length: 120 }, (_, k) => classColor(k));
    const keys = new Set(cols.map((c) => c.join(',')));
    assert.equal(keys.size, 120, 'all distinct');
    // Neighbouring ids (which often sit side by side in a legend or a plot) differ clearly.
    for (let k = 33; k < 120; k++) assert.ok(deltaE76(cols[k], cols[k - 1]) >= 20, `classes ${k - 1} and ${k}`);
    for (const c of cols) for (const v of c) assert.ok(Number.isInteger(v) && v >= 0 && v <= 255);
  });

  it('ramps loss from the low stop to the high stop, monotone in hue path', () => {
    assert.deepEqual(lossRamp(0), [0x5b, 0x7a, 0x99]);
    assert.deepEqual(lossRamp(0.5), [0xf2, 0xb0, 0x1e]);
    assert.deepEqual(lossRamp(1), [0xe0, 0x3b, 0x2d]);
    assert.deepEqual(lossRamp(-3), lossRamp(0));
    assert.deepEqual(lossRamp(7), lossRamp(1));
    assert.deepEqual(lossRamp(NaN), lossRamp(0));
    // The way from low to high passes through distinct colours: consecutive steps are small, ends far apart.
    for (let k = 1; k <= 20; k++) assert.ok(deltaE76(lossRamp(k / 20), lossRamp((k - 1) / 20)) < 15);
    assert.ok(deltaE76(lossRamp(0), lossRamp(1)) > 60);
  });

  it('scales loss logarithmically between the median and the 99th percentile', () => {
    const values = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) values[i] = i < 200 ? 0 : i - 199; // 800 positive values 1..800
    const s = lossScale(values);
    assert.equal(s.ref, 400); // sorted[floor(0.5 * 799)] = 400
    assert.equal(s.max, 792); // sorted[floor(0.99 * 799)] = 792
    assert.equal(lossPosition(0, s), 0);
    assert.equal(lossPosition(-1, s), 0);
    assert.equal(lossPosition(1e9, s), 1);
    near(lossPosition(400, s), Math.log(2) / Math.log1p(792 / 400), 1e-12);
    assert.ok(lossPosition(10, s) < lossPosition(11, s));
    assert.deepEqual(lossScale(new Float32Array([0, NaN, -1])), { ref: 0, max: 0 });
    assert.equal(lossPosition(5, { ref: 0, max: 0 }), 0);
  });

  it('the float32 radix selection equals the selection on the same values as numbers (infinities, -0, negatives, subnormals, ties)', () => {
    let seed = 5;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const special = [Infinity, -Infinity, -0, 0, -3, 1e-42, 3e38, NaN];
    for (const m of [1, 7, 300, 20000]) {
      const values = Float32Array.from({ length: m }, (_, i) =>
        i % 11 === 0 ? special[i % special.length] : rnd() < 0.2 ? Math.fround(2.5) : Math.exp(20 * rnd() - 10),
      );
      const pos = Array.from(values)
        .filter((v) => v > 0 && Number.isFinite(v))
        .sort((a, b) => a - b);
      const at = (q: number) => pos[Math.min(pos.length - 1, Math.floor(q * (pos.length - 1)))];
      assert.deepEqual(
        lossScale(values),
        pos.length ? { ref: at(0.5), max: at(0.99) } : { ref: 0, max: 0 },
        `float32, m = ${m}`,
      );
      assert.deepEqual(lossScale(Array.from(values)), lossScale(values), `plain array, m = ${m}`);
    }
  });

  it('the float32 radix selection skips zeros when the order statistics lie among the smallest subnormals', () => {
    // Positive float32s below 2^-133 share the zeros' high 16 bits (bucket 0).
    for (const zeros of [0, 1, 100]) {
      const tiny = [3e-45, 1e-44, 2e-44, 3e-44, 4e-44].map(Math.fround);
      const values = Float32Array.from([...new Array<number>(zeros).fill(0), ...tiny, -0]);
      assert.deepEqual(lossScale(values), { ref: tiny[2], max: tiny[3] }, `${zeros} zeros`);
    }
    // One order statistic in bucket 0, the other above it.
    const values = Float32Array.from([0, 0, 0, 1e-44, 2e-44, 3e-44, 1, 2].map(Math.fround));
    assert.deepEqual(lossScale(values), { ref: Math.fround(3e-44), max: Math.fround(1) });
    const low = Float32Array.from([0, 0, 1e-44, 2e-44, 3e-44, 4e-44, 5e-44, 1].map(Math.fround));
    assert.deepEqual(lossScale(low), { ref: Math.fround(3e-44), max: Math.fround(5e-44) });
  });

  it('the scale by selection equals the sorted order statistics (shuffled, with ties, zeros and NaN)', () => {
    let seed = 9;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const m of [1, 2, 3, 10, 101, 5000]) {
      const values = Float32Array.from({ length: m + 40 }, (_, i) =>
        i < 20 ? 0 : i < 30 ? NaN : Math.floor(rnd() * (m / 3 + 1)) + rnd() * (i % 3 === 0 ? 0 : 1),
      );
      const pos = Array.from(values)
        .filter((v) => v > 0 && Number.isFinite(v))
        .sort((a, b) => a - b);
      const at = (q: number) => pos[Math.min(pos.length - 1, Math.floor(q * (pos.length - 1)))];
      assert.deepEqual(
        lossScale(values),
        pos.length ? { ref: at(0.5), max: at(0.99) } : { ref: 0, max: 0 },
        `m = ${m}`,
      );
    }
  });
});
