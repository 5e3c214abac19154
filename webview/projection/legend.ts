/**
 * The colour-by selector and the legend: class swatches with names and counts (scrollable, a click
 * toggles emphasis of that class), the category key with counts, or the loss ramp.
 */
import { SampleCategory } from '../../src/shared/protocol';
import { classColor, cssRgb, lossPosition, lossRamp, type LossScale } from './colors';
import { h } from '../common/dom';
import { categoryName, formatCount, formatValue } from './format';
import { categoryColor, changeColor, COLOR_MODES, type ColorBy, type Palette } from './pointStyle';

/** What the legend needs to draw. */
export interface LegendInput {
  colorBy: ColorBy;
  classNames: string[];
  classCounts: Uint32Array;
  emphasis: ReadonlySet<number>;
  /** Samples per category (index = SampleCategory), or null before the census. */
  categoryCounts: number[] | null;
  lossScale: LossScale;
  palette: Palette;
  /** For the change mode: the compared snapshot's name and samples worse / better / unchanged, or null. */
  change?: {
    against: string;
    worse: number;
    better: number;
    same: number;
    worsened: { index: number; title: string }[];
  } | null;
}

const MODE_TEXT: Record<ColorBy, string> = {
  label: 'Label',
  category: 'Triplet category (most of its triplets as anchor)',
  loss: 'Loss as anchor',
  change: 'Change vs compared snapshot (Δ loss as anchor)',
};

/** Selector + legend box. */
export class Legend {
  readonly root: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly key: HTMLDivElement;
  private readonly classes: HTMLUListElement;
  private readonly classBox: HTMLDetailsElement;
  private readonly classSummary: HTMLElement;

  /** `classesOpen`: whether the class list starts expanded; `onClassesOpen` reports changes (UI state). */
  constructor(
    parent: HTMLElement,
    onColorBy: (c: ColorBy) => void,
    private readonly onToggleClass: (k: number) => void,
    classesOpen: boolean,
    onClassesOpen: (open: boolean) => void,
  ) {
    this.select = h(
      'select',
      { id: 'color-by', 'data-testid': 'color-by', 'aria-label': 'Colour points by' },
      ...COLOR_MODES.map((m) => h('option', { value: m }, MODE_TEXT[m])),
    );
    this.select.addEventListener('change', () => onColorBy(this.select.value as ColorBy));
    this.key = h('div', { class: 'legend-key', id: 'legend-key' });
    this.key.addEventListener('click', (e) => {
      const b = (e.target as Element).closest('[data-reveal]');
      if (b) this.onReveal?.(Number(b.getAttribute('data-reveal')));
    });
    this.classes = h('ul', {
      class: 'legend-classes',
      id: 'legend-classes',
      'data-testid': 'legend-classes',
      'aria-label': 'Classes (click to emphasise)',
    });
    this.classes.addEventListener('click', (e) => {
      const b = (e.target as Element).closest('[data-class]');
      if (b) this.onToggleClass(Number(b.getAttribute('data-class')));
    });
    this.classSummary = h('summary', { 'data-testid': 'legend-classes-toggle' }, 'Classes');
    this.classBox = h('details', { class: 'legend-class-box', open: classesOpen }, this.classSummary, this.classes);
    this.classBox.addEventListener('toggle', () => onClassesOpen(this.classBox.open));
    this.root = h(
      'section',
      { class: 'legend', id: 'legend', 'aria-label': 'Legend' },
      h('label', { class: 'color-by' }, 'Colour by ', this.select),
      this.key,
      this.classBox,
    );
    parent.append(this.root);
  }

  /** Called with a sample index when an entry of the worsened list is clicked. */
  onReveal: ((index: number) => void) | undefined;

  /** Redraws for the current mode, counts and emphasis. */
  render(s: LegendInput): void {
    this.select.value = s.colorBy;
    this.key.replaceChildren();
    if (s.colorBy === 'category') {
      const cats = [SampleCategory.Hard, SampleCategory.Semihard, SampleCategory.Easy, SampleCategory.None];
      this.key.append(
        ...cats.map((c) => {
          const [rgb, alpha] = categoryColor(c, s.palette);
          return h(
            'div',
            { class: `key-row cat-${c}` },
            swatch(cssRgb(rgb, alpha), c === SampleCategory.Hard),
            h('span', {}, categoryName(c)),
            h('span', { class: 'count' }, s.categoryCounts ? formatCount(s.categoryCounts[c]) : '…'),
          );
        }),
      );
    } else if (s.colorBy === 'loss') {
      const ramp = h('div', { class: 'ramp' });
      ramp.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => cssRgb(lossRamp(t))).join(', ')})`;
      const { ref, max } = s.lossScale;
      const mid = h('span', {}, max > 0 ? formatValue(ref) : '');
      // The median sits where the logarithmic ramp puts it.
      mid.style.left = `${(100 * lossPosition(ref, s.lossScale)).toFixed(1)}%`;
      this.key.append(
        ramp,
        h(
          'div',
          { class: 'ramp-labels' },
          h('span', {}, '0'),
          mid,
          h('span', {}, max > 0 ? `≥ ${formatValue(max)}` : 'no loss'),
        ),
        h('div', { class: 'ramp-note' }, 'log scale; median marked'),
      );
    } else if (s.colorBy === 'change') {
      const c = s.change;
      if (!c)
        this.key.append(
          h('div', { class: 'ramp-note' }, 'Compare with another snapshot (sidebar) to colour by change.'),
        );
      else {
        const rows: [number, string, number][] = [
          [1, 'worse', c.worse],
          [-1, 'better', c.better],
          [0, 'unchanged', c.same],
        ];
        this.key.append(
          h('div', { class: 'ramp-note' }, `vs ${c.against}`),
          ...rows.map(([d, name, k]) => {
            const [rgb, alpha] = changeColor(d, s.palette);
            return h(
              'div',
              { class: 'key-row' },
              swatch(cssRgb(rgb, alpha), false),
              h('span', {}, name),
              h('span', { class: 'count' }, formatCount(k)),
            );
          }),
        );
        if (c.worsened.length) {
          this.key.append(
            h('div', { class: 'ramp-note' }, 'Got worse most (click to show):'),
            h(
              'ul',
              { class: 'legend-classes', 'data-testid': 'worsened-list' },
              ...c.worsened.map((w) =>
                h(
                  'li',
                  {},
                  h(
                    'button',
                    { class: 'class-entry', 'data-reveal': w.index, title: `Show sample ${w.index}` },
                    h('span', { class: 'name' }, w.title || `#${w.index}`),
                  ),
                ),
              ),
            ),
          );
        }
      }
    }
    const emphasising = s.emphasis.size > 0;
    this.classSummary.textContent = `Classes (${formatCount(s.classNames.length)})${emphasising ? ` · ${s.emphasis.size} emphasised` : ''}`;
    this.classes.replaceChildren(
      ...s.classNames.map((name, k) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              'data-class': k,
              class: `class-entry${emphasising && !s.emphasis.has(k) ? ' dimmed' : ''}`,
              'aria-pressed': String(s.emphasis.has(k)),
              title: `Emphasise ${name}`,
            },
            swatch(cssRgb(classColor(k)), false),
            h('span', { class: 'name' }, name),
            h('span', { class: 'count' }, formatCount(s.classCounts[k] ?? 0)),
          ),
        ),
      ),
    );
  }
}

function swatch(color: string, ring: boolean): HTMLSpanElement {
  const s = h('span', { class: ring ? 'swatch ring' : 'swatch', 'aria-hidden': 'true' });
  s.style.backgroundColor = color;
  return s;
}
