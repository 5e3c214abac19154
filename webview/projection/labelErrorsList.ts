/**
 * Suspected label errors in the side panel: a button that asks the host to find them, progress, the
 * ranked list (thumbnail, sample, its label → the neighbours' label, score) with how the score is
 * made, and an export to CSV. Choosing a row moves to the sample.
 */
import type { DatasetView, ToProjection } from '../../src/shared/protocol';
import { h } from '../common/dom';
import { formatCount } from './format';
import { picture, sampleImage } from './picture';

type Answer = Extract<ToProjection, { type: 'labelErrors' }>;

/** The collapsible section; `onFind`, `onExport`, `onChoose` go to the owner. */
export class LabelErrorsList {
  readonly root: HTMLDetailsElement;
  private readonly findButton: HTMLButtonElement;
  private readonly exportButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly list: HTMLOListElement;
  last: Answer | null = null;

  constructor(
    parent: HTMLElement,
    before: Element | null,
    onFind: () => void,
    onExport: () => void,
    private readonly onChoose: (index: number) => void,
  ) {
    this.findButton = h(
      'button',
      {
        class: 'small-button',
        'data-testid': 'label-errors-find',
        title: "Every sample's 10 nearest neighbours, then the samples most of whose neighbours carry another label",
      },
      'Find',
    );
    this.findButton.addEventListener('click', () => onFind());
    this.exportButton = h(
      'button',
      {
        class: 'small-button',
        'data-testid': 'label-errors-export',
        disabled: true,
        title: 'Save every suspect as CSV: index, path, label, suggested_label, score',
      },
      'Export CSV…',
    );
    this.exportButton.addEventListener('click', () => onExport());
    this.status = h(
      'div',
      { class: 'label-errors-status', 'data-testid': 'label-errors-status', 'aria-live': 'polite' },
      'Samples whose nearest neighbours mostly carry another label.',
    );
    this.list = h('ol', {
      class: 'neighbours-list',
      'data-testid': 'label-errors-list',
      'aria-label': 'Suspected label errors, highest score first',
    });
    this.list.addEventListener('click', (e) => {
      const b = (e.target as Element).closest('[data-index]');
      if (b) this.onChoose(Number(b.getAttribute('data-index')));
    });
    this.root = h(
      'details',
      { class: 'label-errors', 'data-testid': 'label-errors' },
      h('summary', {}, 'Suspected label errors'),
      h('div', { class: 'label-errors-actions' }, this.findButton, this.exportButton),
      this.status,
      this.list,
    );
    parent.insertBefore(this.root, before);
  }

  render(a: Answer, ds: DatasetView): void {
    this.last = a;
    this.root.open = true;
    this.findButton.disabled = a.state === 'computing';
    this.exportButton.disabled = a.state !== 'ready' || a.total === 0;
    const name = (k: number) => ds.classNames[k] ?? String(k);
    if (a.state === 'computing') {
      this.status.textContent = `Finding every sample's nearest neighbours… ${Math.floor(100 * (a.fraction ?? 0))} %`;
      this.list.replaceChildren();
      return;
    }
    if (a.state === 'error') {
      this.status.textContent = a.message ?? 'failed';
      this.list.replaceChildren();
      return;
    }
    this.status.textContent = `${formatCount(a.total)} suspect${a.total === 1 ? '' : 's'}${a.total > a.items.length ? ` (the first ${a.items.length} shown; the CSV has all)` : ''}. ${a.method}.`;
    this.list.replaceChildren(
      ...a.items.map((x) => {
        const pic = picture(sampleImage(ds, x.index), `sample ${x.index}`, () =>
          h('span', { class: 'no-image' }, `#${x.index}`),
        );
        return h(
          'li',
          {},
          h(
            'button',
            {
              class: 'neighbour-row other',
              'data-index': x.index,
              'data-testid': 'label-error-row',
              title: `Go to sample ${x.index}`,
            },
            h('span', { class: 'nthumb' }, pic),
            h('span', { class: 'name' }, `#${x.index} ${name(x.label)} → ${name(x.suggested)}`),
            h('span', { class: 'dist' }, `${Math.round(100 * x.score)} %`),
          ),
        );
      }),
    );
  }
}
