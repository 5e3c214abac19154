/**
 * The margin slider and its numeric box. The slider works on integer positions (sliderScale.ts);
 * keys are handled here so PageUp / PageDown move exactly 10 steps (browsers use 10 % of the range).
 * The box accepts any margin >= 0, also outside the slider's range; bad input shows an inline error
 * and is not sent.
 */
import { h } from '../common/dom';
import {
  type MarginRange,
  sanitizeRange,
  lastPosition,
  valueToPosition,
  positionToValue,
  keyToPosition,
  parseMarginInput,
} from '../../src/shared/sliderScale';
import { formatMargin, formatTick } from '../common/format';

/** Slider + box; reports every local change (including each drag `input`) through `onChange`. */
export class MarginControl {
  /** The element to insert in the page. */
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly box: HTMLInputElement;
  private readonly error: HTMLElement;
  private readonly minLabel: HTMLElement;
  private readonly maxLabel: HTMLElement;
  private range: MarginRange = sanitizeRange(undefined);
  private current = 0;
  private dragging = false;

  constructor(private readonly onChange: (margin: number) => void) {
    this.slider = h('input', {
      type: 'range',
      id: 'margin-slider',
      'data-testid': 'margin-slider',
      min: 0,
      max: 100,
      step: 1,
      'aria-label': 'Triplet margin',
    });
    this.box = h('input', {
      type: 'text',
      id: 'margin-input',
      'data-testid': 'margin-input',
      inputmode: 'decimal',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': 'Triplet margin value',
      'aria-describedby': 'margin-error',
    });
    this.error = h('div', {
      class: 'input-error',
      id: 'margin-error',
      'data-testid': 'margin-error',
      role: 'alert',
      hidden: true,
    });
    this.minLabel = h('span');
    this.maxLabel = h('span');
    this.element = h(
      'div',
      { class: 'margin-control' },
      h('label', { for: 'margin-slider', class: 'margin-label' }, 'Margin m'),
      h('div', { class: 'margin-row' }, this.slider, this.box),
      h('div', { class: 'range-ends' }, this.minLabel, this.maxLabel),
      this.error,
    );

    this.slider.addEventListener('input', () => this.fromSlider(Number(this.slider.value)));
    this.slider.addEventListener('keydown', (e) => {
      const p = keyToPosition(e.key, Number(this.slider.value), this.range);
      if (p === undefined) return;
      e.preventDefault();
      this.slider.value = String(p);
      this.fromSlider(p);
    });
    this.slider.addEventListener('pointerdown', () => {
      this.dragging = true;
    });
    this.slider.addEventListener('change', () => {
      this.dragging = false;
    }); // fires on release
    window.addEventListener('pointerup', () => {
      this.dragging = false;
    });
    window.addEventListener('pointercancel', () => {
      this.dragging = false;
    });
    this.box.addEventListener('change', () => this.fromBox());
    this.box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.fromBox();
    });
    this.box.addEventListener('input', () => this.showError(undefined));
  }

  /** The margin currently shown (the user's latest choice or the host's value). */
  get value(): number {
    return this.current;
  }

  /** True while the pointer holds the slider: host echoes must not move it under the hand. */
  get interacting(): boolean {
    return this.dragging;
  }

  /** Applies the host's `marginRange` (min, max, step). */
  setRange(r: MarginRange): void {
    this.range = sanitizeRange(r);
    this.slider.max = String(lastPosition(this.range));
    this.minLabel.textContent = formatTick(this.range.min);
    this.maxLabel.textContent = formatTick(this.range.max);
    this.show(this.current);
  }

  /** Shows margin `m` without reporting it (the host's truth, or a restored value). */
  show(m: number): void {
    this.current = m;
    this.slider.value = String(valueToPosition(m, this.range));
    this.slider.setAttribute('aria-valuetext', formatMargin(m, this.range.step));
    if (document.activeElement !== this.box) {
      this.box.value = formatMargin(m, this.range.step);
      this.showError(undefined);
    }
  }

  /** The slider's step (for formatting margins elsewhere with the same decimals). */
  get step(): number {
    return this.range.step;
  }

  private fromSlider(position: number): void {
    const m = positionToValue(position, this.range);
    this.current = m;
    this.slider.setAttribute('aria-valuetext', formatMargin(m, this.range.step));
    this.box.value = formatMargin(m, this.range.step);
    this.showError(undefined);
    this.onChange(m);
  }

  private fromBox(): void {
    const parsed = parseMarginInput(this.box.value);
    if (!parsed.ok) {
      this.showError(parsed.error);
      return;
    }
    this.showError(undefined);
    if (parsed.value === this.current) return;
    this.current = parsed.value;
    this.slider.value = String(valueToPosition(parsed.value, this.range));
    this.slider.setAttribute('aria-valuetext', formatMargin(parsed.value, this.range.step));
    this.onChange(parsed.value);
  }

  private showError(message: string | undefined): void {
    this.error.hidden = message === undefined;
    this.error.textContent = message ?? '';
    this.box.classList.toggle('invalid', message !== undefined);
    if (message === undefined) this.box.removeAttribute('aria-invalid');
    else this.box.setAttribute('aria-invalid', 'true');
  }
}
