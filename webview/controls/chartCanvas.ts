/**
 * A canvas that fills its container's width at a fixed CSS height, sized in device pixels
 * (devicePixelRatio-aware, so lines stay sharp on HiDPI screens) and redrawn on resize.
 */

/** Draws one frame in CSS pixels (the transform already includes devicePixelRatio). */
export type DrawFn = (ctx: CanvasRenderingContext2D, width: number, height: number) => void;

/** One chart surface; call {@link ChartCanvas.redraw} whenever its data changes. */
export class ChartCanvas {
  /** The element to insert in the page. */
  readonly canvas: HTMLCanvasElement;
  private readonly observer: ResizeObserver;

  constructor(
    label: string,
    testId: string,
    private readonly draw: DrawFn,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'chart';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    this.canvas.dataset.testid = testId;
    // Redraw when the sidebar is resized (its width changes the canvas's CSS width). The size is
    // cached from here: reading clientWidth in redraw() would force a synchronous layout in the
    // middle of every census update.
    this.observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      this.width = box.width;
      this.height = box.height;
      this.redraw();
    });
    this.observer.observe(this.canvas);
  }

  private width = 0;
  private height = 0;

  /** Resizes the backing store to the element's size times devicePixelRatio and draws. */
  redraw(): void {
    const w = this.width;
    const hgt = this.height;
    if (w === 0 || hgt === 0) return; // hidden (collapsed section): drawn again when shown
    const dpr = window.devicePixelRatio || 1;
    const bw = Math.round(w * dpr);
    const bh = Math.round(hgt * dpr);
    if (this.canvas.width !== bw) this.canvas.width = bw;
    if (this.canvas.height !== bh) this.canvas.height = bh;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    this.draw(ctx, w, hgt);
  }

  /** Stops watching the size. */
  dispose(): void {
    this.observer.disconnect();
  }
}

/**
 * Calls `onChange` when devicePixelRatio changes (window moved to another screen, zoom), which
 * does not always resize the canvas's CSS box. Re-arms itself for the new ratio.
 */
export function onPixelRatioChange(onChange: () => void): void {
  const arm = () => {
    const mq = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    mq.addEventListener(
      'change',
      () => {
        onChange();
        arm();
      },
      { once: true },
    );
  };
  arm();
}
