/**
 * Per-class table (violation rate per anchor class, bar + %, sortable) and the class pairs that
 * collide most (anchor class a → negative class b, violating triplets). Clicking a row asks the
 * host to highlight that class or pair in the projection; clicking the highlighted row again clears.
 * Only the rows in view exist (see ClassTable), so a census update stays cheap at 100+ classes.
 */
import type { FromControls } from '../../src/shared/protocol';
import type { UiState } from './vscodeApi';
import { h, setText } from '../common/dom';
import { formatCount, formatShare } from '../common/format';

/** Height of one class row in CSS pixels (set from here, so CSS and scrolling arithmetic agree). */
const ROW_H = 20;

/** A pooled row element; it shows whichever class sits at its slot in the current order. */
interface PoolRow {
  el: HTMLElement;
  name: HTMLElement;
  fill: HTMLElement;
  pct: HTMLElement;
  classId: number;
}

/** Selection shown in the table; mirrors UiState.selectedClass / selectedPair. */
export interface Selection {
  classId: number;
  pair: [number, number] | null;
}

/** Clickable keyboard-accessible element: Enter / Space act like a click. */
function activatable(el: HTMLElement, onActivate: () => void): void {
  el.tabIndex = 0;
  el.addEventListener('click', onActivate);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onActivate();
    }
  });
}

/**
 * The table and the pair list. The table is virtualised: only the rows inside the scroll box exist
 * (a pool of ~17 elements, reassigned on scroll and on every census). A census changes every rate
 * and, sorted by rate, may reorder every row; updating 100+ real rows cost ~10 ms of layout per
 * census on this machine, the pool a small fraction of that, and it scales to 1000 classes.
 */
export class ClassTable {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer = h('div', { class: 'class-rows', role: 'rowgroup' });
  private readonly pairs = h('ol', { class: 'pairs', 'data-testid': 'class-pairs' });
  private readonly rateHeader = h('button', { class: 'sort', 'data-testid': 'sort-rate', type: 'button' });
  private readonly nameHeader = h('button', { class: 'sort', 'data-testid': 'sort-name', type: 'button' }, 'Class');
  private pool: PoolRow[] = [];
  private names: string[] = [];
  private rates = new Float64Array(0);
  private order: number[] = [];
  private scrollTop = 0;
  private viewport = 0;
  private frame = 0;
  private lastPairs: { a: number; b: number; count: number }[] = [];
  private pairRows: { li: HTMLElement; label: HTMLElement; count: HTMLElement; a: number; b: number }[] = [];
  private readonly noPairs = h('li', { class: 'empty', hidden: true }, 'No violating triplets.');

  constructor(
    private readonly post: (m: FromControls) => void,
    private readonly ui: () => UiState,
    private readonly saveUi: (patch: Partial<UiState>) => void,
  ) {
    this.scroller = h('div', { class: 'table-scroll' }, this.spacer);
    const table = h(
      'div',
      {
        class: 'classes',
        role: 'table',
        'aria-label': 'Violation rate per anchor class',
        'data-testid': 'class-table',
      },
      h(
        'div',
        { class: 'class-head', role: 'row' },
        h('span', { role: 'columnheader' }, this.nameHeader),
        h('span', { role: 'columnheader' }, this.rateHeader),
      ),
      this.scroller,
    );
    this.element = h(
      'div',
      { class: 'class-table' },
      table,
      h('div', { class: 'subhead' }, 'Most colliding pairs (anchor class → negative class, violating triplets)'),
      this.pairs,
    );
    this.nameHeader.addEventListener('click', () => this.sortBy('name'));
    this.rateHeader.addEventListener('click', () =>
      this.sortBy(this.ui().sort === 'rate-desc' ? 'rate-asc' : 'rate-desc'),
    );
    // scrollTop and the viewport size are cached here, so a census never forces a layout to read them.
    this.scroller.addEventListener('scroll', () => {
      this.scrollTop = this.scroller.scrollTop;
      if (!this.frame)
        this.frame = requestAnimationFrame(() => {
          this.frame = 0;
          this.render();
        });
    });
    new ResizeObserver((entries) => {
      this.viewport = entries[0]?.contentRect.height ?? 0;
      this.render();
    }).observe(this.scroller);
    this.renderHeader();
  }

  /** A new dataset: one row per class name. */
  setClasses(names: string[]): void {
    this.names = names;
    this.rates = new Float64Array(names.length).fill(NaN);
    this.spacer.style.height = `${names.length * ROW_H}px`;
    this.spacer.setAttribute('aria-rowcount', String(names.length));
    this.lastPairs = [];
    this.pairRows = [];
    this.pairs.replaceChildren(this.noPairs);
    this.noPairs.hidden = true;
    this.sortRows();
    this.render();
  }

  /** Updates rates and pairs from a census; `pairsStale`: the pairs are a previous margin's (a quick recount). */
  update(rates: ArrayLike<number>, topPairs: { a: number; b: number; count: number }[], pairsStale = false): void {
    this.pairs.classList.toggle('stale', pairsStale);
    this.pairs.setAttribute('aria-busy', String(pairsStale));
    const n = Math.min(rates.length, this.rates.length);
    for (let i = 0; i < n; i++) this.rates[i] = rates[i];
    if (this.ui().sort !== 'name') this.sortRows();
    this.render();
    this.renderPairs(topPairs);
  }

  /** Re-applies the selection from UI state (after a restore or a click). */
  showSelection(): void {
    const { selectedClass, selectedPair } = this.ui();
    for (const r of this.pool) {
      r.el.classList.toggle('selected', r.classId === selectedClass);
      r.el.setAttribute('aria-pressed', String(r.classId === selectedClass));
    }
    for (const r of this.pairRows) {
      const on = !!selectedPair && r.a === selectedPair[0] && r.b === selectedPair[1];
      r.li.classList.toggle('selected', on);
      r.li.setAttribute('aria-pressed', String(on));
    }
  }

  /** Shows the rows in view: grows or shrinks the pool, then assigns classes to its elements. */
  private render(): void {
    const n = this.names.length;
    const want = Math.min(n, Math.ceil((this.viewport || 16 * ROW_H) / ROW_H) + 1);
    while (this.pool.length < want) this.pool.push(this.makeRow());
    while (this.pool.length > want) this.pool.pop()!.el.remove();
    const first = Math.min(Math.max(0, Math.floor(this.scrollTop / ROW_H)), Math.max(0, n - want));
    for (let i = 0; i < this.pool.length; i++) {
      const r = this.pool[i];
      const k = first + i;
      const id = this.order[k];
      r.classId = id;
      r.el.dataset.class = String(id);
      r.el.setAttribute('aria-rowindex', String(k + 2));
      r.el.style.transform = `translateY(${k * ROW_H}px)`;
      const name = this.names[id] ?? `#${id}`;
      setText(r.name, name);
      if (r.name.title !== name) r.name.title = name;
      const rate = this.rates[id];
      // A transform, not a width: it repaints the bar without a relayout.
      r.fill.style.transform = `scaleX(${Number.isFinite(rate) ? Math.max(0, Math.min(1, rate)) : 0})`;
      setText(r.pct, Number.isFinite(rate) ? formatShare(rate) : '');
    }
    this.showSelection();
  }

  private makeRow(): PoolRow {
    const name = h('span', { class: 'name', role: 'cell' });
    const fill = h('span', { class: 'fill' });
    const pct = h('span', { class: 'pct', role: 'cell' });
    const el = h(
      'div',
      { class: 'class-row', role: 'row', 'data-testid': 'class-row' },
      name,
      h('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
      pct,
    );
    el.style.height = `${ROW_H}px`;
    const row: PoolRow = { el, name, fill, pct, classId: -1 };
    activatable(el, () => this.clickClass(row.classId));
    this.spacer.append(el);
    return row;
  }

  private clickClass(id: number): void {
    const again = this.ui().selectedClass === id;
    this.saveUi({ selectedClass: again ? -1 : id, selectedPair: null });
    this.post({ type: 'highlightClass', classId: again ? -1 : id });
    this.showSelection();
  }

  private clickPair(a: number, b: number): void {
    const sel = this.ui().selectedPair;
    const again = !!sel && sel[0] === a && sel[1] === b;
    this.saveUi({ selectedClass: -1, selectedPair: again ? null : [a, b] });
    // The protocol clears with highlightClass(-1) (there is no "clear pair" message).
    this.post(again ? { type: 'highlightClass', classId: -1 } : { type: 'highlightPair', a, b });
    this.showSelection();
  }

  private sortBy(sort: UiState['sort']): void {
    this.saveUi({ sort });
    this.renderHeader();
    this.sortRows();
    this.render();
  }

  private renderHeader(): void {
    const s = this.ui().sort;
    this.rateHeader.textContent = `Violation rate ${s === 'rate-desc' ? '▼' : s === 'rate-asc' ? '▲' : ''}`.trim();
    this.rateHeader.setAttribute(
      'aria-sort',
      s === 'rate-desc' ? 'descending' : s === 'rate-asc' ? 'ascending' : 'none',
    );
    this.nameHeader.setAttribute('aria-sort', s === 'name' ? 'ascending' : 'none');
  }

  /** The display order of class ids under the current sort (ties by class id, unknown rates last). */
  private sortRows(): void {
    const s = this.ui().sort;
    const ids = this.names.map((_, i) => i);
    const rate = (i: number) => (Number.isFinite(this.rates[i]) ? this.rates[i] : -1);
    if (s === 'rate-desc') ids.sort((a, b) => rate(b) - rate(a) || a - b);
    else if (s === 'rate-asc') ids.sort((a, b) => rate(a) - rate(b) || a - b);
    this.order = ids;
  }

  /** Updates the pair list in place (same elements, new texts): no new nodes on every census. */
  private renderPairs(top: { a: number; b: number; count: number }[]): void {
    const same =
      top.length === this.lastPairs.length &&
      top.every(
        (p, i) => p.a === this.lastPairs[i].a && p.b === this.lastPairs[i].b && p.count === this.lastPairs[i].count,
      );
    if (same) return;
    this.lastPairs = top.map((p) => ({ ...p }));
    const name = (c: number) => this.names[c] ?? `#${c}`;
    while (this.pairRows.length < top.length) {
      const label = h('span', { class: 'pair' });
      const count = h('span', { class: 'count' });
      const li = h('li', { 'data-testid': 'pair-row' }, label, count);
      const row = { li, label, count, a: -1, b: -1 };
      activatable(li, () => this.clickPair(row.a, row.b));
      this.pairRows.push(row);
      this.pairs.append(li);
    }
    this.pairRows.forEach((r, i) => {
      const p = top[i];
      r.li.hidden = !p;
      if (!p) return;
      r.a = p.a;
      r.b = p.b;
      r.li.dataset.a = String(p.a);
      r.li.dataset.b = String(p.b);
      setText(r.label, `${name(p.a)} → ${name(p.b)}`);
      setText(r.count, formatCount(p.count));
    });
    this.noPairs.hidden = top.length > 0;
    this.showSelection();
  }
}
