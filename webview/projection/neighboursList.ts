/**
 * Nearest neighbours of the clicked sample, in the original space (the host computes one distance
 * row): each with its thumbnail, label, distance and whether it shares the sample's class, the rank
 * of the first same-class neighbour, and k (1..100). Choosing a neighbour moves to it.
 */
import type { DatasetView } from '../../src/shared/protocol';
import { h } from '../common/dom';
import { formatValue } from './format';
import { picture, sampleImage } from './picture';

/** What the host answered for one sample. */
export interface NeighboursAnswer {
  index: number;
  distance: string;
  items: { index: number; distance: number; sameClass: boolean }[];
  firstSameRank: number;
}

/** The section at the top of the side panel; hidden until a sample is chosen. */
export class NeighboursList {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly kInput: HTMLInputElement;
  shown: NeighboursAnswer | null = null;

  constructor(
    parent: HTMLElement,
    before: Element | null,
    private readonly onK: (k: number) => void,
    private readonly onChoose: (index: number) => void,
    private readonly onClose: () => void,
  ) {
    this.title = h('h3', {}, 'Nearest neighbours');
    this.kInput = h('input', {
      type: 'number',
      min: '1',
      max: '100',
      step: '1',
      value: '10',
      'aria-label': 'Neighbours to show (k)',
      'data-testid': 'neighbours-k',
    });
    this.kInput.addEventListener('change', () => {
      const k = Math.round(Number(this.kInput.value));
      if (Number.isFinite(k) && k >= 1 && k <= 100) this.onK(k);
      else this.kInput.value = String(this.k);
    });
    const close = h(
      'button',
      { class: 'panel-toggle', title: 'Close the neighbours', 'aria-label': 'Close the neighbours' },
      '×',
    );
    close.addEventListener('click', () => this.onClose());
    this.summary = h('div', { class: 'neighbours-summary', 'data-testid': 'neighbours-summary' });
    this.list = h('ol', {
      class: 'neighbours-list',
      'data-testid': 'neighbours-list',
      'aria-label': 'Nearest neighbours, nearest first',
    });
    this.list.addEventListener('click', (e) => {
      const b = (e.target as Element).closest('[data-index]');
      if (b) this.onChoose(Number(b.getAttribute('data-index')));
    });
    this.root = h(
      'section',
      { class: 'neighbours', 'data-testid': 'neighbours', hidden: true },
      h('div', { class: 'neighbours-head' }, this.title, h('label', {}, 'k ', this.kInput), close),
      this.summary,
      this.list,
    );
    parent.insertBefore(this.root, before);
  }

  /** k as the input holds it. */
  get k(): number {
    const k = Math.round(Number(this.kInput.value));
    return k >= 1 && k <= 100 ? k : 10;
  }

  hide(): void {
    this.shown = null;
    this.root.hidden = true;
  }

  render(a: NeighboursAnswer, ds: DatasetView): void {
    this.shown = a;
    this.root.hidden = false;
    const name = (i: number) => ds.classNames[ds.labels[i]] ?? String(ds.labels[i]);
    this.title.textContent = `Nearest neighbours of #${a.index} (${name(a.index)})`;
    const same = a.items.filter((x) => x.sameClass).length;
    this.summary.textContent = `${same} of ${a.items.length} share its class · first same-class neighbour: ${a.firstSameRank > 0 ? `rank ${a.firstSameRank.toLocaleString('en-US')}` : 'none (the only sample of its class)'} · ${a.distance} distance`;
    this.list.replaceChildren(
      ...a.items.map((x, r) => {
        const pic = picture(sampleImage(ds, x.index), `sample ${x.index}`, () =>
          h('span', { class: 'no-image' }, `#${x.index}`),
        );
        return h(
          'li',
          {},
          h(
            'button',
            {
              class: `neighbour-row ${x.sameClass ? 'same' : 'other'}`,
              'data-index': x.index,
              'data-testid': 'neighbour-row',
              title: `Go to sample ${x.index}`,
            },
            h('span', { class: 'rank' }, String(r + 1)),
            h('span', { class: 'nthumb' }, pic),
            h('span', { class: 'name' }, `#${x.index} ${name(x.index)}`),
            h(
              'span',
              { class: 'mark', 'aria-label': x.sameClass ? 'same class' : 'another class' },
              x.sameClass ? '✓' : '✗',
            ),
            h('span', { class: 'dist' }, formatValue(x.distance)),
          ),
        );
      }),
    );
  }
}
