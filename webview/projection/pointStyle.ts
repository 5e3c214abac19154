/**
 * Per-point appearance (colour, size, ring/selection flags) and draw order for the scatter plot,
 * from the colour mode, labels, triplet categories, losses, emphasised classes and selection.
 * Pure: the renderer uploads the arrays as they are.
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
  semiHard: Rgb;
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
  /** Diameter of an ordinary point in CSS pixels. */
  baseSize: number;
  palette: Palette;
}

/** Arrays for the GPU: RGBA (0..255), diameter (CSS px), flags, and the index order to draw in. */
export interface PointStyles { rgba: Uint8Array; size: Float32Array; flags: Uint8Array; order: Uint32Array }

/** Flag bit: draw a ring (hard samples). */
export const FLAG_RING = 1;
/** Flag bit: the point is selected. */
export const FLAG_SELECTED = 2;

/** Size multipliers per category: hard and semi-hard stand out in every colour mode. */
export const CATEGORY_SIZE: Record<number, number> = {
  [SampleCategory.None]: 1, [SampleCategory.Easy]: 1, [SampleCategory.SemiHard]: 1.45, [SampleCategory.Hard]: 1.9,
};

/** Ordinary point diameter for n points: large for a few hundred, about 2 px at 100 000. */
export function baseSize(n: number): number {
  return Math.min(8, Math.max(2, 40 / Math.sqrt(Math.sqrt(Math.max(1, n)))));
}

/** Computes colours, sizes, flags and the draw order (low priority first, so important points end on top). */
export function computePointStyles(s: StyleInput): PointStyles {
  const { n, palette: pal } = s;
  const rgba = new Uint8Array(n * 4), size = new Float32Array(n), flags = new Uint8Array(n), priority = new Uint8Array(n);
  const classRgb: Rgb[] = [];
  for (let k = 0; k < s.classCount; k++) classRgb.push(classColor(k));
  const emphasising = s.emphasis.size > 0;
  const lut = lossLut();
  for (let i = 0; i < n; i++) {
    const cat = s.category ? s.category[i] : SampleCategory.None;
    const label = s.labels[i];
    let rgb: Rgb, alpha: number;
    if (s.colorBy === 'label') {
      rgb = label >= 0 && label < s.classCount ? classRgb[label] : pal.muted;
      alpha = 0.85;
    } else if (s.colorBy === 'category') {
      [rgb, alpha] = categoryColor(cat, pal);
    } else if (s.colorBy === 'change') {
      [rgb, alpha] = changeColor(s.change ? s.change[i] : 0, pal);
    } else {
      const l = s.loss ? s.loss[i] : 0;
      rgb = lut[Math.round(255 * lossPosition(l, s.lossScale))];
      alpha = l > 0 ? 0.95 : 0.35;
    }
    let sz = s.baseSize * (CATEGORY_SIZE[cat] ?? 1);
    // The ring marks hard samples where colour does not already say it (loss colours encode it).
    let f = cat === SampleCategory.Hard && s.colorBy !== 'loss' ? FLAG_RING : 0;
    let pr = cat === SampleCategory.Hard ? 3 : cat === SampleCategory.SemiHard ? 2 : 1;
    if (emphasising) {
      if (s.emphasis.has(label)) { pr += 4; sz *= 1.25; alpha = Math.max(alpha, 0.9); }
      else { pr = 0; sz *= 0.8; alpha *= 0.15; f = 0; }
    }
    if (s.selected && s.selected[i]) { f |= FLAG_SELECTED; pr = 8; }
    rgba[4 * i] = rgb[0]; rgba[4 * i + 1] = rgb[1]; rgba[4 * i + 2] = rgb[2]; rgba[4 * i + 3] = Math.round(alpha * 255);
    size[i] = sz; flags[i] = f; priority[i] = pr;
  }
  return { rgba, size, flags, order: orderByPriority(priority) };
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
    case SampleCategory.Hard: return [pal.hard, 1];
    case SampleCategory.SemiHard: return [pal.semiHard, 0.95];
    case SampleCategory.Easy: return [pal.easy, 0.45];
    default: return [pal.muted, 0.25];
  }
}

/** Indices sorted by ascending priority (0..255), ties by index: a stable counting sort, O(n). */
export function orderByPriority(priority: Uint8Array): Uint32Array {
  const start = new Uint32Array(257);
  for (let i = 0; i < priority.length; i++) start[priority[i] + 1]++;
  for (let p = 0; p < 256; p++) start[p + 1] += start[p];
  const order = new Uint32Array(priority.length);
  for (let i = 0; i < priority.length; i++) order[start[priority[i]]++] = i;
  return order;
}

/** Number of samples per class id (ids outside [0, classCount) are not counted). */
export function classCounts(labels: Int32Array, classCount: number): Uint32Array {
  const counts = new Uint32Array(classCount);
  for (let i = 0; i < labels.length; i++) { const l = labels[i]; if (l >= 0 && l < classCount) counts[l]++; }
  return counts;
}
