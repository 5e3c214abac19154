/**
 * Browser side of the shaders' pixel tests (test/unit/projection/shaderPixels.test.ts,
 * gpuPixels.test.ts): draws n points with a real renderer — WebGL 2 (scatter.ts) or WebGPU
 * (gpuScatter.ts), styled by pointLook.ts — one per 24 px cell at pixel centres, and reads back each
 * point's centre pixel and the pixel where a ring would be; or draws a scene of overlapping points
 * and reads back the whole image.
 */
import { gpuDevice } from '../../../webview/projection/gpuDevice';
import { GpuScatterRenderer } from '../../../webview/projection/gpuScatter';
import { drawOrder, pointLook } from '../../../webview/projection/pointLook';
import { PointLayer } from '../../../webview/projection/pointLayer';
import type { PointRenderer } from '../../../webview/projection/pointRenderer';
import type { ColorBy, Palette } from '../../../webview/projection/pointStyle';
import { ScatterRenderer } from '../../../webview/projection/scatter';
import type { SceneCase, SceneComparison, SceneDrawn } from './pixelScene';

export type Api = 'webgl2' | 'webgpu';

/** A renderer of `api` on `canvas`; null (with the reason in errors) when the API is not there. */
/** The WebGPU device of the last renderer made, destroyed when the next is made (one at a time). */
let lastDevice: GPUDevice | null = null;

async function rendererOn(canvas: HTMLCanvasElement, api: Api, errors: string[]): Promise<PointRenderer | null> {
  lastDevice?.destroy();
  lastDevice = null;
  if (api === 'webgl2') return new ScatterRenderer(canvas, (m) => errors.push(m));
  const { device, why } = await gpuDevice('webgpu');
  if (!device) {
    errors.push(`no WebGPU: ${why}`);
    return null;
  }
  lastDevice = device;
  const r = new GpuScatterRenderer(canvas, device, (m) => errors.push(m));
  // Shader errors arrive asynchronously (an error scope).
  await device.queue.onSubmittedWorkDone();
  await new Promise((res) => setTimeout(res, 0));
  return r;
}

/** What the tests draw with: a renderer, or the plot's PointLayer in front of one. */
type Styled = Pick<PointRenderer, 'setPositions' | 'setLabels' | 'setCategory' | 'setValues' | 'setSelected'> &
  Pick<PointRenderer, 'setOrder' | 'setLook' | 'draw' | 'drawMoved'>;

/** Gives renderer `r` the per-point inputs, their draw order and the look of case `c`. */
function style(
  r: Styled,
  c: Pick<PixelCase, 'n' | 'colorBy' | 'classCount' | 'baseSize' | 'palette' | 'lossScale'>,
  x: {
    labels: Int32Array;
    category: Uint8Array | null;
    values: Float32Array | null;
    selected: Uint8Array | null;
    emphasis: Set<number>;
    isolate: boolean;
  },
): void {
  r.setLabels(x.labels);
  r.setCategory(x.category);
  r.setValues(x.values);
  r.setSelected(x.selected);
  r.setOrder(drawOrder(c.n, x.labels, c.classCount, x.category, x.emphasis, x.selected, x.isolate));
  const { colorBy, classCount, baseSize, palette, lossScale } = c;
  r.setLook(pointLook({ colorBy, classCount, emphasis: x.emphasis, isolate: x.isolate, baseSize, palette, lossScale }));
}

/** The canvas's pixels as the page shows them (drawn onto a 2D canvas: the same readback for both APIs), top row
 * first. */
async function pixelsOf(canvas: HTMLCanvasElement): Promise<Uint8ClampedArray> {
  const c2 = document.createElement('canvas');
  c2.width = canvas.width;
  c2.height = canvas.height;
  const ctx = c2.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(canvas, 0, 0);
  return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
}

/** One drawing, as plain arrays (it crosses page.evaluate as JSON). */
export interface PixelCase {
  n: number;
  colorBy: ColorBy;
  labels: number[];
  classCount: number;
  category: number[] | null;
  loss: number[] | null;
  change: number[] | null;
  lossScale: { ref: number; max: number };
  emphasis: number[];
  selected: number[] | null;
  isolate: boolean;
  baseSize: number;
  palette: Palette;
  /** Per point: device pixels from the centre to the ring pixel read (the CPU reference's size). */
  ringOffset: number[];
  /** Set: the layout arrives in two pieces; the first `loaded` points are drawn and read, then the rest arrive. */
  loaded?: number;
}

export const CELL = 24;
const COLS = 10;

/** The centre pixel of point i (from the top left). */
export function cellOf(i: number): [number, number] {
  return [(i % COLS) * CELL + CELL / 2, Math.floor(i / COLS) * CELL + CELL / 2];
}

async function render(
  c: PixelCase,
  api: Api = 'webgl2',
): Promise<{
  centre: number[][];
  ring: number[][];
  errors: string[];
  partial: number[][] | null;
  origin: number[] | null;
  drawn: number[];
}> {
  const width = COLS * CELL,
    height = Math.ceil(c.n / COLS) * CELL;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  document.body.append(canvas);
  const errors: string[] = [];
  const r = await rendererOn(canvas, api, errors);
  if (!r) return { centre: [], ring: [], errors, partial: null, origin: null, drawn: [] };
  const pos = new Float32Array(2 * c.n);
  // Data = screen pixels with y up: the camera below puts data (x, y) at screen (x, height - y).
  for (let i = 0; i < c.n; i++) {
    const [x, y] = cellOf(i);
    pos[2 * i] = x + 0.5;
    pos[2 * i + 1] = height - y - 0.5;
  }
  const labels = Int32Array.from(c.labels),
    category = c.category ? Uint8Array.from(c.category) : null,
    selected = c.selected ? Uint8Array.from(c.selected) : null;
  const emphasis = new Set(c.emphasis),
    isolate = c.isolate && selected !== null;
  // A layout arriving in chunks: the points not yet here are zeros in the array (layoutChunks.ts).
  const loaded = c.loaded ?? c.n,
    whole = pos.slice();
  pos.fill(0, 2 * loaded);
  r.setPositions(pos, c.n, 2, loaded);
  const values =
    c.colorBy === 'loss' && c.loss
      ? Float32Array.from(c.loss)
      : c.colorBy === 'change' && c.change
        ? Float32Array.from(c.change)
        : null;
  style(r, c, { labels, category, values, selected, emphasis, isolate });
  const p = c.palette;
  const drawn: number[] = [];
  const drawAndRead = async () => {
    drawn.push(
      r.draw(
        { cx: width / 2, cy: height / 2, scale: 1 },
        { width, height },
        1,
        { background: p.background, ring: p.hard, select: p.focus },
        1,
        1,
        false,
      ),
    );
    const px = await pixelsOf(canvas);
    const at = (x: number, y: number) => {
      const o = 4 * (y * width + x);
      return [px[o], px[o + 1], px[o + 2]];
    };
    const centre: number[][] = [],
      ring: number[][] = [];
    for (let i = 0; i < c.n; i++) {
      const [x, y] = cellOf(i);
      centre.push(at(x, y));
      ring.push(at(x + c.ringOffset[i], y));
    }
    // Where data (0, 0) falls: the not-yet-arrived points' zeros, were they drawn.
    return { centre, ring, origin: at(0, height - 1) };
  };
  let partial: number[][] | null = null,
    origin: number[] | null = null;
  if (loaded < c.n) {
    ({ centre: partial, origin } = await drawAndRead());
    pos.set(whole.subarray(2 * loaded), 2 * loaded);
    r.positionsArrived(loaded, c.n);
  }
  const { centre, ring } = await drawAndRead();
  canvas.remove();
  return { centre, ring, errors, partial, origin, drawn };
}

/** Draws the scene with `api`; the whole image (RGBA, top row first), the points drawn and any errors. */
async function renderScene(c: SceneCase, api: Api): Promise<SceneDrawn & { rgba: Uint8ClampedArray }> {
  const canvas = document.createElement('canvas');
  canvas.width = c.width;
  canvas.height = c.height;
  document.body.append(canvas);
  const errors: string[] = [];
  let started: Promise<unknown> = Promise.resolve();
  let r: Styled | null;
  if (c.layer) {
    lastDevice?.destroy();
    lastDevice = null;
    let ready = () => {};
    started = new Promise<void>((res) => (ready = res));
    r = new PointLayer(canvas, api, { error: (m) => errors.push(m), ready: () => ready() });
  } else r = await rendererOn(canvas, api, errors);
  if (!r) return { rgba: new Uint8ClampedArray(0), drawn: 0, moved: false, errors };
  const p = c.palette,
    colors = { background: p.background, ring: p.hard, select: p.focus },
    vp = { width: c.width / c.dpr, height: c.height / c.dpr },
    cam = { cx: c.width / 2, cy: c.height / 2, scale: 1 / c.dpr };
  const labels = Int32Array.from(c.labels),
    category = Uint8Array.from(c.category),
    selected = c.selected ? Uint8Array.from(c.selected) : null,
    emphasis = new Set(c.emphasis),
    isolate = c.isolate && selected !== null;
  if (c.restyle) {
    const m = Math.floor(c.n / 3);
    r.setPositions(Float32Array.from(c.pos.slice(0, 2 * m)), m, 2);
    style(
      r,
      { ...c, n: m, colorBy: 'category' },
      {
        labels: labels.slice(0, m),
        category: category.slice(0, m),
        values: null,
        selected: new Uint8Array(m).fill(1),
        emphasis: new Set([1]),
        isolate: true,
      },
    );
    r.draw(cam, vp, c.dpr, colors, c.growth, c.alphaScale, c.cache);
    const pos3 = new Float32Array(3 * c.n);
    for (let i = 0; i < c.n; i++) pos3.set([c.pos[2 * i], c.pos[2 * i + 1], 7], 3 * i);
    r.setPositions(pos3, c.n, 3);
  } else r.setPositions(Float32Array.from(c.pos), c.n, 2);
  const values = c.colorBy === 'loss' || c.colorBy === 'change' ? Float32Array.from(c.values) : null;
  style(r, c, { labels, category: c.restyle ? null : category, values, selected, emphasis, isolate });
  await started;
  const drawn = r.draw(cam, vp, c.dpr, colors, c.growth, c.alphaScale, c.cache);
  let moved = false;
  if (c.moved) {
    moved = r.drawMoved(
      { cx: cam.cx + c.moved.dx, cy: cam.cy + c.moved.dy, scale: cam.scale * c.moved.zoom },
      vp,
      colors,
    );
  }
  const rgba = await pixelsOf(canvas);
  canvas.remove();
  return { rgba, drawn, moved, errors };
}

/** Draws the scene with both APIs and compares the images here (a million numbers need not cross to the test). */
async function compareScenes(c: SceneCase): Promise<SceneComparison> {
  const { rgba: a, ...webgl2 } = await renderScene(c, 'webgl2');
  const { rgba: b, ...webgpu } = await renderScene(c, 'webgpu');
  const out = { webgl2, webgpu, pixels: c.width * c.height, differ: 0, worst: 0, sum: 0, background: 0 };
  if (a.length !== 4 * out.pixels || b.length !== 4 * out.pixels) return out;
  const bg = c.palette.background;
  for (let p = 0; p < b.length; p += 4) {
    const d = Math.max(Math.abs(a[p] - b[p]), Math.abs(a[p + 1] - b[p + 1]), Math.abs(a[p + 2] - b[p + 2]));
    if (d > 2) out.differ++;
    out.worst = Math.max(out.worst, d);
    out.sum += d;
    if (b[p] === bg[0] && b[p + 1] === bg[1] && b[p + 2] === bg[2]) out.background++;
  }
  return out;
}

/** What gpuDevice grants with `choice`: whether a device (destroyed at once), and why not. */
async function grant(choice: 'auto' | 'webgpu'): Promise<{ device: boolean; why: string }> {
  const { device, why } = await gpuDevice(choice);
  device?.destroy();
  return { device: device !== null, why };
}

Object.assign(window, { renderPixels: render, compareScenes, grant });
