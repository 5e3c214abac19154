/**
 * Colour mapping for the projection: class palette, loss ramp, CSS colour parsing and the CIELAB
 * conversions they rest on. Pure (no DOM), so it runs in Node unit tests.
 */

/** An sRGB colour, channels 0..255. */
export type Rgb = [number, number, number];
/** An sRGB colour with alpha: channels 0..255, alpha 0..1. */
export type Rgba = [number, number, number, number];

/**
 * 32 class colours chosen greedily (Glasbey's method): each one maximises its smallest CIELAB
 * distance to those before it and to white, #1e1e1e and mid grey, among sRGB colours with
 * 42 <= L* <= 80 and chroma >= 28, so every class reads on light and dark themes and none looks
 * like the grey used for "easy" points. Smallest pairwise dE76: 55 among the first 10, 39 among 20, 30 among 32.
 */
export const GLASBEY_32: readonly string[] = [
  '#5078a5',
  '#00e600',
  '#8c00ff',
  '#ff0000',
  '#ebbe0a',
  '#ff37a5',
  '#1edca0',
  '#0069f5',
  '#4b6e00',
  '#a05014',
  '#f0aaff',
  '#ff919b',
  '#28d7eb',
  '#a02db9',
  '#d2c37d',
  '#a0d746',
  '#d20041',
  '#9b467d',
  '#007d5f',
  '#ff8200',
  '#ff00fa',
  '#00a032',
  '#009bff',
  '#ffa569',
  '#7d64be',
  '#9b7d00',
  '#96d2af',
  '#965550',
  '#b4c3ff',
  '#736432',
  '#ff694b',
  '#ff7dff',
];

const GOLDEN_ANGLE = 137.50776405003785;
const FIXED = GLASBEY_32.map((h) => parseCssColor(h)!.slice(0, 3) as Rgb);

/**
 * Colour of class k. The first 32 come from {@link GLASBEY_32}; beyond that hues step by the golden
 * angle in CIE LCh (so neighbouring ids differ most) with three lightness levels alternating.
 */
export function classColor(k: number): Rgb {
  if (k >= 0 && k < FIXED.length) return [...FIXED[k]] as Rgb;
  const j = Math.max(0, k - FIXED.length);
  const hue = (j * GOLDEN_ANGLE + 20) % 360;
  const lightness = [62, 48, 74][j % 3];
  return lchToSrgb(lightness, 55, hue);
}

/** Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(...)` and `rgba(...)`; null when it cannot. */
export function parseCssColor(text: string): Rgba | null {
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    let h = m[1];
    if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join('');
    if (h.length !== 6 && h.length !== 8) return null;
    const v = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return [v(0), v(2), v(4), h.length === 8 ? v(6) / 255 : 1];
  }
  m = /^rgba?\(([^)]*)\)$/.exec(s);
  if (!m) return null;
  const parts = m[1].split(/[\s,/]+/).filter((p) => p.length > 0);
  if (parts.length < 3 || parts.length > 4) return null;
  const channel = (p: string) => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
  const rgb = parts.slice(0, 3).map(channel);
  const a = parts.length === 4 ? (parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
  if (![...rgb, a].every(Number.isFinite)) return null;
  const clamp = (x: number, hi: number) => Math.min(hi, Math.max(0, x));
  return [Math.round(clamp(rgb[0], 255)), Math.round(clamp(rgb[1], 255)), Math.round(clamp(rgb[2], 255)), clamp(a, 1)];
}

const WHITE_D65 = [0.95047, 1.0, 1.08883];
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const fromLinear = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);

/** sRGB (0..255) to CIELAB (D65). */
export function srgbToLab(rgb: Rgb): [number, number, number] {
  const [r, g, b] = rgb.map((c) => toLinear(c / 255));
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / WHITE_D65[0];
  const y = (0.2126729 * r + 0.7151522 * g + 0.072175 * b) / WHITE_D65[1];
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / WHITE_D65[2];
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const fx = f(x),
    fy = f(y),
    fz = f(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIELAB to linear-light sRGB, unclamped (channels may leave [0, 1] when out of gamut). */
function labToLinear(L: number, a: number, b: number): [number, number, number] {
  const fy = (L + 16) / 116,
    fx = fy + a / 500,
    fz = fy - b / 200;
  const inv = (t: number) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));
  const x = inv(fx) * WHITE_D65[0],
    y = inv(fy) * WHITE_D65[1],
    z = inv(fz) * WHITE_D65[2];
  return [
    3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
    -0.969266 * x + 1.8760108 * y + 0.041556 * z,
    0.0556434 * x - 0.2040259 * y + 1.0572252 * z,
  ];
}

/** CIELAB to sRGB (0..255), clamped. */
export function labToSrgb(L: number, a: number, b: number): Rgb {
  return labToLinear(L, a, b).map((c) => Math.round(255 * fromLinear(Math.min(1, Math.max(0, c))))) as Rgb;
}

/**
 * CIE LCh (hue in degrees) to sRGB. Out-of-gamut colours keep their lightness and hue and lose
 * chroma (bisection) rather than being clipped per channel, which would shift the hue.
 */
export function lchToSrgb(L: number, C: number, hueDeg: number): Rgb {
  const h = (hueDeg * Math.PI) / 180;
  const inGamut = (c: number) =>
    labToLinear(L, c * Math.cos(h), c * Math.sin(h)).every((v) => v >= -1e-6 && v <= 1 + 1e-6);
  let c = C;
  if (!inGamut(c)) {
    let lo = 0,
      hi = C;
    for (let i = 0; i < 24; i++) {
      const mid = (lo + hi) / 2;
      if (inGamut(mid)) lo = mid;
      else hi = mid;
    }
    c = lo;
  }
  return labToSrgb(L, c * Math.cos(h), c * Math.sin(h));
}

/** Euclidean distance in CIELAB (CIE76 delta E) between two sRGB colours. */
export function deltaE76(p: Rgb, q: Rgb): number {
  const a = srgbToLab(p),
    b = srgbToLab(q);
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Loss ramp stops (t = 0, 0.5, 1): muted steel blue, amber, red; all mid-lightness so both themes show them. */
const LOSS_STOPS: Rgb[] = [
  [0x5b, 0x7a, 0x99],
  [0xf2, 0xb0, 0x1e],
  [0xe0, 0x3b, 0x2d],
];
const LOSS_LAB = LOSS_STOPS.map(srgbToLab);

/** Colour of a normalised loss t in [0, 1] (clamped), interpolated in CIELAB between the stops. */
export function lossRamp(t: number): Rgb {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (LOSS_LAB.length - 1);
  const i = Math.min(LOSS_LAB.length - 2, Math.floor(u));
  const f = u - i,
    p = LOSS_LAB[i],
    q = LOSS_LAB[i + 1];
  return labToSrgb(p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1]), p[2] + f * (q[2] - p[2]));
}

/** How losses map onto the ramp: `ref` (median positive loss) and `max` (99th percentile). */
export interface LossScale {
  ref: number;
  max: number;
}

/**
 * The loss scale of a set of per-sample losses. Losses as anchor are sums over many triplets and
 * span orders of magnitude, so the ramp is logarithmic around the median and tops out at the 99th
 * percentile (one outlier does not wash the rest out). {ref: 0, max: 0} when no loss is positive.
 */
export function lossScale(values: ArrayLike<number>): LossScale {
  if (values instanceof Float32Array) return lossScaleFloat32(values);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0 && Number.isFinite(v)) m++;
  }
  if (m === 0) return { ref: 0, max: 0 };
  const pos = new Float64Array(m);
  for (let i = 0, j = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0 && Number.isFinite(v)) pos[j++] = v;
  }
  // Two order statistics by selection (O(m)) instead of a sort: 1 000 000 losses in a few ms.
  const rank = (q: number) => Math.min(m - 1, Math.floor(q * (m - 1)));
  const r50 = rank(0.5),
    r99 = rank(0.99);
  const ref = selectKth(pos, r50, 0, m - 1);
  return { ref, max: selectKth(pos, r99, r50, m - 1) };
}

/**
 * lossScale of float32 losses by radix selection: a positive finite float32's bits, read as an
 * unsigned integer, order like its value, so each order statistic is found with a histogram of
 * the high 16 bits and one of the low 16 bits within the bucket that holds it — two linear passes,
 * no copy. The same values as the selection above. Each pass is its own small function: a census
 * calls this once, so the loops must run fast on their first call (one function holding every loop
 * was optimised on the stack inside its first loop, then thrown back to the interpreter at the next
 * one, about 20 ms at 1 000 000 losses instead of 3).
 */
function lossScaleFloat32(values: Float32Array): LossScale {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const high = new Int32Array(65536);
  const m = highHistogram(bits, high);
  if (m === 0) return { ref: 0, max: 0 };
  const rank = (q: number) => Math.min(m - 1, Math.floor(q * (m - 1)));
  const r50 = rank(0.5),
    r99 = rank(0.99);
  const b50 = bucketOf(high, r50),
    b99 = bucketOf(high, r99);
  const low50 = new Int32Array(65536),
    low99 = b99 === b50 ? low50 : new Int32Array(65536);
  lowHistograms(bits, b50, low50, b99, low99);
  return {
    ref: floatOf(b50, bucketOf(low50, r50 - below(high, b50))),
    max: floatOf(b99, bucketOf(low99, r99 - below(high, b99))),
  };
}

/** +Infinity's bits: NaN lies above, negatives (sign bit) above both, +0 is 0. */
const INF_BITS = 0x7f800000;

/** Counts the positive finite values' high 16 bits into `high`; returns how many there are. */
function highHistogram(bits: Uint32Array, high: Int32Array): number {
  let m = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if (b > 0 && b < INF_BITS) {
      high[b >>> 16]++;
      m++;
    }
  }
  return m;
}

/**
 * Counts the low 16 bits of the values in high bucket `b1` into `low1`, and of those in `b2` into `low2` (the same
 * array when b1 = b2). Only positive finite values: NaN's and negatives' buckets lie above every positive finite one,
 * and +0, in bucket 0 at low bits 0, is taken out at the end (cheaper than testing every value).
 */
function lowHistograms(bits: Uint32Array, b1: number, low1: Int32Array, b2: number, low2: Int32Array): void {
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i],
      h = b >>> 16;
    if (h === b1) low1[b & 0xffff]++;
    else if (h === b2) low2[b & 0xffff]++;
  }
  if (b1 === 0) low1[0] = 0;
  if (b2 === 0) low2[0] = 0;
}

/** The bucket of a histogram that holds the value of rank r (0-based). */
function bucketOf(hist: Int32Array, r: number): number {
  let seen = 0,
    h = 0;
  while (seen + hist[h] <= r) seen += hist[h++];
  return h;
}

/** How many values lie in the buckets below b. */
function below(hist: Int32Array, b: number): number {
  let seen = 0;
  for (let h = 0; h < b; h++) seen += hist[h];
  return seen;
}

const WORD = new Uint32Array(1),
  AS_FLOAT = new Float32Array(WORD.buffer);

/** The float32 whose bits are high << 16 | low. */
function floatOf(high: number, low: number): number {
  WORD[0] = ((high << 16) | low) >>> 0;
  return AS_FLOAT[0];
}

/**
 * The k-th smallest of a[lo..hi] (Hoare's quickselect with a median-of-three pivot), partially
 * reordering it so every value before k is <= a[k] and every value after is >= a[k].
 */
function selectKth(a: Float64Array, k: number, lo: number, hi: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three to a[mid].
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Position of loss l on the ramp, 0..1: log1p(l / ref) / log1p(max / ref), 0 for l <= 0, clamped. */
export function lossPosition(l: number, s: LossScale): number {
  if (!(l > 0) || !(s.max > 0) || !(s.ref > 0)) return 0;
  return Math.min(1, Math.log1p(l / s.ref) / Math.log1p(s.max / s.ref));
}

/** `rgb(r g b / a)` for CSS. */
export function cssRgb(c: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${c[0]} ${c[1]} ${c[2]})` : `rgb(${c[0]} ${c[1]} ${c[2]} / ${alpha})`;
}

/** Relative luminance (WCAG) of an sRGB colour, 0 (black) .. 1 (white). */
export function luminance(c: Rgb): number {
  const [r, g, b] = c.map((v) => toLinear(v / 255));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
