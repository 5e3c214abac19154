/**
 * The camera: data coordinates <-> CSS pixels <-> WebGL clip space, fitting with padding,
 * zoom around a point and pan. Pure. Data y grows upwards, screen y downwards.
 *
 * A {@link Camera} puts data point (cx, cy) at the viewport centre with `scale` CSS pixels per
 * data unit (same scale on both axes, so distances in the plot are not distorted).
 */

/** Size of the drawing area in CSS pixels. */
export interface Viewport {
  width: number;
  height: number;
}
/** Data point at the viewport centre and CSS pixels per data unit. */
export interface Camera {
  cx: number;
  cy: number;
  scale: number;
}
/** Axis-aligned bounds of the finite points; count = how many were finite. */
export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  count: number;
}

/** Bounds of the finite (x, y) pairs in `pos` (point i at pos[i*stride], pos[i*stride+1]). */
export function computeBounds(pos: ArrayLike<number>, n: number, stride: number): Bounds {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity,
    count = 0;
  for (let i = 0; i < n; i++) {
    const x = pos[i * stride],
      y = pos[i * stride + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    count++;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (count === 0) return { minX: -1, minY: -1, maxX: 1, maxY: 1, count };
  return { minX, minY, maxX, maxY, count };
}

/**
 * The camera that shows all of `b` inside the viewport with `padding` CSS pixels on every side.
 * A degenerate extent (one point, or all on a line) gets a unit extent so the scale stays finite.
 */
export function fitCamera(b: Bounds, vp: Viewport, padding: number): Camera {
  const w = b.maxX - b.minX > 0 ? b.maxX - b.minX : Math.max(1e-9, Math.abs(b.maxY - b.minY)) || 1;
  const h = b.maxY - b.minY > 0 ? b.maxY - b.minY : w;
  const availW = Math.max(1, vp.width - 2 * padding),
    availH = Math.max(1, vp.height - 2 * padding);
  return { cx: (b.minX + b.maxX) / 2, cy: (b.minY + b.maxY) / 2, scale: Math.min(availW / w, availH / h) };
}

/** Data (x, y) to CSS pixels relative to the viewport's top-left corner. */
export function dataToScreen(cam: Camera, vp: Viewport, x: number, y: number): [number, number] {
  return [(x - cam.cx) * cam.scale + vp.width / 2, vp.height / 2 - (y - cam.cy) * cam.scale];
}

/** Inverse of {@link dataToScreen}. */
export function screenToData(cam: Camera, vp: Viewport, sx: number, sy: number): [number, number] {
  return [cam.cx + (sx - vp.width / 2) / cam.scale, cam.cy - (sy - vp.height / 2) / cam.scale];
}

/**
 * Zooms by `factor` keeping the data point under screen point (sx, sy) where it is. The resulting
 * scale is clamped to [minScale, maxScale]; the anchor point still stays fixed.
 */
export function zoomAt(
  cam: Camera,
  vp: Viewport,
  sx: number,
  sy: number,
  factor: number,
  minScale = 0,
  maxScale = Infinity,
): Camera {
  const scale = Math.min(maxScale, Math.max(minScale, cam.scale * factor));
  const [dx, dy] = screenToData(cam, vp, sx, sy);
  // Solve dataToScreen(new, dx, dy) == (sx, sy) for the new centre.
  return { cx: dx - (sx - vp.width / 2) / scale, cy: dy + (sy - vp.height / 2) / scale, scale };
}

/** Moves the content by (dx, dy) CSS pixels (a drag to the right moves the points right). */
export function panBy(cam: Camera, dx: number, dy: number): Camera {
  return { cx: cam.cx - dx / cam.scale, cy: cam.cy + dy / cam.scale, scale: cam.scale };
}

/**
 * Uniforms for the vertex shader: clip = (pos - center) * scale, i.e. the camera expressed in
 * WebGL clip space ([-1, 1] on both axes, y up).
 */
export function clipTransform(cam: Camera, vp: Viewport): { center: [number, number]; scale: [number, number] } {
  return {
    center: [cam.cx, cam.cy],
    scale: [(2 * cam.scale) / Math.max(1, vp.width), (2 * cam.scale) / Math.max(1, vp.height)],
  };
}

/** Zoom factor for a wheel event: exponential, so equal scrolls zoom by equal ratios. */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-600, Math.min(600, pixels)) * 0.0015);
}

/**
 * A camera framing the given data points (e.g. one triplet) with padding, never zoomed out further
 * than `minScale` nor in further than `maxScale`.
 */
export function framePoints(
  xy: ArrayLike<number>,
  vp: Viewport,
  padding: number,
  minScale: number,
  maxScale: number,
): Camera {
  const b = computeBounds(xy, xy.length / 2, 2);
  const cam = fitCamera(b, vp, padding);
  const scale = b.maxX === b.minX && b.maxY === b.minY ? maxScale : cam.scale;
  return { ...cam, scale: Math.min(maxScale, Math.max(minScale, scale)) };
}
