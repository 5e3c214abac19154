/**
 * The shaders' styling (WebGL 2: webview/projection/pointShaders.ts; WebGPU: gpuShaders.ts; both fed
 * by pointLook.ts) against its CPU reference, computePointStyles (pointStyle.ts): 60 points drawn by
 * each real renderer in Debian's Chromium (software GL; SwiftShader's WebGPU), one per cell, for
 * every colour mode with and without emphasis, selection and isolate; each point's centre pixel
 * must be the reference's colour and alpha over the background, and a ring pixel beside it the ring
 * colour exactly where the reference has a ring (hard samples) or a selection ring.
 * Skipped when Chromium is not installed.
 */
import * as assert from 'node:assert/strict';
import { openPixelPage, type PixelBrowser } from '../../helpers/pixelBrowser';
import { TEST_PALETTE as palette } from '../../webview/harness/pixelScene';
import {
  computePointStyles,
  FLAG_RING,
  FLAG_SELECTED,
  type ColorBy,
  type StyleInput,
} from '../../../webview/projection/pointStyle';

/** Deterministic data: labels in and out of range, categories 0..3 and 7 (read as none), losses and changes with zeros.
 */
function data(n: number) {
  let a = 7;
  const rnd = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
  const labels = Array.from({ length: n }, (_, i) => (i % 13 === 5 ? -1 : i % 17 === 3 ? 99 : Math.floor(rnd() * 10)));
  const category = Array.from({ length: n }, (_, i) => (i % 19 === 7 ? 7 : Math.floor(rnd() * 4)));
  const loss = Array.from({ length: n }, () => (rnd() < 0.3 ? 0 : rnd() * rnd() * 8));
  const change = Array.from({ length: n }, () => {
    const u = rnd();
    return u < 0.3 ? 0 : u < 0.65 ? -rnd() : rnd();
  });
  const selected = Array.from({ length: n }, () => (rnd() < 0.25 ? 1 : 0));
  return { labels, category, loss, change, selected };
}

for (const api of ['webgl2', 'webgpu'] as const)
  describe(`the ${api === 'webgpu' ? 'WebGPU' : 'WebGL 2'} shader styles points as the CPU reference does (pixels in Chromium)`, function () {
    this.timeout(120_000);
    let browser: PixelBrowser | null = null;

    before(async function () {
      browser = await openPixelPage(api === 'webgpu');
      if (!browser) this.skip();
    });
    after(async () => {
      await browser?.close();
    });

    const n = 60,
      d = data(n);
    const modes: ColorBy[] = ['label', 'category', 'loss', 'change'];
    const variants: {
      name: string;
      emphasis: number[];
      selected: boolean;
      isolate: boolean;
      census: boolean;
      loaded?: number;
    }[] = [
      { name: 'plain', emphasis: [], selected: false, isolate: false, census: true },
      { name: 'before the census', emphasis: [], selected: false, isolate: false, census: false },
      { name: 'emphasis', emphasis: [1, 3, 99], selected: false, isolate: false, census: true },
      { name: 'selection', emphasis: [], selected: true, isolate: false, census: true },
      { name: 'selection isolated', emphasis: [], selected: true, isolate: true, census: true },
      { name: 'emphasis + isolated selection', emphasis: [2], selected: true, isolate: true, census: true },
      {
        name: 'layout arriving in two chunks',
        emphasis: [],
        selected: false,
        isolate: false,
        census: true,
        loaded: 23,
      },
    ];
    for (const colorBy of modes)
      for (const v of variants) {
        it(`${colorBy}, ${v.name}`, async () => {
          const input: StyleInput = {
            n,
            colorBy,
            labels: Int32Array.from(d.labels),
            classCount: 10,
            category: v.census ? Uint8Array.from(d.category) : null,
            loss: v.census ? Float32Array.from(d.loss) : null,
            change: Float32Array.from(d.change),
            lossScale: { ref: 0.8, max: 5 },
            emphasis: new Set(v.emphasis),
            selected: v.selected ? Uint8Array.from(d.selected) : null,
            isolate: v.isolate,
            baseSize: 4,
            palette,
          };
          const ref = computePointStyles(input);
          const ringOffset = Array.from(ref.size, (s) => Math.ceil(s / 2 + 0.75));
          type Got = {
            centre: number[][];
            ring: number[][];
            errors: string[];
            partial: number[][] | null;
            origin: number[] | null;
            drawn: number[];
          };
          const got = await browser!.page.evaluate(
            ([c, a]) =>
              (globalThis as unknown as { renderPixels(c: unknown, a: string): Promise<Got> }).renderPixels(c, a),
            [
              {
                n,
                colorBy,
                labels: d.labels,
                classCount: 10,
                category: v.census ? d.category : null,
                loss: v.census ? d.loss : null,
                change: d.change,
                lossScale: input.lossScale,
                emphasis: v.emphasis,
                selected: v.selected ? d.selected : null,
                isolate: v.isolate,
                baseSize: 4,
                palette,
                ringOffset,
                loaded: v.loaded,
              },
              api,
            ] as const,
          );
          assert.deepEqual(got.errors, []);
          if (v.loaded !== undefined) {
            // Before the second chunk: the first points drawn as below, the others not at all (the cell's centre is
            // background).
            assert.deepEqual(got.drawn, [v.loaded, n]);
            for (let i = v.loaded; i < n; i++)
              assert.deepEqual(got.partial![i], palette.background, `point ${i} has not arrived`);
            assert.deepEqual(got.origin, palette.background, 'nothing drawn at the zeros of the points still to come');
            for (let i = 0; i < v.loaded; i++)
              assert.deepEqual(got.partial![i], got.centre[i], `point ${i} arrived with the first chunk`);
          }
          // The loss ramp is quantised to 256 steps: float32 in the shader may land one step away from double on the
          // CPU.
          const tolerance = colorBy === 'loss' ? 4 : 2;
          for (let i = 0; i < n; i++) {
            const a = ref.rgba[4 * i + 3] / 255;
            const want = [0, 1, 2].map((c) => ref.rgba[4 * i + c] * a + palette.background[c] * (1 - a));
            const diff = Math.max(...want.map((w, c) => Math.abs(w - got.centre[i][c])));
            assert.ok(
              diff <= tolerance,
              `point ${i} (label ${d.labels[i]}, category ${d.category[i]}): centre ${got.centre[i]} vs reference ${want.map(Math.round)} (rgba ${Array.from(ref.rgba.subarray(4 * i, 4 * i + 4))})`,
            );
            const f = ref.flags[i];
            const ringWant = f & FLAG_SELECTED ? palette.focus : f & FLAG_RING ? palette.hard : palette.background;
            const dist = (p: readonly number[]) =>
              Math.hypot(p[0] - got.ring[i][0], p[1] - got.ring[i][1], p[2] - got.ring[i][2]);
            const nearest = [palette.focus, palette.hard, palette.background].reduce((x, y) =>
              dist(y) < dist(x) ? y : x,
            );
            assert.deepEqual(nearest, ringWant, `point ${i}: ring pixel ${got.ring[i]}, flags ${f}`);
          }
        });
      }
  });
