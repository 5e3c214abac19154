/**
 * The hover tooltip: a DOM overlay near the cursor with the sample's picture (an image file's
 * webview URI, or its cell of a sprite sheet: picture.ts), label, index, category and triplet
 * statistics.
 */
import type { SampleStats } from '../../src/shared/protocol';
import { h } from '../common/dom';
import { categoryName, formatCount, formatValue } from './format';
import { paintCell, type SampleImage } from './picture';

/** What the tooltip shows about one sample. */
export interface TooltipContent {
  index: number;
  label: string;
  image: SampleImage | null;
  title: string;
  stats: SampleStats | null;
  impostorLabel: string;
}

/** The tooltip element and its placement. */
export class Tooltip {
  readonly root: HTMLDivElement;
  private readonly img: HTMLImageElement;
  /** Where a sprite cell is shown (instead of the <img>). */
  private readonly cell: HTMLSpanElement;
  private readonly body: HTMLDivElement;
  /** src of the image shown ('' when none or hidden): the sprite sheet's for a cell. */
  imageSrc = '';
  /** The picture shown, null when none or hidden. */
  image: SampleImage | null = null;
  index = -1;

  constructor(parent: HTMLElement) {
    this.img = h('img', { class: 'tooltip-image', 'data-testid': 'tooltip-image', alt: '' });
    this.img.addEventListener('load', () =>
      this.img.classList.toggle('pixelated', Math.max(this.img.naturalWidth, this.img.naturalHeight) <= 64),
    );
    this.cell = h('span', { class: 'tooltip-image sprite-box', 'data-testid': 'tooltip-sprite-cell', hidden: true });
    this.body = h('div', { class: 'tooltip-body' });
    this.root = h(
      'div',
      { class: 'tooltip', id: 'tooltip', 'data-testid': 'tooltip', role: 'tooltip', hidden: true },
      this.img,
      this.cell,
      this.body,
    );
    parent.append(this.root);
  }

  /**
   * Shows `c` near (x, y) (CSS px in the parent), on the side away from `avoid` when given (the
   * hardest positive, so the tooltip does not hide the line to it).
   */
  show(c: TooltipContent, x: number, y: number, avoid?: { x: number; y: number }): void {
    const file = c.image && !c.image.cell ? c.image.uri : '';
    if (c.index !== this.index || this.img.getAttribute('src') !== (file || null)) {
      if (file) {
        this.img.src = file;
        this.img.hidden = false;
        this.img.alt = `sample ${c.index}`;
      } else {
        this.img.removeAttribute('src');
        this.img.hidden = true;
      }
    }
    if (c.image?.cell) {
      paintCell(this.cell, c.image as Required<SampleImage>, `sample ${c.index}`);
      this.cell.hidden = false;
    } else this.cell.hidden = true;
    this.imageSrc = c.image?.uri ?? '';
    this.image = c.image;
    this.index = c.index;
    const rows: [string, string][] = [['index', String(c.index)]];
    if (c.stats) {
      const s = c.stats;
      rows.push(
        ['most triplets', categoryName(s.category)],
        ['violating as anchor', formatCount(s.violAsAnchor)],
        // After a quick recount these two are the previous margin's until the slider rests.
        ['as positive', s.partial ? '…' : formatCount(s.violAsPositive)],
        ['as negative', s.partial ? '…' : formatCount(s.violAsNegative)],
        ['loss as anchor', formatValue(s.lossAsAnchor)],
        ['nearest impostor', s.nearestImpostor >= 0 ? `#${s.nearestImpostor} (${c.impostorLabel})` : '—'],
      );
    }
    this.body.replaceChildren(
      h('div', { class: 'tooltip-label' }, c.label),
      c.title ? h('div', { class: 'tooltip-title' }, c.title) : '',
      h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    );
    this.root.hidden = false;
    this.place(x, y, avoid);
  }

  /** Moves the tooltip next to (x, y): right/below unless `avoid` lies there; flipped to stay inside the parent. */
  place(x: number, y: number, avoid?: { x: number; y: number }): void {
    const parent = this.root.parentElement!.getBoundingClientRect();
    const w = this.root.offsetWidth,
      h = this.root.offsetHeight,
      gap = 14;
    const leftSide = avoid !== undefined && avoid.x > x,
      upSide = avoid !== undefined && avoid.y > y;
    let left = leftSide ? x - gap - w : x + gap,
      top = upSide ? y - gap - h : y + gap;
    if (left + w > parent.width - 4) left = x - gap - w;
    if (left < 4) left = x + gap + w <= parent.width - 4 ? x + gap : 4;
    if (top + h > parent.height - 4) top = y - gap - h;
    if (top < 4) top = y + gap + h <= parent.height - 4 ? y + gap : 4;
    this.root.style.left = `${left}px`;
    this.root.style.top = `${top}px`;
  }

  /** Hides it. */
  hide(): void {
    this.root.hidden = true;
    this.index = -1;
    this.imageSrc = '';
    this.image = null;
  }
}
