/**
 * The WebGPU renderer (webview/projection/gpuScatter.ts) draws the picture the WebGL 2 one
 * (scatter.ts) draws: the same scene of 3 000 overlapping points — every colour mode, rings, a
 * selection, emphasis, faded points, device pixel ratio 2, points grown by zoom — drawn by both in
 * the same Chromium (SwiftShader's WebGPU beside software GL), compared pixel by pixel; also through
 * the cached image and that image moved (the large-layout path). Points are quads in one and sprites
 * in the other. At whole-pixel sprite sizes the two agree to 2 levels but for a handful of pixels;
 * at fractional sizes (emphasis, zoom growth) software GL rasterises a sprite's antialiased ring edge
 * a little differently from the exact quad (a lone hard point: up to 9 levels on its edge pixels), so
 * there the test bounds how many pixels differ, the worst, and the mean difference, which a wrong
 * colour, size, order or missing ring would exceed many times over. Skipped when Chromium is not
 * installed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { CHROMIUM, openPixelPage, type PixelBrowser } from '../../helpers/pixelBrowser';
import type { ColorBy } from '../../../webview/projection/pointStyle';
import { TEST_PALETTE as palette, type SceneCase, type SceneComparison } from '../../webview/harness/pixelScene';

function scene(colorBy: ColorBy, over: Partial<SceneCase> = {}): SceneCase {
  let a = 11;
  const rnd = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
  const n = 3000,
    width = 320,
    height = 200;
  const pos: number[] = [];
  // Clusters, so points overlap and blend.
  for (let i = 0; i < n; i++) {
    const c = i % 5;
    pos.push(40 + c * 60 + (rnd() - 0.5) * 70, 100 + (rnd() - 0.5) * 150);
  }
  return {
    n,
    width,
    height,
    pos,
    labels: Array.from({ length: n }, (_, i) => (i % 41 === 0 ? -1 : i % 7)),
    category: Array.from({ length: n }, () => Math.floor(rnd() * 4)),
    values: Array.from({ length: n }, () => (rnd() < 0.3 ? 0 : (rnd() - 0.3) * 4)),
    selected: null,
    colorBy,
    classCount: 7,
    emphasis: [],
    isolate: false,
    baseSize: 5,
    palette,
    lossScale: { ref: 0.6, max: 2.5 },
    growth: 1,
    alphaScale: 1,
    dpr: 1,
    cache: false,
    ...over,
  };
}

describe('WebGPU draws the picture WebGL 2 draws (whole images in Chromium)', function () {
  this.timeout(120_000);
  let browser: PixelBrowser | null = null;
  before(async function () {
    browser = await openPixelPage(true);
    if (!browser) this.skip();
  });
  after(async () => {
    await browser?.close();
  });

  const compare = (c: SceneCase) =>
    browser!.page.evaluate(
      (c) => (globalThis as unknown as { compareScenes(c: unknown): Promise<SceneComparison> }).compareScenes(c),
      c,
    );

  /** Both renderers' images of `c` agree (`fractional`: sprites of fractional sizes, whose edges may differ). */
  async function same(c: SceneCase, fractional = false): Promise<SceneComparison> {
    const r = await compare(c);
    assert.deepEqual(r.webgl2.errors, []);
    assert.deepEqual(r.webgpu.errors, []);
    assert.equal(r.webgl2.drawn, c.n);
    assert.equal(r.webgpu.drawn, c.n);
    assert.equal(r.webgpu.moved, r.webgl2.moved);
    // Not a blank or trivial picture: points cover a good part of it.
    assert.ok(r.background < r.pixels * 0.8, `${r.background} of ${r.pixels} pixels are background`);
    const share = fractional ? 0.08 : 0.002,
      mean = r.sum / r.pixels;
    assert.ok(
      r.differ <= r.pixels * share && r.worst <= 40 && mean <= (fractional ? 1 : 0.05),
      `${r.differ} of ${r.pixels} pixels differ by more than 2 (at most ${Math.round(r.pixels * share)} may), the worst by ${r.worst}, mean ${mean.toFixed(3)}`,
    );
    return r;
  }

  for (const colorBy of ['label', 'category', 'loss', 'change'] as const)
    it(`${colorBy} colours, rings on hard samples`, () => same(scene(colorBy)));
  it('a selection, isolated, with emphasised classes', () =>
    same(
      scene('category', {
        selected: Array.from({ length: 3000 }, (_, i) => (i % 9 === 0 ? 1 : 0)),
        isolate: true,
        emphasis: [2, 5],
      }),
      true,
    ));
  it('device pixel ratio 2, points grown by zoom, faded where they crowd', () =>
    same(scene('label', { dpr: 2, width: 640, height: 400, growth: 1.7, alphaScale: 0.4 }), true));
  it('a selection, and device pixel ratio 2 with faded points, at whole-pixel sizes', async () => {
    await same(scene('change', { selected: Array.from({ length: 3000 }, (_, i) => (i % 9 === 0 ? 1 : 0)) }));
    await same(scene('category', { dpr: 2, width: 640, height: 400, alphaScale: 0.4 }));
  });
  it('through the cached image (large layouts)', () => same(scene('category', { cache: true })));
  it('inputs changed after a first drawing: more points, stride 3, the selection and categories gone, another look', () =>
    same(scene('label', { restyle: true })));
  it("through the plot's PointLayer, the inputs given before the WebGPU device was granted", () =>
    same(scene('category', { layer: true })));
  it('the cached image moved while the camera moves', async () => {
    const r = await same(scene('label', { cache: true, moved: { dx: 23, dy: -11, zoom: 1.3 } }));
    assert.equal(r.webgpu.moved, true);
  });
});

describe('which API draws (gpuDevice): a device is tried on a canvas of its own first', function () {
  this.timeout(60_000);
  const grant = async (extra: string[], choice: 'auto' | 'webgpu') => {
    const b = await openPixelPage(true, extra);
    if (!b) return null;
    try {
      return await b.page.evaluate(
        (c) => (globalThis as unknown as { grant(c: string): Promise<{ device: boolean; why: string }> }).grant(c),
        choice,
      );
    } finally {
      await b.close();
    }
  };
  before(function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
  });

  it('SwiftShader working: webgpu gets a device, auto declines the software adapter', async () => {
    assert.deepEqual(await grant([], 'webgpu'), { device: true, why: '' });
    const auto = await grant([], 'auto');
    assert.equal(auto?.device, false);
    assert.match(auto!.why, /software/);
  });
  it('with --disable-gpu the adapter is offered but its device fails at its first drawing: no device, and why', async () => {
    const r = await grant(['--disable-gpu'], 'webgpu');
    assert.equal(r?.device, false);
    assert.match(r!.why, /failed at its first use \(.+\)/);
  });
});
