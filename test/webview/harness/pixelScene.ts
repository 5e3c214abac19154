/**
 * The scenes of the renderers' whole-image pixel test (test/unit/projection/gpuPixels.test.ts) and what the page
 * (pixelPage.ts) answers: plain data, shared by the test (Node) and the page (browser).
 */
import type { ColorBy, Palette } from '../../../webview/projection/pointStyle';

/** The theme colours both pixel tests draw with. */
export const TEST_PALETTE: Palette = {
  background: [20, 24, 28],
  foreground: [220, 220, 220],
  muted: [150, 150, 150],
  hard: [250, 40, 40],
  semihard: [230, 160, 20],
  easy: [120, 200, 120],
  focus: [30, 140, 255],
  positive: [60, 220, 200],
  negative: [250, 40, 40],
  isDark: true,
};

/** A scene of overlapping points drawn by both tests' renderers alike (gpuPixels.test.ts). */
export interface SceneCase {
  n: number;
  width: number;
  height: number;
  /** x, y per point, in device pixels from the bottom left. */
  pos: number[];
  labels: number[];
  category: number[];
  values: number[];
  selected: number[] | null;
  colorBy: ColorBy;
  classCount: number;
  emphasis: number[];
  isolate: boolean;
  baseSize: number;
  palette: Palette;
  lossScale: { ref: number; max: number };
  growth: number;
  alphaScale: number;
  dpr: number;
  /** Draw through the cached image; with `moved`, then draw that image moved (pan by moved.dx, dy data units, zoom). */
  cache: boolean;
  moved?: { dx: number; dy: number; zoom: number };
  /**
   * Restyled: the renderer first draws other inputs (a third of the points, all selected and isolated, an emphasised
   * class, by category), then the scene's own with its positions at stride 3 and no categories — buffers grow, bind
   * groups and uniforms change, inputs go absent.
   */
  restyle?: boolean;
  /** Through the plot's PointLayer, every input given before the renderer (WebGPU: before its device) exists. */
  layer?: boolean;
}

/** One API's drawing of a scene, besides its pixels. */
export interface SceneDrawn {
  drawn: number;
  moved: boolean;
  errors: string[];
}

/** How the two APIs' images of a scene differ, per pixel the largest of its channels' differences. */
export interface SceneComparison {
  webgl2: SceneDrawn;
  webgpu: SceneDrawn;
  pixels: number;
  /** Pixels differing by more than 2 levels, the largest difference, the sum of differences. */
  differ: number;
  worst: number;
  sum: number;
  /** Pixels of the WebGPU image that are the background colour exactly. */
  background: number;
}
