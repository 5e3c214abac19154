/**
 * The plot: the points' canvas (WebGL 2 or WebGPU, pointLayer.ts) + overlay canvas in one box, the
 * camera, hit-testing and gestures.
 * Redraws on demand only (one requestAnimationFrame when something changed), follows the box's
 * size (ResizeObserver) and devicePixelRatio.
 */
import { PointGrid } from './hitTest';
import { attachGestures } from './interaction';
import {
  computeBounds,
  dataToScreen,
  fitCamera,
  framePoints,
  panBy,
  screenToData,
  wheelZoomFactor,
  zoomAt,
  type Bounds,
  type Camera,
  type Viewport,
} from './camera';
import { drawOverlay, type OverlayScene } from './overlay';
import type { PictureLayer } from './pictures';
import type { PointLook } from './pointLook';
import { baseSize, type Palette } from './pointStyle';
import { PointLayer } from './pointLayer';
import type { PointRenderer, RendererChoice } from './pointRenderer';

/** The per-point inputs of the shader's styling and the look; each given is uploaded (see pointRenderer.ts). */
export interface PointInputs {
  labels?: Int32Array;
  category?: Uint8Array | null;
  values?: Float32Array | null;
  selected?: Uint8Array | null;
  order?: Uint32Array;
  look?: PointLook;
}

/** What the plot tells its owner. */
export interface PlotCallbacks {
  hover(index: number): void;
  click(index: number, x: number, y: number): void;
  select(indices: Int32Array): void;
  clear(): void;
  cameraChanged(view: { cx: number; cy: number; zoom: number }): void;
  error(message: string): void;
  /** The points were drawn: how many (those of the layout that have arrived). */
  drawn?(points: number): void;
  /** The points' renderer started: which, and why not WebGPU when it is not. */
  renderer?(kind: PointRenderer['kind'], why: string): void;
}

const PADDING = 24;
/**
 * From this many points on, a moving camera shows the last drawing moved and scaled (frameCache.ts)
 * and the points are drawn again once it rests for REST_MS: software GL here takes about a second
 * per frame for 1 000 000 points, 0.1 s for 100 000.
 */
const MOVE_WITH_CACHE = 200_000;
const REST_MS = 160;
/** Least time between two drawings of a layout still arriving in chunks (the first chunk is drawn at once). */
const PARTIAL_MS = 500;
/** Hit radius around the cursor, CSS px. */
const HIT_PX = 7;

/** One scatter plot inside `host`. */
export class PlotView {
  readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly renderer: PointLayer;
  private vp: Viewport = { width: 1, height: 1 };
  private dpr = 1;
  private cam: Camera = { cx: 0, cy: 0, scale: 1 };
  private fitScale = 1;
  private pos: Float32Array = new Float32Array(0);
  private stride = 2;
  private n = 0;
  private grid: PointGrid | null = null;
  private palette: Palette | null = null;
  private rafId = 0;
  /** The points need redrawing (camera, styles, palette, size); otherwise only the overlay does. */
  private pointsDirty = true;
  /** Only the camera changed since the last drawing of the points. */
  private cameraMoved = false;
  private restTimer = 0;
  private bounds: Bounds = { minX: -1, minY: -1, maxX: 1, maxY: 1, count: 0 };
  /** The layout is arriving in chunks and the camera fits what has arrived (until the user moves it). */
  private partialFit = false;
  /** When the points of a layout still arriving were last scheduled for drawing. */
  private partialDrawn = 0;
  /** Frames drawn from the moved cache since the layout was set (the test hook reads it). */
  movedFrames = 0;
  /** Milliseconds the last frame took on the main thread (GPU submission + overlay). */
  lastFrameMs = 0;
  readonly scene: OverlayScene = {
    hover: -1,
    detail: null,
    neighbours: null,
    triplet: null,
    pulse: null,
    drag: null,
    pictures: [],
  };
  /** Samples' pictures when zoomed in (set by the page when the dataset has any). */
  pictures: PictureLayer | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly cb: PlotCallbacks,
    renderer: RendererChoice = 'auto',
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'plot-gl';
    this.canvas.tabIndex = 0;
    this.canvas.id = 'plot';
    this.canvas.dataset.testid = 'plot-canvas';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute(
      'aria-label',
      'Embedding projection. Drag to pan, wheel or +/- to zoom, 0 to reset, shift-drag box select, alt-drag lasso select, Escape clears.',
    );
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'plot-overlay';
    this.overlay.setAttribute('aria-hidden', 'true');
    host.append(this.canvas, this.overlay);
    this.ctx = this.overlay.getContext('2d')!;
    this.renderer = new PointLayer(this.canvas, renderer, {
      error: (m) => cb.error(m),
      ready: (kind, why) => {
        cb.renderer?.(kind, why);
        this.invalidate();
      },
    });
    // The renderer re-uploads on restore (its listener runs first); then draw again.
    this.canvas.addEventListener('webglcontextrestored', () => this.invalidate());
    new ResizeObserver(() => this.resize()).observe(host);
    window.addEventListener('resize', () => this.resize()); // browser zoom changes devicePixelRatio
    attachGestures(this.canvas, this.gestures());
    this.resize();
  }

  /** Points in the last draw call. */
  get pointsDrawn(): number {
    return this.renderer.pointsDrawn;
  }
  /** False when the renderer could not start. */
  get ok(): boolean {
    return this.renderer.ok;
  }
  /** Which API draws the points: 'webgl2', 'webgpu', or '' while WebGPU is asked for. */
  get rendererKind(): PointRenderer['kind'] | '' {
    return this.renderer.kind;
  }

  /**
   * New positions (host layout, stride 2 or 3). Restores `view` (relative zoom) or fits all. With
   * `loaded` < n the layout is still arriving in chunks: only its first `loaded` points are drawn
   * (and fitted), the rest as layoutArrived reports them; hover and selection wait for the whole.
   */
  setLayout(
    pos: Float32Array,
    n: number,
    stride: number,
    view?: { cx: number; cy: number; zoom: number },
    loaded = n,
  ): void {
    this.pos = pos;
    this.n = n;
    this.stride = stride;
    this.grid = loaded >= n ? new PointGrid(pos, n, stride) : null;
    this.renderer.setPositions(pos, n, stride, loaded);
    this.bounds = computeBounds(pos, loaded, stride);
    this.movedFrames = 0;
    this.fitScale = fitCamera(this.bounds, this.vp, PADDING).scale;
    this.partialFit = loaded < n && !view;
    this.partialDrawn = performance.now();
    this.cam = view ? { cx: view.cx, cy: view.cy, scale: view.zoom * this.fitScale } : this.fitAll();
    this.invalidate();
  }

  /** Points [from, to) of the layout given to setLayout arrived; at n the layout is whole (hit-testing starts). */
  layoutArrived(from: number, to: number): void {
    this.renderer.positionsArrived(from, to);
    const loaded = Math.min(this.n, to);
    // The bounds grow by the new points' (each point is looked at once over all the chunks).
    const b = this.bounds,
      nb = computeBounds(this.pos.subarray(from * this.stride, loaded * this.stride), loaded - from, this.stride);
    if (nb.count > 0)
      this.bounds =
        b.count === 0
          ? nb
          : {
              minX: Math.min(b.minX, nb.minX),
              minY: Math.min(b.minY, nb.minY),
              maxX: Math.max(b.maxX, nb.maxX),
              maxY: Math.max(b.maxY, nb.maxY),
              count: b.count + nb.count,
            };
    // Until the user moves the camera, it fits what has arrived.
    const zoom = this.cam.scale / this.fitScale;
    this.fitScale = fitCamera(this.bounds, this.vp, PADDING).scale;
    this.cam = this.partialFit ? this.fitAll() : { ...this.cam, scale: zoom * this.fitScale };
    if (loaded >= this.n) {
      this.grid = new PointGrid(this.pos, this.n, this.stride);
      this.partialFit = false;
      this.invalidate();
      return;
    }
    // Partial drawings at most every PARTIAL_MS: each is a full draw of what has arrived, which
    // software GL pays for (about a second at 1M) before it can draw the whole.
    const now = performance.now();
    if (now - this.partialDrawn >= PARTIAL_MS) {
      this.partialDrawn = now;
      this.invalidate();
    }
  }

  /** New per-point inputs and / or look. */
  setPointInputs(p: PointInputs): void {
    const r = this.renderer;
    if (p.labels) r.setLabels(p.labels);
    if (p.category !== undefined) r.setCategory(p.category);
    if (p.values !== undefined) r.setValues(p.values);
    if (p.selected !== undefined) r.setSelected(p.selected);
    if (p.order) r.setOrder(p.order);
    if (p.look) r.setLook(p.look);
    this.invalidate();
  }
  /** New theme colours. */
  setPalette(p: Palette): void {
    this.palette = p;
    this.renderer.invalidateCache();
    this.invalidate();
  }

  /** Fits every point. */
  reset(): void {
    this.setCamera(this.fitAll());
  }

  /** Centres on the given samples, zooming in so they fill the view (not past 40x "fit all"). */
  frame(indices: number[]): void {
    const xy: number[] = [];
    for (const i of indices)
      if (i >= 0 && i < this.n) xy.push(this.pos[i * this.stride], this.pos[i * this.stride + 1]);
    if (xy.length === 0 || !xy.every(Number.isFinite)) return;
    const pad = Math.min(this.vp.width, this.vp.height) * 0.25;
    this.setCamera(framePoints(xy, this.vp, pad, this.fitScale, this.fitScale * 40));
  }

  /** Centres on one sample without changing the zoom (at least 4x "fit all") and pulses it. */
  reveal(index: number): void {
    if (index < 0 || index >= this.n) return;
    const x = this.pos[index * this.stride],
      y = this.pos[index * this.stride + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    this.setCamera({ cx: x, cy: y, scale: Math.max(this.cam.scale, this.fitScale * 4) });
    this.scene.pulse = { index, start: performance.now() };
  }

  /** Where sample i is, in CSS pixels relative to the page viewport (the test hook). */
  screenPositionOf(i: number): { x: number; y: number } | null {
    if (i < 0 || i >= this.n) return null;
    const [sx, sy] = dataToScreen(this.cam, this.vp, this.pos[i * this.stride], this.pos[i * this.stride + 1]);
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + sx, y: r.top + sy };
  }

  /**
   * Schedules one redraw (coalesced into the next animation frame). `overlayOnly` for hover,
   * detail lines, drag outlines and the pulse: the 100 000 points are not redrawn for those.
   */
  invalidate(overlayOnly = false): void {
    if (!overlayOnly) this.pointsDirty = true;
    if (this.rafId === 0)
      this.rafId = requestAnimationFrame(() => {
        this.rafId = 0;
        this.draw();
      });
  }

  private draw(): void {
    const pal = this.palette;
    if (!pal) return;
    const t0 = performance.now();
    if (this.pointsDirty || this.cameraMoved) {
      const colors = { background: pal.background, ring: pal.hard, select: pal.focus };
      const large = this.n >= MOVE_WITH_CACHE;
      if (!this.pointsDirty && large && this.renderer.drawMoved(this.cam, this.vp, colors)) {
        this.movedFrames++;
        window.clearTimeout(this.restTimer);
        this.restTimer = window.setTimeout(() => this.invalidate(), REST_MS);
      } else {
        const growth = Math.min(3, Math.max(1, Math.pow(this.cam.scale / this.fitScale, 0.3)));
        this.renderer.draw(this.cam, this.vp, this.dpr, colors, growth, this.alphaScale(growth), large);
        this.cb.drawn?.(this.renderer.pointsDrawn);
      }
      this.pointsDirty = false;
      this.cameraMoved = false;
    }
    this.scene.pictures = this.pictures?.place(this.grid, this.cam, this.vp, this.pos, this.stride) ?? [];
    const animating = drawOverlay(
      this.ctx,
      {
        cam: this.cam,
        vp: this.vp,
        dpr: this.dpr,
        pos: this.pos,
        stride: this.stride,
        n: this.n,
        palette: pal,
        now: t0,
      },
      this.scene,
    );
    this.lastFrameMs = performance.now() - t0;
    if (animating) this.invalidate(true);
    else this.scene.pulse = null;
  }

  /**
   * Alpha of ordinary points: 1 while they cover the layout's area less than twice over, then
   * sqrt(2 / coverage), at least 0.1, so dense regions still read as dense and a million points
   * are not one blob. Coverage = points x disc area / the layout's bounding box on screen.
   */
  private alphaScale(growth: number): number {
    const b = this.bounds;
    // A layout on a line (zero height or width) still spreads its points along it: at least 5 % of the view.
    const area = Math.max(
      (b.maxX - b.minX) * (b.maxY - b.minY) * this.cam.scale * this.cam.scale,
      0.05 * this.vp.width * this.vp.height,
    );
    const d = baseSize(this.n) * growth;
    const coverage = (b.count * Math.PI * d * d) / 4 / area;
    return coverage <= 2 ? 1 : Math.max(0.1, Math.sqrt(2 / coverage));
  }

  private fitAll(): Camera {
    return fitCamera(this.bounds, this.vp, PADDING);
  }

  private setCamera(cam: Camera): void {
    this.cam = cam;
    this.partialFit = false;
    this.cb.cameraChanged({ cx: cam.cx, cy: cam.cy, zoom: cam.scale / this.fitScale });
    this.cameraMoved = true;
    this.invalidate(true);
  }

  private resize(): void {
    const r = this.host.getBoundingClientRect();
    const vp = { width: Math.max(1, r.width), height: Math.max(1, r.height) };
    const dpr = window.devicePixelRatio || 1;
    // Keep the relative zoom: what was visible stays visible when the panel changes size.
    const zoom = this.cam.scale / this.fitScale;
    this.vp = vp;
    this.dpr = dpr;
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(vp.width * dpr);
      c.height = Math.round(vp.height * dpr);
    }
    if (this.n > 0) {
      this.fitScale = fitCamera(this.bounds, vp, PADDING).scale;
      this.cam = { ...this.cam, scale: zoom * this.fitScale };
    }
    if (this.rafId !== 0) {
      cancelAnimationFrame(this.rafId);
      this.rafId = 0;
    }
    this.pointsDirty = true;
    this.draw(); // synchronously: a resized canvas is blank until drawn
  }

  private hit(x: number, y: number): number {
    if (!this.grid) return -1;
    const [dx, dy] = screenToData(this.cam, this.vp, x, y);
    return this.grid.nearest(dx, dy, HIT_PX / this.cam.scale);
  }

  private gestures() {
    const zoomLimits = (): [number, number] => [this.fitScale / 4, this.fitScale * 5000];
    const center = (): [number, number] => [this.vp.width / 2, this.vp.height / 2];
    return {
      pan: (dx: number, dy: number) => this.setCamera(panBy(this.cam, dx, dy)),
      zoom: (x: number, y: number, deltaY: number, mode: number) =>
        this.setCamera(zoomAt(this.cam, this.vp, x, y, wheelZoomFactor(deltaY, mode), ...zoomLimits())),
      hover: (x: number, y: number) => this.cb.hover(this.hit(x, y)),
      leave: () => this.cb.hover(-1),
      click: (x: number, y: number) => {
        const i = this.hit(x, y);
        if (i >= 0) this.cb.click(i, x, y);
        else this.cb.clear();
      },
      shape: (kind: 'box' | 'lasso', points: number[] | null) => {
        this.scene.drag = points ? { kind, points: [...points] } : null;
        this.invalidate(true);
      },
      select: (kind: 'box' | 'lasso', pts: number[]) => {
        if (!this.grid) return;
        const data: number[] = [];
        for (let k = 0; k < pts.length; k += 2) data.push(...screenToData(this.cam, this.vp, pts[k], pts[k + 1]));
        this.cb.select(
          kind === 'box' ? this.grid.inRect(data[0], data[1], data[2], data[3]) : this.grid.inPolygon(data),
        );
      },
      key: (action: string) => {
        const step = 60;
        switch (action) {
          case 'zoomIn':
            this.setCamera(zoomAt(this.cam, this.vp, ...center(), 1.25, ...zoomLimits()));
            break;
          case 'zoomOut':
            this.setCamera(zoomAt(this.cam, this.vp, ...center(), 0.8, ...zoomLimits()));
            break;
          case 'reset':
            this.reset();
            break;
          case 'clear':
            this.cb.clear();
            break;
          case 'left':
            this.setCamera(panBy(this.cam, step, 0));
            break;
          case 'right':
            this.setCamera(panBy(this.cam, -step, 0));
            break;
          case 'up':
            this.setCamera(panBy(this.cam, 0, step));
            break;
          case 'down':
            this.setCamera(panBy(this.cam, 0, -step));
            break;
        }
      },
    };
  }
}
