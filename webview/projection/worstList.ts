/**
 * The side panel: the census header ("hard 1 234 · semi-hard 567 · margin 0.20 · pml") and the
 * worst triplets with anchor / positive / negative thumbnails. Collapsible; choosing a row calls back.
 */
import type { CensusView, DatasetView, TripletRow } from '../../src/shared/protocol';
import { h } from '../common/dom';
import { censusHeader, formatValue } from './format';
import { picture, sampleImage } from './picture';

/** True when both lists hold the same (anchor, positive, negative) triplets in the same order. */
export function sameTriplets(a: readonly TripletRow[], b: readonly TripletRow[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, k) => r.anchor === b[k].anchor && r.positive === b[k].positive && r.negative === b[k].negative)
  );
}

/** Rows shown at most (the host may send more). */
const MAX_ROWS = 200;

/** The worst-triplets panel. */
export class WorstList {
  readonly root: HTMLElement;
  private readonly header: HTMLDivElement;
  private readonly list: HTMLOListElement;
  private readonly toggle: HTMLButtonElement;
  private rows: TripletRow[] = [];
  /** The dataset the rows were built for. */
  private rowsOf: DatasetView | undefined;

  constructor(
    parent: HTMLElement,
    open: boolean,
    private readonly onToggle: (open: boolean) => void,
    private readonly onChoose: (row: TripletRow) => void,
  ) {
    this.toggle = h(
      'button',
      {
        class: 'panel-toggle',
        id: 'worst-toggle',
        'data-testid': 'worst-toggle',
        'aria-controls': 'worst-list',
        title: 'Show or hide the worst triplets',
      },
      '',
    );
    this.header = h(
      'div',
      { class: 'census-header', id: 'census-header', 'data-testid': 'census-header', 'aria-live': 'polite' },
      'No census yet',
    );
    this.list = h('ol', {
      class: 'worst-list',
      id: 'worst-list',
      'data-testid': 'worst-list',
      'aria-label': 'Worst triplets, highest loss first',
    });
    this.root = h(
      'aside',
      { class: 'side-panel', id: 'side-panel', 'aria-label': 'Worst triplets' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Worst triplets'), this.toggle),
      this.header,
      this.list,
    );
    this.toggle.addEventListener('click', () => this.setOpen(this.root.classList.contains('collapsed')));
    this.list.addEventListener('click', (e) => {
      const li = (e.target as Element).closest('[data-row]');
      if (li) this.choose(Number(li.getAttribute('data-row')));
    });
    parent.append(this.root);
    this.setOpen(open, false);
  }

  /** Opens or collapses the panel. */
  setOpen(open: boolean, notify = true): void {
    this.root.classList.toggle('collapsed', !open);
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.textContent = open ? '›' : '‹';
    this.toggle.setAttribute('aria-label', open ? 'Collapse the worst triplets' : 'Expand the worst triplets');
    if (notify) this.onToggle(open);
  }

  /** Renders the census header and rows. */
  render(census: CensusView | null, ds: DatasetView): void {
    this.header.textContent = census ? censusHeader(census) : 'Computing the census…';
    const rows = census ? census.worst.slice(0, MAX_ROWS) : [];
    // While the margin moves the same triplets usually stay worst (every loss shifts by the same
    // amount): update their losses instead of rebuilding rows and reloading 3 thumbnails each.
    if (rows.length > 0 && ds === this.rowsOf && sameTriplets(rows, this.rows)) {
      const cells = this.list.querySelectorAll('.worst-row .loss');
      if (cells.length === rows.length) {
        rows.forEach((r, k) => {
          cells[k].textContent = formatValue(r.loss);
        });
        this.rows = rows;
        return;
      }
    }
    this.rows = rows;
    this.rowsOf = ds;
    const name = (i: number) => ds.classNames[ds.labels[i]] ?? String(ds.labels[i]);
    const thumb = (i: number, role: string) => {
      const pic = picture(sampleImage(ds, i), `${role} ${i}`, () => h('span', { class: 'no-image' }, `#${i}`));
      return h('figure', { class: `thumb ${role}` }, pic, h('figcaption', {}, `${role[0]} · ${name(i)}`));
    };
    this.list.replaceChildren(
      ...this.rows.map((r, k) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              class: 'worst-row',
              'data-row': k,
              'data-testid': 'worst-row',
              title: `anchor ${r.anchor}, positive ${r.positive}, negative ${r.negative}; d(a,p) ${formatValue(r.dap)}, d(a,n) ${formatValue(r.dan)}`,
            },
            thumb(r.anchor, 'anchor'),
            thumb(r.positive, 'positive'),
            thumb(r.negative, 'negative'),
            h('span', { class: 'loss' }, formatValue(r.loss)),
          ),
        ),
      ),
    );
    if (census && this.rows.length === 0)
      this.list.append(h('li', { class: 'empty' }, 'No violating triplets under this margin.'));
  }

  /** Marks row k as chosen and calls back. */
  choose(k: number): void {
    const row = this.rows[k];
    if (!row) return;
    this.list.querySelector('.worst-row.active')?.classList.remove('active');
    this.list.querySelector(`[data-row="${k}"]`)?.classList.add('active');
    this.onChoose(row);
  }

  /** Forgets the chosen row (e.g. the view was cleared). */
  clearActive(): void {
    this.list.querySelector('.worst-row.active')?.classList.remove('active');
  }
}
