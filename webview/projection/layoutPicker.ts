/**
 * The layout picker at the top of the legend: UMAP / PCA / the user's own, with what each is
 * (PCA's share of the variance, UMAP's progress), and a caption naming the layout on screen while
 * another is still computing ("PCA (31 % of the variance) — UMAP 34 %").
 */
import type { LayoutKind, LayoutState } from '../../src/shared/protocol';
import { el } from './dom';

/** Picker + caption inside `parent` (first in it). */
export class LayoutPicker {
  private readonly select: HTMLSelectElement;
  private readonly caption: HTMLElement;

  constructor(parent: HTMLElement, onPick: (kind: LayoutKind) => void) {
    this.select = el('select', { id: 'layout-picker', 'data-testid': 'layout-picker', 'aria-label': 'Layout' });
    this.select.addEventListener('change', () => onPick(this.select.value as LayoutKind));
    this.caption = el('div', { class: 'layout-caption', 'data-testid': 'layout-caption', role: 'status', 'aria-live': 'polite' });
    parent.prepend(el('label', { class: 'color-by' }, 'Layout ', this.select), this.caption);
  }

  render(s: LayoutState): void {
    this.select.replaceChildren(...s.choices.map((c) => el('option', { value: c.kind, disabled: !c.ready, title: c.note },
      c.ready ? c.label : `${c.label} (${c.note})`)));
    if (s.shown) this.select.value = s.shown;
    this.caption.textContent = s.caption;
  }
}
