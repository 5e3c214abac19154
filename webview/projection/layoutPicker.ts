/**
 * The layout picker at the top of the legend: UMAP / PCA / the user's own, with what each is
 * (PCA's share of the variance, UMAP's progress), and a caption naming the layout on screen while
 * another is still computing ("PCA (31 % of the variance) — UMAP 34 %").
 */
import type { LayoutKind, LayoutState } from '../../src/shared/protocol';
import { h } from '../common/dom';

/** Picker + caption inside `parent` (first in it). */
export class LayoutPicker {
  private readonly select: HTMLSelectElement;
  private readonly caption: HTMLElement;
  /** The entries last rendered (kind and readiness): the list is rebuilt only when they change. */
  private rendered = '';

  constructor(parent: HTMLElement, onPick: (kind: LayoutKind) => void) {
    this.select = h('select', { id: 'layout-picker', 'data-testid': 'layout-picker', 'aria-label': 'Layout' });
    this.select.addEventListener('change', () => onPick(this.select.value as LayoutKind));
    this.caption = h('div', {
      class: 'layout-caption',
      'data-testid': 'layout-caption',
      role: 'status',
      'aria-live': 'polite',
    });
    parent.prepend(h('label', { class: 'color-by' }, 'Layout ', this.select), this.caption);
  }

  render(s: LayoutState): void {
    const key = s.choices.map((c) => `${c.kind}:${c.ready}`).join(',');
    const text = (c: LayoutState['choices'][number]) => (c.ready ? c.label : `${c.label} (${c.note})`);
    if (key !== this.rendered) {
      this.select.replaceChildren(
        ...s.choices.map((c) => h('option', { value: c.kind, disabled: !c.ready, title: c.note }, text(c))),
      );
      this.rendered = key;
    } else {
      // Same entries: only their words change (UMAP's progress), so an open list stays open.
      s.choices.forEach((c, i) => {
        const o = this.select.options[i];
        if (o && o.textContent !== text(c)) {
          o.textContent = text(c);
          o.title = c.note;
        }
      });
    }
    if (s.shown) this.select.value = s.shown;
    this.caption.textContent = s.caption;
  }
}
