/**
 * Turns the panel's state (colour mode, census, change, emphasis, selection) into the shader's
 * inputs, doing per-point work only for what changed: the draw order when the categories, emphasis
 * or selection changed (pointLook.ts drawOrder), the loss scale once per census and only when
 * colouring by loss, the category counts once per census. Everything else is the look: O(classes).
 */
import { lossScale as computeLossScale, type LossScale } from './colors';
import { drawOrder, pointLook } from './pointLook';
import type { PointInputs } from './plotView';
import type { ColorBy, Palette } from './pointStyle';

/** The state the points are styled from. */
export interface StyleState {
  n: number;
  labels: Int32Array;
  classCount: number;
  colorBy: ColorBy;
  category: Uint8Array | null;
  loss: Float32Array | null;
  change: Float32Array | null;
  /** Replace the set (do not mutate it) when it changes: identity says whether the order is stale. */
  emphasis: ReadonlySet<number>;
  selected: Uint8Array | null;
  isolate: boolean;
  baseSize: number;
  palette: Palette;
}

const NO_LOSS: LossScale = { ref: 0, max: 0 };

/** Remembers what it last computed per point. */
export class Styler {
  private order: Uint32Array | undefined;
  private orderFrom: unknown[] = [];
  private scaleOf: { loss: Float32Array; scale: LossScale } | null = null;
  private countsOf: { category: Uint8Array; counts: number[] } | null = null;

  /** The inputs to give the plot for state s. */
  inputs(s: StyleState): PointInputs {
    const isolate = s.isolate && s.selected !== null;
    const from = [s.n, s.labels, s.category, s.emphasis, s.selected, isolate];
    const out: PointInputs = {};
    if (!this.order || from.some((x, i) => x !== this.orderFrom[i])) {
      this.order = drawOrder(s.n, s.labels, s.classCount, s.category, s.emphasis, s.selected, isolate, this.order);
      this.orderFrom = from;
      out.order = this.order;
    }
    out.labels = s.labels;
    out.category = s.category;
    out.selected = s.selected;
    out.values = s.colorBy === 'loss' ? s.loss : s.colorBy === 'change' ? s.change : null;
    out.look = pointLook({
      colorBy: s.colorBy,
      classCount: s.classCount,
      emphasis: s.emphasis,
      isolate,
      baseSize: s.baseSize,
      palette: s.palette,
      lossScale: this.lossScale(s),
    });
    return out;
  }

  /** How losses map onto the ramp: computed from the census's losses when colouring by loss, else zero. */
  lossScale(s: Pick<StyleState, 'colorBy' | 'loss'>): LossScale {
    if (s.colorBy !== 'loss' || !s.loss) return NO_LOSS;
    if (this.scaleOf?.loss !== s.loss) this.scaleOf = { loss: s.loss, scale: computeLossScale(s.loss) };
    return this.scaleOf.scale;
  }

  /** Samples per category (index = SampleCategory 0..3), or null before the census. */
  categoryCounts(category: Uint8Array | null): number[] | null {
    if (!category) return null;
    if (this.countsOf?.category !== category) {
      const c = new Uint32Array(256);
      for (let i = 0; i < category.length; i++) c[category[i]]++;
      this.countsOf = { category, counts: [c[0], c[1], c[2], c[3]] };
    }
    return this.countsOf.counts;
  }
}
