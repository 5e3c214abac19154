/**
 * A sample's picture wherever one is shown (tooltip, worst list, neighbours, label errors): a whole
 * image file, or its cell of a sprite sheet (TensorBoard's projector sprites, PyTorch's
 * add_embedding label_img). A cell is the sheet's webview URI as a CSS background, scaled and
 * shifted so the cell fills the box: nothing is decoded or cut on the host. The box's size comes
 * from the stylesheet, as an <img>'s does; the cell keeps its aspect ratio inside it.
 */
import { sampleImageUri, type DatasetView } from '../../src/shared/protocol';
import { spriteCell } from '../../src/shared/sprite';
import { h } from '../common/dom';

/** One sample's picture: an image file, or a cell (pixels) of a sheet of sheetWidth x sheetHeight. */
export interface SampleImage {
  uri: string;
  cell?: { x: number; y: number; w: number; h: number; sheetWidth: number; sheetHeight: number };
}

/** Sample i's picture: its own image file first, else its sprite cell; null when it has none. */
export function sampleImage(ds: DatasetView, i: number): SampleImage | null {
  const file = sampleImageUri(ds, i);
  if (file) return { uri: file };
  const s = ds.sprite;
  if (!s || !Number.isInteger(i) || i < 0 || i >= ds.n) return null;
  return { uri: s.uri, cell: { ...spriteCell(s, i), sheetWidth: s.width, sheetHeight: s.height } };
}

/**
 * CSS background of a cell in a box the cell fills: the sheet scaled by box / cell, moved so the
 * cell's corner is the box's (CSS percentages: p % puts the image's p % point on the box's p %
 * point, so the cell at x of a sheet k cells wide sits at x / (sheet - cell)).
 */
export function cellBackground(c: NonNullable<SampleImage['cell']>): {
  size: string;
  position: string;
  aspectRatio: string;
} {
  const pct = (v: number): string => `${+(100 * v).toFixed(6)}%`;
  const along = (at: number, cell: number, sheet: number): string => (sheet > cell ? pct(at / (sheet - cell)) : '0%');
  return {
    size: `${pct(c.sheetWidth / c.w)} ${pct(c.sheetHeight / c.h)}`,
    position: `${along(c.x, c.w, c.sheetWidth)} ${along(c.y, c.h, c.sheetHeight)}`,
    aspectRatio: `${c.w} / ${c.h}`,
  };
}

/** Shows `img` in `box` (a CSS-sized element): the cell as the background of an inner span that keeps the cell's aspect
 * ratio. */
export function paintCell(
  box: HTMLElement,
  img: SampleImage & { cell: NonNullable<SampleImage['cell']> },
  label: string,
): void {
  const c = img.cell,
    bg = cellBackground(c);
  let inner = box.firstElementChild as HTMLElement | null;
  if (!inner) {
    inner = h('span', { class: 'sprite-cell' });
    box.replaceChildren(inner);
  }
  inner.style.backgroundImage = `url("${img.uri.replace(/["\\\n]/g, (ch) => encodeURIComponent(ch))}")`;
  inner.style.backgroundSize = bg.size;
  inner.style.backgroundPosition = bg.position;
  inner.style.aspectRatio = bg.aspectRatio;
  inner.classList.toggle('wide', c.w >= c.h);
  // Small cells (digits, icons) are scaled up: keep their pixels sharp, as for small images.
  inner.classList.toggle('pixelated', Math.max(c.w, c.h) <= 64);
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', label);
  box.title = `${label} (cell at ${c.x}, ${c.y} of the sprite)`;
}

/** A thumbnail element: <img> for a file, a sprite-cell box for a cell, else `fallback` (the "#i" placeholder). */
export function picture(img: SampleImage | null, alt: string, fallback: () => HTMLElement): HTMLElement {
  if (!img) return fallback();
  if (!img.cell) return h('img', { src: img.uri, alt, loading: 'lazy' });
  const box = h('span', { class: 'sprite-box' });
  paintCell(box, img as SampleImage & { cell: NonNullable<SampleImage['cell']> }, alt);
  return box;
}
