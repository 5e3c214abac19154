/**
 * Per-point appearance (colour, size, ring/selection flags) and draw order for the scatter plot,
 * from the colour mode, labels, triplet categories, losses, emphasised classes and selection.
 * Pure. `computePointStyles` is the CPU reference of what the shader computes per point
 * (scatter.ts, from pointLook.ts's tables); the tests hold the two together.
 */
import { SampleCategory } from '../../src/shared/protocol';
import { classColor, lossPosition, lossRamp, type LossScale, type Rgb } from './colors';

/** What the points are coloured by. */
export type ColorBy = 'label' | 'category' | 'loss' | 'change';
/** Colour modes in selector order. */
export const COLOR_MODES: readonly ColorBy[] = ['label', 'category', 'loss', 'change'];

/** Theme-derived colours the plot uses (read from `--vscode-*` variables by theme.ts). */
export interface Palette {
  background: Rgb;
  foreground: Rgb;
  /** Neutral colour for samples without triplets and for the easy category. */
  muted: Rgb;
  hard: Rgb;
  semihard: Rgb;
  easy: Rgb;
  /** Selection ring and focus. */
  focus: Rgb;
  /** Lines to the hardest positive / to violating negatives. */
  positive: Rgb;
  negative: Rgb;
  isDark: boolean;
}

/** Everything that decides how the points look. */
export interface StyleInput {
  n: number;
  colorBy: ColorBy;
  labels: Int32Array;
  classCount: number;
  /** Per-sample category as anchor, or null before the census arrives. */
  category: Uint8Array | null;
  /** Per-sample loss as anchor, or null before the census arrives. */
  loss: Float32Array | null;
  /** Per-sample change of loss as anchor against another snapshot (B - A), or null when none was compared. */
  change?: Float32Array | null;
  /** How losses map onto the ramp (see lossScale). */
  lossScale: LossScale;
  /** Emphasised classes; when non-empty every other class is dimmed. */
  emphasis: ReadonlySet<number>;
  /** 1 where the point is selected, or null. */
  selected: Uint8Array | null;
  /** Dim every point outside the selection (a search's "isolate"). */
  isolate?: boolean;
  /** Diameter of an ordinary point in CSS pixels. */
  baseSize: number;
  palette: Palette;
}

/** Arrays for the GPU: RGBA (0..255), diameter (CSS px), flags, and the index order to draw in. */
export interface PointStyles {
  rgba: Uint8Array;
  size: Float32Array;
  flags: Uint8Array;
  order: Uint32Array;
}

/** Flag bit: draw a ring (hard samples). */
export const FLAG_RING = 1;
/** Flag bit: the point is selected. */
export const FLAG_SELECTED = 2;

/** Size multipliers per category: hard and semi-hard stand out in every colour mode. */
export const CATEGORY_SIZE: Record<number, number> = {
  [SampleCategory.None]: 1,
  [SampleCategory.Easy]: 1,
  [SampleCategory.Semihard]: 1.45,
  [SampleCategory.Hard]: 1.9,
};

/** Ordinary point diameter for n points: large for a few hundred, about 2 px at 100 000. */
export function baseSize(n: number): number {
  return Math.min(8, Math.max(2, 40 / Math.sqrt(Math.sqrt(Math.max(1, n)))));
}

/**
 * Computes colours, sizes, flags and the draw order (low priority first, so important points end
 * on top). Table-driven and monomorphic: a first pass maps each point to an entry of one colour
 * table (its class, category, change sign or loss-ramp step), a second applies size, rings,
 * emphasis and selection; a restyle of 1 000 000 points is a few tens of milliseconds.
 */
export function computePointStyles(s: StyleInput, reuse?: PointStyles): PointStyles {
  const n = s.n,
    k = s.classCount;
  // The previous arrays, when of the same size, are written over (1M points: 13 MB not reallocated per restyle).
  const same = reuse !== undefined && reuse.size.length === n;
  const { table, alphas, entry } = colourEntries(s, same ? scratch(n) : new Uint32Array(n));
  const rgba = same ? reuse.rgba : new Uint8Array(n * 4),
    size = same ? reuse.size : new Float32Array(n),
    flags = same ? reuse.flags : new Uint8Array(n);
  const priority = same ? scratchPriority(n) : new Uint8Array(n);
  // 1 for emphasised classes (index k: a label outside [0, k), never emphasised).
  const emph = new Uint8Array(k + 1);
  for (const c of s.emphasis) if (c >= 0 && c < k) emph[c] = 1;
  // Per category (0..3; other values read as None): size factor, ring, priority.
  const catSize = new Float64Array(4),
    catRing = new Uint8Array(4),
    catPriority = new Uint8Array(4);
  for (let c = 0; c < 4; c++) {
    catSize[c] = CATEGORY_SIZE[c] ?? 1;
    catRing[c] = c === SampleCategory.Hard && s.colorBy !== 'loss' ? FLAG_RING : 0;
    catPriority[c] = c === SampleCategory.Hard ? 3 : c === SampleCategory.Semihard ? 2 : 1;
  }
  const emphasising = s.emphasis.size > 0;
  const { category, labels, selected, baseSize: base } = s;
  const isolate = s.isolate === true && selected !== null;
  for (let i = 0; i < n; i++) {
    let cat = category ? category[i] : SampleCategory.None;
    if (cat > 3) cat = SampleCategory.None;
    const e = entry[i];
    let alpha = alphas[e];
    let sz = base * catSize[cat];
    let f = catRing[cat];
    let pr = catPriority[cat];
    if (emphasising) {
      const label = labels[i];
      if (label >= 0 && label < k && emph[label]) {
        pr += 4;
        sz *= 1.25;
        alpha = Math.max(alpha, 0.9);
      } else {
        pr = 0;
        sz *= 0.8;
        alpha *= 0.15;
        f = 0;
      }
    }
    if (selected && selected[i]) {
      f |= FLAG_SELECTED;
      pr = 8;
    } else if (isolate) {
      pr = 0;
      alpha *= 0.12;
      f = 0;
    }
    const j = 4 * i,
      t = 3 * e;
    rgba[j] = table[t];
    rgba[j + 1] = table[t + 1];
    rgba[j + 2] = table[t + 2];
    rgba[j + 3] = Math.round(alpha * 255);
    size[i] = sz;
    flags[i] = f;
    priority[i] = pr;
  }
  return { rgba, size, flags, order: orderByPriority(priority, same ? reuse.order : undefined) };
}

let scratchEntry = new Uint32Array(0),
  scratchPr = new Uint8Array(0);
function scratch(n: number): Uint32Array {
  if (scratchEntry.length !== n) scratchEntry = new Uint32Array(n);
  return scratchEntry;
}
function scratchPriority(n: number): Uint8Array {
  if (scratchPr.length !== n) scratchPr = new Uint8Array(n);
  return scratchPr;
}

/** A colour mode's table: rgb (3 bytes) and alpha per entry. */
export interface ColourTable {
  table: Uint8Array;
  alphas: Float64Array;
}

/**
 * The colour table of a mode. Entries: label: class c at c, then muted (labels outside the classes)
 * at k; category: SampleCategory 0..3; change: worse, better, unchanged; loss: 256 ramp steps for
 * zero (faded) losses, then 256 for positive ones.
 */
export function colourTable(colorBy: ColorBy, k: number, pal: Palette): ColourTable {
  const fill = (colours: [ArrayLike<number>, number][]) => {
    const table = new Uint8Array(3 * colours.length),
      alphas = new Float64Array(colours.length);
    colours.forEach(([rgb, a], e) => {
      table.set([rgb[0], rgb[1], rgb[2]], 3 * e);
      alphas[e] = a;
    });
    return { table, alphas };
  };
  switch (colorBy) {
    case 'label':
      return fill([...Array.from({ length: k }, (_, c): [Rgb, number] => [classColor(c), 0.85]), [pal.muted, 0.85]]);
    case 'category':
      return fill([0, 1, 2, 3].map((c) => categoryColor(c, pal)));
    case 'change':
      return fill([1, -1, 0].map((x) => changeColor(x, pal)));
    default: {
      const lut = lossLut();
      return fill([...lut.map((c): [Rgb, number] => [c, 0.35]), ...lut.map((c): [Rgb, number] => [c, 0.95])]);
    }
  }
}

/** The colour mode as one table: rgb and alpha per entry, and each point's entry. */
function colourEntries(
  s: StyleInput,
  entry: Uint32Array,
): { table: Uint8Array; alphas: Float64Array; entry: Uint32Array } {
  const { n } = s;
  const k = s.classCount;
  entry.fill(0);
  switch (s.colorBy) {
    case 'label':
      for (let i = 0; i < n; i++) {
        const l = s.labels[i];
        entry[i] = l >= 0 && l < k ? l : k;
      }
      break;
    case 'category': {
      const cat = s.category;
      if (cat) for (let i = 0; i < n; i++) entry[i] = cat[i] <= 3 ? cat[i] : SampleCategory.None;
      break;
    }
    case 'change': {
      // Before a comparison every sample is unchanged (muted).
      const d = s.change;
      if (d) for (let i = 0; i < n; i++) entry[i] = d[i] > 0 ? 0 : d[i] < 0 ? 1 : 2;
      else entry.fill(2);
      break;
    }
    default: {
      const loss = s.loss;
      if (loss)
        for (let i = 0; i < n; i++) {
          const l = loss[i];
          entry[i] = Math.round(255 * lossPosition(l, s.lossScale)) + (l > 0 ? 256 : 0);
        }
    }
  }
  return { ...colourTable(s.colorBy, k, s.palette), entry };
}

/** Change colour: worse (loss grew) in the hard colour, better in the easy-side accent, unchanged muted. */
export function changeColor(delta: number, pal: Palette): [Rgb, number] {
  if (delta > 0) return [pal.hard, 1];
  if (delta < 0) return [pal.positive, 0.8];
  return [pal.muted, 0.25];
}

let lossTable: Rgb[] | null = null;
/** The loss ramp sampled at 256 steps (a 100 000-point restyle then costs no colour conversions). */
function lossLut(): Rgb[] {
  if (!lossTable) lossTable = Array.from({ length: 256 }, (_, k) => lossRamp(k / 255));
  return lossTable;
}

/** Colour and alpha of a category: hard and semi-hard vivid, easy faded, no triplets fainter still. */
export function categoryColor(cat: number, pal: Palette): [Rgb, number] {
  switch (cat) {
    case SampleCategory.Hard:
      return [pal.hard, 1];
    case SampleCategory.Semihard:
      return [pal.semihard, 0.95];
    case SampleCategory.Easy:
      return [pal.easy, 0.45];
    default:
      return [pal.muted, 0.25];
  }
}

/** Indices sorted by ascending priority (0..255), ties by index: a stable counting sort, O(n). */
export function orderByPriority(priority: Uint8Array, into?: Uint32Array): Uint32Array {
  const start = new Uint32Array(257);
  for (let i = 0; i < priority.length; i++) start[priority[i] + 1]++;
  for (let p = 0; p < 256; p++) start[p + 1] += start[p];
  const order = into && into.length === priority.length ? into : new Uint32Array(priority.length);
  for (let i = 0; i < priority.length; i++) order[start[priority[i]]++] = i;
  return order;
}

/** Number of samples per class id (ids outside [0, classCount) are not counted). */
export function classCounts(labels: Int32Array, classCount: number): Uint32Array {
  const counts = new Uint32Array(classCount);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l >= 0 && l < classCount) counts[l]++;
  }
  return counts;
}
