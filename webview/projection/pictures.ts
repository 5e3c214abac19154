/**
 * Pictures in place of points once the view is zoomed in (level of detail, as TensorBoard's projector draws sprites):
 * when at most PICTURE_LIMIT points are in view, every one of them with a picture (its image file or its sprite cell,
 * picture.ts) is drawn over its point on the overlay canvas, framed in its class colour. Zoomed out nothing is drawn
 * or loaded, so at a million points a frame pays one grid query that stops at PICTURE_LIMIT + 1 points.
 * Images load on demand, at most MAX_LOADING at a time; the CACHE_SIZE most recently drawn stay decoded.
 */
import { h } from '../common/dom';
import type { DatasetView } from '../../src/shared/protocol';
import { classColor, cssRgb } from './colors';
import type { PointGrid } from './hitTest';
import { dataToScreen, screenToData, type Camera, type Viewport } from './camera';
import { sampleImage } from './picture';

/** Most points in view for pictures to be drawn. */
export const PICTURE_LIMIT = 200;
/** A picture's box, CSS px a side. */
export const PICTURE_PX = 44;
const MAX_LOADING = 12;
const CACHE_SIZE = 600;

/**
 * The samples in view (ascending), the view widened by `pad` CSS px so a picture whose point is just outside still
 * shows its part inside; null when more than `limit` are.
 */
export function picturesInView(
  grid: PointGrid,
  cam: Camera,
  vp: Viewport,
  limit: number,
  pad = PICTURE_PX / 2,
): Int32Array | null {
  const [x0, y0] = screenToData(cam, vp, -pad, vp.height + pad);
  const [x1, y1] = screenToData(cam, vp, vp.width + pad, -pad);
  return grid.inRectAtMost(x0, y0, x1, y1, limit);
}

/** Where a w x h picture goes in a `size` box centred on (cx, cy): scaled to fit, aspect ratio kept. [x, y, w, h]. */
export function fitRect(cx: number, cy: number, size: number, w: number, h: number): [number, number, number, number] {
  const k = w > 0 && h > 0 ? size / Math.max(w, h) : 0;
  const dw = w * k,
    dh = h * k;
  return [cx - dw / 2, cy - dh / 2, dw, dh];
}

/** One picture to draw: the source rectangle of `image` and where it goes, in CSS px. */
export interface PlacedPicture {
  index: number;
  image: CanvasImageSource;
  src: [number, number, number, number];
  dest: [number, number, number, number];
  frame: string;
  /** Small cells (digits, icons) are scaled up without smoothing, as in the tooltip. */
  pixelated: boolean;
}

/** Decoded pictures by URI and the choice of what to draw. */
export class PictureLayer {
  private readonly cache = new Map<string, HTMLImageElement | 'loading' | 'failed'>();
  private loading = 0;
  private ds: DatasetView | null = null;
  private hasAny = false;
  private readonly box: HTMLInputElement;
  /** The "Pictures" checkbox's label (hidden when the dataset has no picture). */
  readonly toggle: HTMLElement;
  /** The samples whose pictures the last frame drew (the test hook reads it). */
  drawn: number[] = [];

  constructor(private readonly onChange: () => void) {
    this.box = h('input', { type: 'checkbox', checked: true, 'data-testid': 'pictures-toggle' });
    this.box.addEventListener('change', () => onChange());
    this.toggle = h(
      'label',
      { class: 'pictures', title: `Zoomed in (at most ${PICTURE_LIMIT} points in view), draw each sample's picture` },
      this.box,
      ' pictures',
    );
    this.toggle.hidden = true;
  }

  /** The dataset whose pictures are drawn. */
  show(ds: DatasetView): void {
    if (this.ds?.id !== ds.id) this.cache.clear();
    this.ds = ds;
    this.hasAny = !!ds.sprite || ds.imageDirs.length > 0 || ds.imageUris.some((u) => !!u);
    this.toggle.hidden = !this.hasAny;
  }

  /** The pictures to draw for this camera, each already decoded; asks for the others (onChange when they arrive). */
  place(grid: PointGrid | null, cam: Camera, vp: Viewport, pos: Float32Array, stride: number): PlacedPicture[] {
    const ds = this.ds;
    this.drawn = [];
    if (!ds || !grid || !this.hasAny || !this.box.checked) return [];
    const ids = picturesInView(grid, cam, vp, PICTURE_LIMIT);
    if (!ids) return [];
    const out: PlacedPicture[] = [];
    for (const i of ids) {
      const pic = sampleImage(ds, i);
      const image = pic && this.image(pic.uri);
      if (!pic || !image) continue;
      const c = pic.cell ?? { x: 0, y: 0, w: image.naturalWidth, h: image.naturalHeight };
      const [sx, sy] = dataToScreen(cam, vp, pos[i * stride], pos[i * stride + 1]);
      out.push({
        index: i,
        image,
        src: [c.x, c.y, c.w, c.h],
        dest: fitRect(sx, sy, PICTURE_PX, c.w, c.h),
        frame: cssRgb(classColor(ds.labels[i])),
        pixelated: Math.max(c.w, c.h) <= 64,
      });
    }
    this.drawn = out.map((p) => p.index);
    return out;
  }

  /** The decoded image at `uri`, or null while it loads (or failed); starts loading it when there is room. */
  private image(uri: string): HTMLImageElement | null {
    const got = this.cache.get(uri);
    if (got instanceof HTMLImageElement) {
      this.cache.delete(uri); // most recently used last
      this.cache.set(uri, got);
      return got;
    }
    if (got || this.loading >= MAX_LOADING) return null;
    this.loading++;
    this.cache.set(uri, 'loading');
    const el = new Image();
    el.decoding = 'async';
    const done = (ok: boolean): void => {
      this.loading--;
      if (this.cache.get(uri) !== 'loading') return; // another dataset since
      this.cache.set(uri, ok && el.naturalWidth > 0 ? el : 'failed');
      this.trim();
      this.onChange();
    };
    el.onload = () => done(true);
    el.onerror = () => done(false);
    el.src = uri;
    return null;
  }

  private trim(): void {
    for (const [uri, v] of this.cache) {
      if (this.cache.size <= CACHE_SIZE) return;
      if (v !== 'loading') this.cache.delete(uri);
    }
  }
}
