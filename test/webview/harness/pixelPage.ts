/**
 * Browser side of the shader's pixel test (test/unit/projection/shaderPixels.test.ts): draws n
 * points with the real renderer (scatter.ts, pointLook.ts), one per 24 px cell at pixel centres,
 * and reads back each point's centre pixel and the pixel where a ring would be.
 */
import { drawOrder, pointLook } from '../../../webview/projection/pointLook';
import type { ColorBy, Palette } from '../../../webview/projection/pointStyle';
import { ScatterRenderer } from '../../../webview/projection/scatter';

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

function render(c: PixelCase): {
  centre: number[][];
  ring: number[][];
  errors: string[];
  partial: number[][] | null;
  origin: number[] | null;
  drawn: number[];
} {
  const width = COLS * CELL,
    height = Math.ceil(c.n / COLS) * CELL;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  document.body.append(canvas);
  const errors: string[] = [];
  const r = new ScatterRenderer(canvas, (m) => errors.push(m));
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
  r.setLabels(labels);
  r.setCategory(category);
  r.setValues(
    c.colorBy === 'loss' && c.loss
      ? Float32Array.from(c.loss)
      : c.colorBy === 'change' && c.change
        ? Float32Array.from(c.change)
        : null,
  );
  r.setSelected(selected);
  r.setOrder(drawOrder(c.n, labels, c.classCount, category, emphasis, selected, isolate));
  r.setLook(
    pointLook({
      colorBy: c.colorBy,
      classCount: c.classCount,
      emphasis,
      isolate,
      baseSize: c.baseSize,
      palette: c.palette,
      lossScale: c.lossScale,
    }),
  );
  const p = c.palette;
  const gl = canvas.getContext('webgl2')!;
  const drawn: number[] = [];
  const drawAndRead = () => {
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
    const px = new Uint8Array(4 * width * height);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const at = (x: number, y: number) => {
      const o = 4 * ((height - 1 - y) * width + x);
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
    ({ centre: partial, origin } = drawAndRead());
    pos.set(whole.subarray(2 * loaded), 2 * loaded);
    r.positionsArrived(loaded, c.n);
  }
  const { centre, ring } = drawAndRead();
  canvas.remove();
  return { centre, ring, errors, partial, origin, drawn };
}

(window as unknown as { renderPixels: typeof render }).renderPixels = render;
