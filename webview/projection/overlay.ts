/**
 * The 2-D canvas drawn over the WebGL points: hover ring, lines to the hardest positive and the
 * violating negatives, the chosen worst triplet, the reveal pulse and the box / lasso outline.
 * A handful of shapes, so Canvas 2D is simpler than a second WebGL pass and gives real line widths.
 */
import { cssRgb } from './colors';
import { dataToScreen, type Camera, type Viewport } from './camera';
import type { PlacedPicture } from './pictures';
import type { Palette } from './pointStyle';

/** What the overlay shows; indices are sample indices, -1 / null for none. */
export interface OverlayScene {
  hover: number;
  /** Lines from `index` to its hardest positive and to its violating negatives (worst first). */
  detail: { index: number; hardestPositive: number; negatives: number[] } | null;
  /** Lines from `index` to its nearest neighbours in the original space (same class solid, others dashed). */
  neighbours: { index: number; items: { index: number; sameClass: boolean }[] } | null;
  /** The worst-list triplet being shown. */
  triplet: { anchor: number; positive: number; negative: number } | null;
  /** Reveal pulse start time (performance.now()). */
  pulse: { index: number; start: number } | null;
  /** Drag outline in CSS pixels: box = [x0, y0, x1, y1], lasso = x0, y0, x1, y1, ... */
  drag: { kind: 'box' | 'lasso'; points: number[] } | null;
  /** Samples' pictures over their points (pictures.ts), under everything else. */
  pictures: PlacedPicture[];
}

/** Length of the reveal pulse in ms. */
export const PULSE_MS = 1800;

/** Point positions and where to draw them. */
export interface OverlayFrame {
  cam: Camera;
  vp: Viewport;
  dpr: number;
  pos: Float32Array;
  stride: number;
  n: number;
  palette: Palette;
  now: number;
}

/** Draws the scene; returns true while an animation (the pulse) still needs frames. */
export function drawOverlay(ctx: CanvasRenderingContext2D, f: OverlayFrame, s: OverlayScene): boolean {
  ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
  ctx.clearRect(0, 0, f.vp.width, f.vp.height);
  const at = (i: number): [number, number] | null => {
    if (i < 0 || i >= f.n) return null;
    const x = f.pos[i * f.stride],
      y = f.pos[i * f.stride + 1];
    return Number.isFinite(x) && Number.isFinite(y) ? dataToScreen(f.cam, f.vp, x, y) : null;
  };
  const pal = f.palette;
  halo = cssRgb(pal.background, 0.85);
  for (const p of s.pictures) picture(ctx, p, pal);
  if (s.detail) {
    const a = at(s.detail.index);
    if (a) {
      s.detail.negatives.forEach((n, rank) =>
        line(ctx, a, at(n), cssRgb(pal.negative, Math.max(0.35, 0.95 - rank * 0.03)), 1.25, [4, 3]),
      );
      line(ctx, a, at(s.detail.hardestPositive), cssRgb(pal.positive, 0.95), 2, []);
      for (const n of s.detail.negatives) dot(ctx, at(n), cssRgb(pal.negative), 3);
      dot(ctx, at(s.detail.hardestPositive), cssRgb(pal.positive), 3.5);
    }
  }
  if (s.neighbours) {
    const a = at(s.neighbours.index);
    if (a) {
      for (const x of s.neighbours.items)
        line(
          ctx,
          a,
          at(x.index),
          cssRgb(x.sameClass ? pal.positive : pal.negative, 0.8),
          1.5,
          x.sameClass ? [] : [3, 3],
        );
      for (const x of s.neighbours.items) dot(ctx, at(x.index), cssRgb(x.sameClass ? pal.positive : pal.negative), 3);
      ring(ctx, a, 9, cssRgb(pal.focus), 2);
    }
  }
  if (s.triplet) {
    const a = at(s.triplet.anchor),
      p = at(s.triplet.positive),
      n = at(s.triplet.negative);
    line(ctx, a, p, cssRgb(pal.positive), 2.5, []);
    line(ctx, a, n, cssRgb(pal.negative), 2.5, [6, 4]);
    marker(ctx, a, 'a', pal);
    marker(ctx, p, 'p', pal);
    marker(ctx, n, 'n', pal);
  }
  const h = at(s.hover);
  if (h) ring(ctx, h, 7, cssRgb(pal.foreground), 1.5);
  if (s.drag && s.drag.points.length >= 4) {
    ctx.save();
    ctx.strokeStyle = cssRgb(pal.focus);
    ctx.fillStyle = cssRgb(pal.focus, 0.12);
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    const q = s.drag.points;
    if (s.drag.kind === 'box')
      ctx.rect(Math.min(q[0], q[2]), Math.min(q[1], q[3]), Math.abs(q[2] - q[0]), Math.abs(q[3] - q[1]));
    else {
      ctx.moveTo(q[0], q[1]);
      for (let k = 2; k < q.length; k += 2) ctx.lineTo(q[k], q[k + 1]);
      ctx.closePath();
    }
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }
  if (s.pulse) {
    const t = (f.now - s.pulse.start) / PULSE_MS;
    const p = at(s.pulse.index);
    if (t < 1 && p) {
      const phase = (t * 2) % 1; // two rings, one after the other
      ring(ctx, p, 6 + 26 * phase, cssRgb(pal.focus, 1 - phase), 2.5);
      ring(ctx, p, 6, cssRgb(pal.focus), 2);
      return true;
    }
  }
  return false;
}

/** A picture in a 2 px frame of its class colour over a backing of the background (transparent images stay legible). */
function picture(ctx: CanvasRenderingContext2D, p: PlacedPicture, pal: Palette): void {
  const [x, y, w, h] = p.dest;
  ctx.fillStyle = p.frame;
  ctx.fillRect(x - 2, y - 2, w + 4, h + 4);
  ctx.fillStyle = cssRgb(pal.background);
  ctx.fillRect(x, y, w, h);
  ctx.imageSmoothingEnabled = !p.pixelated;
  ctx.drawImage(p.image, p.src[0], p.src[1], p.src[2], p.src[3], x, y, w, h);
  ctx.imageSmoothingEnabled = true;
}

/** Background colour for the halo under lines, so they read over dense, coloured points. */
let halo = 'transparent';

function line(
  ctx: CanvasRenderingContext2D,
  a: [number, number] | null,
  b: [number, number] | null,
  color: string,
  width: number,
  dash: number[],
): void {
  if (!a || !b) return;
  ctx.save();
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.strokeStyle = halo;
  ctx.lineWidth = width + 2.5;
  ctx.stroke();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.stroke();
  ctx.restore();
}

function dot(ctx: CanvasRenderingContext2D, p: [number, number] | null, color: string, r: number): void {
  if (!p) return;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
  ctx.fill();
}

function ring(ctx: CanvasRenderingContext2D, p: [number, number], r: number, color: string, width: number): void {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.restore();
}

/** A labelled circle ("a", "p", "n") over a triplet member. */
function marker(ctx: CanvasRenderingContext2D, p: [number, number] | null, letter: string, pal: Palette): void {
  if (!p) return;
  const color = letter === 'a' ? pal.foreground : letter === 'p' ? pal.positive : pal.negative;
  ring(ctx, p, 8, cssRgb(color), 2);
  ctx.save();
  ctx.font = 'bold 11px sans-serif';
  ctx.textBaseline = 'bottom';
  ctx.lineWidth = 3;
  ctx.strokeStyle = cssRgb(pal.background);
  ctx.strokeText(letter, p[0] + 9, p[1] - 7);
  ctx.fillStyle = cssRgb(color);
  ctx.fillText(letter, p[0] + 9, p[1] - 7);
  ctx.restore();
}
