/**
 * Pictures over points (pictures.ts), as a user meets them: with few points in view (the log dir's 40 samples at
 * "fit all") every sample is drawn as its picture, here its cell of the PyTorch sprite, pixel for pixel; the
 * *pictures* box turns them off. Runs after logdirSteps.ts, on its projection.
 */
import * as assert from 'node:assert/strict';
import { LOGDIR, logdirImages } from './fixtures';
import { decodePng } from './png';
import type { Step } from './steps';
import { hook, until } from './workbench';

/** A picture's box (pictures.ts PICTURE_PX) and the sprite's cell size. */
const BOX = 44,
  CELL = 8;

export const picturesOverPoints: Step = {
  title: "with few points in view each is drawn as its picture: the log dir's sprite cells, pixel for pixel",
  shot: 'pictures',
  async run(c) {
    const frame = c.projection!;
    // Away from the plot: no hover ring or lines over the pictures.
    await c.page.mouse.move(2, 2);
    await until('no sample hovered', async () => (await hook<number>(frame, 'hoverIndex')) === -1, 10_000);
    const all = Array.from({ length: LOGDIR.n }, (_, i) => i);
    await until(
      'a picture for every sample',
      async () => (await hook<number[]>(frame, 'pictures')).length === LOGDIR.n,
      20_000,
      200,
    );
    assert.deepEqual(await hook<number[]>(frame, 'pictures'), all, 'every sample in view has its picture');
    // A picture inside the canvas, under no panel, that no later picture covers (they are drawn in index order).
    const pick = (await frame.evaluate(`(() => {
      const h = window.__embeddingInspector, canvas = document.querySelector('[data-testid=plot-canvas]');
      const r = canvas.getBoundingClientRect(), half = ${BOX / 2} + 3;
      const ps = h.pictures.map((i) => ({ i, p: h.screenPositionOf(i) }));
      for (let a = ps.length - 1; a >= 0; a--) {
        const { i, p } = ps[a];
        if (p.x - half < r.left || p.x + half > r.right || p.y - half < r.top || p.y + half > r.bottom) continue;
        if (ps.some((q) => q.i > i && Math.abs(q.p.x - p.x) < 2 * half && Math.abs(q.p.y - p.y) < 2 * half)) continue;
        const free = [[-half, -half], [half, -half], [-half, half], [half, half], [0, 0]]
          .every(([dx, dy]) => document.elementFromPoint(p.x + dx, p.y + dy) === canvas);
        if (free) return { index: i, x: p.x - r.left, y: p.y - r.top };
      }
      return null;
    })()`)) as { index: number; x: number; y: number } | null;
    assert.ok(pick, 'a picture free of other pictures and panels');
    // The overlay's area as on screen (device px = CSS px here); the picture's 8 x 8 cell fills its 44 px box, each
    // cell pixel a 5.5 px block drawn without smoothing: the pixel at each block's centre is the cell's pixel.
    const shot = decodePng(await frame.locator('.plot-overlay').screenshot({ animations: 'disabled' }));
    const src = logdirImages(),
      k = BOX / CELL,
      x0 = pick.x - BOX / 2,
      y0 = pick.y - BOX / 2;
    let worst = 0;
    for (let y = 0; y < CELL; y++)
      for (let x = 0; x < CELL; x++)
        for (let ch = 0; ch < 3; ch++) {
          const want = Math.floor(src.values[((pick.index * 3 + ch) * src.h + y) * src.w + x] * 255);
          const px = Math.floor(x0 + (x + 0.5) * k),
            py = Math.floor(y0 + (y + 0.5) * k);
          worst = Math.max(worst, Math.abs(shot.data[(py * shot.width + px) * 4 + ch] - want));
        }
    c.log(`sample ${pick.index}'s picture over its point: largest difference from its sprite cell ${worst}`);
    assert.equal(worst, 0, "the picture is the sample's sprite cell");
    await frame.click('[data-testid=pictures-toggle]');
    await until('no picture once unticked', async () => (await hook<number[]>(frame, 'pictures')).length === 0, 5000);
    await frame.click('[data-testid=pictures-toggle]');
    await until(
      'the pictures back once ticked',
      async () => (await hook<number[]>(frame, 'pictures')).length === LOGDIR.n,
      5000,
    );
  },
};

export const pictureSteps: Step[] = [picturesOverPoints];
