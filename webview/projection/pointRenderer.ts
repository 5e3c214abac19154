/**
 * What the plot asks of a point renderer, whichever API draws: WebGL 2 (scatter.ts, point sprites)
 * or WebGPU (gpuScatter.ts, quads). Both style each point on the GPU from the same
 * per-point inputs and look (pointLook.ts), the same way (pointShaders.ts, gpuShaders.ts; the CPU
 * reference is computePointStyles in pointStyle.ts), so they draw the same pixels.
 */
import type { Camera, Viewport } from './camera';
import type { Rgb } from './colors';
import type { PointLook } from './pointLook';

/** Colours the renderer needs besides the per-point ones. */
export interface SceneColors {
  background: Rgb;
  ring: Rgb;
  select: Rgb;
}

/** Which API draws the points: the user's setting `embeddingInspector.projection.renderer`. */
export type RendererChoice = 'auto' | 'webgpu' | 'webgl2';

export interface PointRenderer {
  readonly kind: 'webgl2' | 'webgpu';
  /** False when the API could not start (the error callback said why). */
  readonly ok: boolean;
  /** Points on screen after the last draw call (those of the layout that have arrived). */
  readonly pointsDrawn: number;
  /** Positions: point i at data[i*stride], data[i*stride+1]; points from `loaded` on have not arrived. */
  setPositions(data: Float32Array, n: number, stride: number, loaded?: number): void;
  /** Points [from, to) of the positions' array were filled in. */
  positionsArrived(from: number, to: number): void;
  setLabels(labels: Int32Array): void;
  setCategory(category: Uint8Array | null): void;
  setValues(values: Float32Array | null): void;
  setSelected(selected: Uint8Array | null): void;
  setOrder(order: Uint32Array): void;
  setLook(look: PointLook): void;
  invalidateCache(): void;
  /**
   * Draws every point for this camera (sizes times `growth`, ordinary points' alpha times
   * `alphaScale`); with `cache`, through an image kept for drawMoved. Returns the points drawn.
   */
  draw(
    cam: Camera,
    vp: Viewport,
    dpr: number,
    colors: SceneColors,
    growth?: number,
    alphaScale?: number,
    cache?: boolean,
  ): number;
  /** The last cached image moved and scaled to this camera; false when there is none for this canvas size. */
  drawMoved(cam: Camera, vp: Viewport, colors: SceneColors): boolean;
}

/** The setting's value as the page got it (`<body data-renderer>`); anything else is 'auto'. */
export function rendererChoice(value: string | undefined): RendererChoice {
  return value === 'webgpu' || value === 'webgl2' ? value : 'auto';
}
