/**
 * What the shader needs to style every point itself (scatter.ts): the colour mode's table, the
 * alphas, sizes and emphasised classes — all O(classes), rebuilt on any change — and the draw order,
 * O(n), rebuilt only when the category, emphasis or selection changed. The per-point inputs (label,
 * category, loss or change, selected) are uploaded as they arrive, so a census at a new margin
 * uploads its 1-byte categories and nothing is computed per point for the colours.
 * Pure; `computePointStyles` (pointStyle.ts) is the CPU reference of the same mapping.
 */
import { SampleCategory } from '../../src/shared/protocol';
import type { LossScale } from './colors';
import { CATEGORY_SIZE, colourTable, orderByPriority, type ColorBy, type Palette } from './pointStyle';

/** Colour modes as the shader numbers them. */
export const MODE_INDEX: Readonly<Record<ColorBy, number>> = { label: 0, category: 1, loss: 2, change: 3 };

/** Uniforms and small tables of the shader's styling. */
export interface PointLook {
  /** MODE_INDEX of the colour mode. */
  mode: number;
  classCount: number;
  /** RGBA8 texels, one per colour-table entry (see colourTable; alpha unused, see `alphas`). */
  colours: Uint8Array;
  entries: number;
  /**
   * Alpha by slot: label [all]; category and change: per entry; loss: [zero loss, positive loss].
   * Every mode's alpha depends on at most four cases, so they travel as uniforms, exactly.
   */
  alphas: Float32Array;
  /** 255 (1.0 in the shader's R8 table) for emphasised classes, length classCount + 1 (the last stands for labels
   * outside the classes); null when none is. */
  emphasis: Uint8Array | null;
  /** Diameter of an ordinary point, CSS px, and the factor per category. */
  baseSize: number;
  catSize: Float32Array;
  /** Hard samples get a ring (every mode but loss, where the colour says it). */
  ringOnHard: boolean;
  /** Dim every point that is not selected (a search's isolate with a selection). */
  isolate: boolean;
  lossScale: LossScale;
}

/** What decides the look (a subset of StyleInput). */
export interface LookInput {
  colorBy: ColorBy;
  classCount: number;
  emphasis: ReadonlySet<number>;
  /** True when isolating and something is selected. */
  isolate: boolean;
  baseSize: number;
  palette: Palette;
  lossScale: LossScale;
}

/** The shader's tables and uniforms for this look. */
export function pointLook(s: LookInput): PointLook {
  const k = s.classCount;
  const { table, alphas } = colourTable(s.colorBy, k, s.palette);
  const entries = alphas.length;
  const colours = new Uint8Array(4 * entries);
  for (let e = 0; e < entries; e++) {
    colours[4 * e] = table[3 * e];
    colours[4 * e + 1] = table[3 * e + 1];
    colours[4 * e + 2] = table[3 * e + 2];
    colours[4 * e + 3] = 255;
  }
  const slots = new Float32Array(4);
  if (s.colorBy === 'label') slots[0] = alphas[0];
  else if (s.colorBy === 'loss') {
    slots[0] = alphas[0];
    slots[1] = alphas[256];
  } else for (let e = 0; e < entries; e++) slots[e] = alphas[e];
  let emphasis: Uint8Array | null = null;
  if (s.emphasis.size > 0) {
    emphasis = new Uint8Array(k + 1);
    for (const c of s.emphasis) if (Number.isInteger(c) && c >= 0 && c < k) emphasis[c] = 255;
  }
  const catSize = new Float32Array(4);
  for (let c = 0; c < 4; c++) catSize[c] = CATEGORY_SIZE[c] ?? 1;
  return {
    mode: MODE_INDEX[s.colorBy],
    classCount: k,
    colours,
    entries,
    alphas: slots,
    emphasis,
    baseSize: s.baseSize,
    catSize,
    ringOnHard: s.colorBy !== 'loss',
    isolate: s.isolate,
    lossScale: s.lossScale,
  };
}

let scratch = new Uint8Array(0);

/**
 * The draw order, low priority first so important points end on top: priority 1 (none / easy),
 * 2 (semi-hard), 3 (hard); with emphasised classes +4 for theirs and 0 for the rest; selected 8;
 * isolating, unselected 0. Ties by index. The same order as computePointStyles, in two passes.
 */
export function drawOrder(
  n: number,
  labels: Int32Array,
  classCount: number,
  category: Uint8Array | null,
  emphasis: ReadonlySet<number>,
  selected: Uint8Array | null,
  isolate: boolean,
  into?: Uint32Array,
): Uint32Array {
  // Priority per category byte (values above 3 read as None).
  const byCat = new Uint8Array(256).fill(1);
  byCat[SampleCategory.Semihard] = 2;
  byCat[SampleCategory.Hard] = 3;
  const order = into && into.length === n ? into : new Uint32Array(n);
  if (emphasis.size === 0 && !selected) {
    // A census at a new margin: two passes over the 1-byte categories (count, place), no priority array.
    if (!category) {
      for (let i = 0; i < n; i++) order[i] = i;
      return order;
    }
    const start = new Uint32Array(257);
    for (let i = 0; i < n; i++) start[byCat[category[i]] + 1]++;
    for (let p = 0; p < 256; p++) start[p + 1] += start[p];
    for (let i = 0; i < n; i++) order[start[byCat[category[i]]]++] = i;
    return order;
  }
  if (scratch.length !== n) scratch = new Uint8Array(n);
  const pr = scratch;
  if (category) for (let i = 0; i < n; i++) pr[i] = byCat[category[i]];
  else pr.fill(1);
  if (emphasis.size > 0) {
    const k = classCount,
      emph = new Uint8Array(k + 1);
    for (const c of emphasis) if (c >= 0 && c < k) emph[c] = 1;
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      pr[i] = l >= 0 && l < k && emph[l] ? pr[i] + 4 : 0;
    }
  }
  if (selected)
    for (let i = 0; i < n; i++)
      if (selected[i]) pr[i] = 8;
      else if (isolate) pr[i] = 0;
  return orderByPriority(pr, order);
}
