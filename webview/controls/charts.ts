/**
 * Drawing of the two charts: the histogram of t = d(a,n) - d(a,p) with the margin line, and the
 * margin sweep (share of violating triplets against the margin). Geometry and colours only; the
 * numbers come from histogramModel.ts.
 */
import type { ChartTheme } from './theme';
import {
  type Histogram,
  type Sweep,
  splitBin,
  niceTicks,
  countAtOrBelow,
  cumulativeCounts,
  shareAt,
} from './histogramModel';
import { formatTick } from '../common/format';

/** Padding around the plot area, in CSS pixels (room for tick labels below). */
const PAD = { left: 6, right: 6, top: 8, bottom: 16 };

/** What the histogram shows. */
export interface HistogramFrame {
  hist: Histogram;
  margin: number;
  logScale: boolean;
  theme: ChartTheme;
}

/** What the sweep shows. */
export interface SweepFrame {
  sweep: Sweep;
  hist: Histogram;
  margin: number;
  theme: ChartTheme;
  /** The engine's exact violating share at the census margin, drawn as a ring beside the estimate. */
  exact?: { margin: number; share: number };
  /** The sweep holds exact counts (the margin table), not an estimate from the histogram: the dot reads it. */
  exactCurve?: boolean;
}

function xAxis(
  ctx: CanvasRenderingContext2D,
  theme: ChartTheme,
  x0: number,
  x1: number,
  lo: number,
  hi: number,
  y: number,
  fmt: (v: number) => string,
): void {
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.font = theme.font;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const ticks = niceTicks(lo, hi, Math.max(2, Math.floor((x1 - x0) / 55)));
  for (const t of ticks) {
    const x = x0 + ((t - lo) / (hi - lo)) * (x1 - x0);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, y);
    ctx.lineTo(Math.round(x) + 0.5, y + 3);
    ctx.stroke();
    ctx.fillText(fmt(t), Math.min(x1 - 8, Math.max(x0 + 8, x)), y + 3);
  }
  ctx.beginPath();
  ctx.moveTo(x0, y + 0.5);
  ctx.lineTo(x1, y + 0.5);
  ctx.stroke();
}

function marginLine(ctx: CanvasRenderingContext2D, theme: ChartTheme, x: number, top: number, bottom: number): void {
  ctx.strokeStyle = theme.marker;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([3, 2]);
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, bottom);
  ctx.stroke();
  ctx.setLineDash([]);
}

/**
 * Bars of counts over edges (height ∝ count per unit of t, so uneven bins stay honest), split and
 * coloured at t = 0 (hard, error colour) and t = margin (violating, warning colour), the margin as
 * a dashed vertical line. The x range always includes 0 and the margin.
 */
export function drawHistogram(ctx: CanvasRenderingContext2D, w: number, hgt: number, f: HistogramFrame): void {
  const { edges, counts } = f.hist;
  const bins = counts.length;
  if (bins < 1 || edges.length !== bins + 1) return;
  const lo = Math.min(edges[0], 0, f.margin);
  const hi = Math.max(edges[bins], f.margin);
  if (!(hi > lo)) return;
  const x0 = PAD.left,
    x1 = w - PAD.right,
    y0 = PAD.top,
    y1 = hgt - PAD.bottom;
  const sx = (t: number) => x0 + ((t - lo) / (hi - lo)) * (x1 - x0);
  let unit = Infinity; // narrowest bin: heights are counts per this width
  for (let i = 0; i < bins; i++) if (edges[i + 1] > edges[i]) unit = Math.min(unit, edges[i + 1] - edges[i]);
  const heights = new Float64Array(bins);
  let top = 0;
  for (let i = 0; i < bins; i++) {
    const width = edges[i + 1] - edges[i];
    const d = width > 0 ? (counts[i] * unit) / width : counts[i];
    heights[i] = f.logScale ? Math.log10(1 + d) : d;
    top = Math.max(top, heights[i]);
  }
  const colour = { hard: f.theme.error, violating: f.theme.warning, easy: f.theme.bar };
  if (top > 0) {
    for (let i = 0; i < bins; i++) {
      if (heights[i] <= 0) continue;
      const barTop = y1 - (heights[i] / top) * (y1 - y0);
      for (const seg of splitBin(edges[i], edges[i + 1], f.margin)) {
        const a = sx(seg.from),
          b = sx(seg.to);
        ctx.fillStyle = colour[seg.zone];
        // At least one pixel wide so a spike in a narrow bin stays visible.
        ctx.fillRect(a, barTop, Math.max(b - a, 1), y1 - barTop);
      }
    }
  }
  xAxis(ctx, f.theme, x0, x1, lo, hi, y1, formatTick);
  marginLine(ctx, f.theme, sx(f.margin), y0 - 4, y1);
  ctx.fillStyle = f.theme.muted;
  ctx.font = f.theme.font;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  if (f.logScale) ctx.fillText('log', x1, 0);
}

/**
 * The sweep curve over its margins, y from 0 to 100 %, with the current margin as a dashed line, a
 * dot where it meets the curve and a ring at the engine's exact share.
 */
export function drawSweep(ctx: CanvasRenderingContext2D, w: number, hgt: number, f: SweepFrame): void {
  const { margins, share } = f.sweep;
  const n = margins.length;
  if (n < 2) return;
  const lo = margins[0],
    hi = margins[n - 1];
  if (!(hi > lo)) return;
  const x0 = PAD.left + 30,
    x1 = w - PAD.right,
    y0 = PAD.top,
    y1 = hgt - PAD.bottom;
  const sx = (m: number) => x0 + ((m - lo) / (hi - lo)) * (x1 - x0);
  const sy = (s: number) => y1 - s * (y1 - y0);
  ctx.font = f.theme.font;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 1;
  for (const s of [0, 0.5, 1]) {
    ctx.strokeStyle = f.theme.grid;
    ctx.beginPath();
    ctx.moveTo(x0, Math.round(sy(s)) + 0.5);
    ctx.lineTo(x1, Math.round(sy(s)) + 0.5);
    ctx.stroke();
    ctx.fillStyle = f.theme.muted;
    ctx.fillText(`${s * 100}%`, x0 - 3, sy(s));
  }
  xAxis(ctx, f.theme, x0, x1, lo, hi, y1, formatTick);
  ctx.strokeStyle = f.theme.curve;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let j = 0; j < n; j++) {
    const x = sx(margins[j]),
      y = sy(share[j]);
    if (j === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
  if (f.margin >= lo && f.margin <= hi) {
    const x = sx(f.margin);
    marginLine(ctx, f.theme, x, y0 - 4, y1);
    const here = f.exactCurve
      ? shareAt(f.sweep, f.margin)
      : f.hist.triplets > 0
        ? countAtOrBelow(f.hist.edges, cumulativeCounts(f.hist.counts), f.margin) / f.hist.triplets
        : 0;
    ctx.fillStyle = f.theme.marker;
    ctx.beginPath();
    ctx.arc(x, sy(here), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (f.exact && f.exact.margin >= lo && f.exact.margin <= hi) {
    ctx.strokeStyle = f.theme.foreground;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(sx(f.exact.margin), sy(f.exact.share), 5, 0, 2 * Math.PI);
    ctx.stroke();
  }
}
