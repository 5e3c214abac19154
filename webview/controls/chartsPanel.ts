/**
 * The histogram and sweep canvases with their legends, captions and the log-scale toggle. Keeps
 * the latest histogram, margin range and margin, and redraws on data, margin, resize and theme
 * changes. Margin moves while dragging are drawn on the next animation frame (several `input`
 * events per frame collapse into one draw); a census redraws synchronously.
 */
import { h } from '../common/dom';
import { ChartCanvas, onPixelRatioChange } from './chartCanvas';
import { drawHistogram, drawSweep } from './charts';
import { type Histogram, type Sweep, sweepCurve } from './histogramModel';
import { type MarginRange, sanitizeRange } from '../../src/shared/sliderScale';
import { readTheme, onThemeChange, type ChartTheme } from './theme';

const SWEEP_ESTIMATE =
  "Share of triplets with t ≤ m as m varies, read from the histogram: exact at bin edges, interpolated between them (dot). The ring and the counts above are the engine's exact count.";
const SWEEP_EXACT = 'Share of triplets with t ≤ m as m varies: exact at every slider position (counted for each one).';

/** Points on the sweep curve (one per ~1.5 px of a typical sidebar). */
const SWEEP_POINTS = 200;

/** Both charts. */
export class ChartsPanel {
  readonly histogramElement: HTMLElement;
  readonly sweepElement: HTMLElement;
  private readonly histogram: ChartCanvas;
  private readonly sweep: ChartCanvas;
  private readonly waiting: HTMLElement[];
  private hist: Histogram | undefined;
  private range: MarginRange = sanitizeRange(undefined);
  private margin = 0;
  private exact: { margin: number; share: number } | undefined;
  /** Exact counts at every slider position (the host's margin table), once it has them. */
  private exactCurve: Sweep | undefined;
  private theme: ChartTheme;
  private frame = 0;

  private readonly sweepHint = h('p', { class: 'hint', 'data-testid': 'sweep-hint' }, SWEEP_ESTIMATE);

  constructor(
    private logScale: boolean,
    onLogScale: (on: boolean) => void,
  ) {
    this.theme = readTheme();
    this.histogram = new ChartCanvas(
      'Histogram of t = d(a,n) − d(a,p) over all valid triplets, with the margin',
      'histogram',
      (ctx, w, hh) => {
        if (this.hist)
          drawHistogram(ctx, w, hh, {
            hist: this.hist,
            margin: this.margin,
            logScale: this.logScale,
            theme: this.theme,
          });
      },
    );
    this.sweep = new ChartCanvas('Share of violating triplets against the margin', 'sweep', (ctx, w, hh) => {
      if (!this.hist) return;
      const to = Math.max(this.range.max, this.margin);
      // The exact curve covers the slider's range; a typed margin beyond it falls back to the estimate.
      const exact =
        this.exactCurve && this.margin <= this.exactCurve.margins[this.exactCurve.margins.length - 1]
          ? this.exactCurve
          : undefined;
      const sweep = exact ?? sweepCurve(this.hist, this.range.min, to, SWEEP_POINTS);
      drawSweep(ctx, w, hh, {
        sweep,
        hist: this.hist,
        margin: this.margin,
        theme: this.theme,
        exact: this.exact,
        exactCurve: !!exact,
      });
      this.sweepHint.textContent = exact ? SWEEP_EXACT : SWEEP_ESTIMATE;
    });
    const log = h('input', {
      type: 'checkbox',
      id: 'histogram-log',
      'data-testid': 'histogram-log',
      checked: logScale,
    });
    log.addEventListener('change', () => {
      this.logScale = log.checked;
      onLogScale(log.checked);
      this.redraw();
    });
    const swatch = (cls: string, text: string) =>
      h('span', { class: `legend-item ${cls}` }, h('span', { class: 'swatch' }), text);
    this.waiting = [
      h('div', { class: 'waiting' }, 'waiting for the census…'),
      h('div', { class: 'waiting' }, 'waiting for the census…'),
    ];
    this.histogramElement = h(
      'div',
      { class: 'chart-box' },
      this.waiting[0],
      this.histogram.canvas,
      h(
        'div',
        { class: 'legend' },
        swatch('hard', 'hard'),
        swatch('violating', 'semi-hard'),
        swatch('easy', 'easy'),
        swatch('margin', 'margin'),
        h('label', { class: 'log-toggle' }, log, 'log'),
      ),
    );
    this.sweepElement = h('div', { class: 'chart-box' }, this.waiting[1], this.sweep.canvas, this.sweepHint);
    onThemeChange(() => {
      this.theme = readTheme();
      this.redraw();
    });
    onPixelRatioChange(() => this.redraw());
    this.showWaiting();
  }

  /** New histogram (undefined: none yet): a new index, so the exact sweep of the old one goes too. */
  setHistogram(hist: Histogram | undefined): void {
    this.hist = hist;
    this.exactCurve = undefined;
    if (!hist) this.exact = undefined;
    this.showWaiting();
    this.redraw();
  }

  /** The slider's range: the sweep's x axis. */
  setRange(r: MarginRange): void {
    this.range = sanitizeRange(r);
    this.schedule();
  }

  /** Moves the margin line and marker; drawn on the next frame unless `draw` is false. */
  setMargin(m: number, draw = true): void {
    this.margin = m;
    if (draw) this.schedule();
  }

  /** The exact sweep at every slider position (from the host's margin table). */
  setExactSweep(sweep: Sweep | undefined): void {
    this.exactCurve = sweep && sweep.margins.length >= 2 ? sweep : undefined;
    this.schedule();
  }

  /** The exact violating share from the last census (undefined: none yet). */
  setExact(exact: { margin: number; share: number } | undefined): void {
    this.exact = exact;
  }

  /** Draws both charts now. */
  redraw(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    this.histogram.redraw();
    this.sweep.redraw();
  }

  private schedule(): void {
    if (!this.frame)
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.redraw();
      });
  }

  private showWaiting(): void {
    for (const w of this.waiting) w.hidden = !!this.hist;
    this.histogram.canvas.hidden = !this.hist;
    this.sweep.canvas.hidden = !this.hist;
  }
}
