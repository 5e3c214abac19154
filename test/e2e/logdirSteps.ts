/**
 * A PyTorch TensorBoard log dir as a user meets it (issue 16, item 4): offered once in the pick list, its tag asked
 * for, its steps the sidebar's snapshots, and hovering a point shows that sample's cell of the sprite, pixel for pixel.
 * Runs after steps.ts's steps.
 */
import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { LOGDIR, logdirImages } from './fixtures';
import { decodePng, type Rgba } from './png';
import { activeSnapshot, inspect, isolatedPoint, type Step } from './steps';
import {
  closeQuickInput,
  findWebview,
  hook,
  pickOption,
  quickPickOptions,
  runCommand,
  toPage,
  until,
} from './workbench';

async function tooltipCellPixels(frame: Frame): Promise<Rgba> {
  return decodePng(
    await frame.locator('[data-testid=tooltip-sprite-cell] .sprite-cell').screenshot({ animations: 'disabled' }),
  );
}

export const pytorchLogdir: Step = {
  title:
    "a PyTorch log dir is offered once; its tag opens with the steps as snapshots, and hovering a point shows that sample's cell of the sprite",
  shot: 'logdir-hover',
  async run(c) {
    await closeQuickInput(c.page);
    await runCommand(c.page, 'View: Close All Editors');
    const options = await inspect(c, 'logdir');
    c.log(`pick list: ${options.map((o) => o.replace(/\s+/g, ' ')).join(' | ')}`);
    // Two tags: a second question, which one.
    const tags = await until(
      'the question which tag',
      async () => {
        // Until the list is the question's alone: a row of the dataset list before it may linger for an instant.
        const t = await quickPickOptions(c.page, 2, 5_000).catch(() => []);
        return t.length === LOGDIR.tags.length && t.every((x) => LOGDIR.tags.includes(x.trim())) && t;
      },
      30_000,
    );
    assert.deepEqual(
      tags.map((t) => t.trim()),
      LOGDIR.tags,
      'the tags of the log dir are the choice',
    );
    await pickOption(c.page, LOGDIR.tag);
    const frame = (c.projection = await until(
      `the log dir's projection (${LOGDIR.n} points)`,
      async () => {
        for (const f of c.page.frames()) {
          if (f.isDetached()) continue;
          const drawn = await hook<number>(f, 'pointsDrawn').catch(() => -1);
          if (drawn === LOGDIR.n) return f;
        }
        return false;
      },
      150_000,
      500,
    ));
    // The sidebar's snapshot picker holds the tag's steps in step order, the last one open.
    const controls = (c.controls = await findWebview(c.page, 'controls', 30_000));
    const steps = await until(
      'the sidebar to list the steps',
      async () => {
        const t = await controls
          .locator('[data-testid=setting-snapshot] option')
          .allInnerTexts()
          .catch(() => []);
        return t.length === LOGDIR.steps.length && t;
      },
      30_000,
    );
    assert.deepEqual(
      steps.map((s) => s.trim()),
      LOGDIR.steps,
    );
    assert.equal(await activeSnapshot(controls), LOGDIR.steps.length - 1, 'the last step is open');
    // Hover: the tooltip shows the sample's cell of the step's sprite, not a file of its own. The
    // point is picked on the UMAP layout: picked on PCA's first paint, it moved when UMAP came.
    await until('the UMAP layout', async () => (await hook<string>(frame, 'layoutKind')) === 'umap', 150_000, 250);
    const { index, fx, fy } = await isolatedPoint(frame, LOGDIR.n);
    assert.ok(index >= 0, 'no point on screen is free of overlays');
    const at = await toPage(frame, { x: fx, y: fy });
    await c.page.mouse.move(at.x - 30, at.y - 30);
    await c.page.mouse.move(at.x, at.y, { steps: 5 });
    await until(`hover index ${index}`, async () => (await hook<number>(frame, 'hoverIndex')) === index, 10_000);
    await frame.locator('[data-testid=tooltip-sprite-cell]').waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await frame.locator('[data-testid=tooltip-image]').isHidden(), 'no <img> for a sprite sample');
    type Shown = { uri: string; cell?: { x: number; y: number; w: number; h: number } } | null;
    const shown = await hook<Shown>(frame, 'tooltipImage');
    const columns = Math.ceil(Math.sqrt(LOGDIR.n));
    assert.ok(shown?.cell, `the tooltip shows a sprite cell: ${JSON.stringify(shown)}`);
    assert.match(decodeURIComponent(shown.uri).split(/[?#]/)[0], /\/runs\/00010\/embeddings\/sprite\.png$/);
    assert.deepEqual(shown.cell, {
      x: (index % columns) * 8,
      y: Math.floor(index / columns) * 8,
      w: 8,
      h: 8,
      sheetWidth: columns * 8,
      sheetHeight: columns * 8,
    });
    // What is on screen: each of the cell's 8 x 8 pixels as a 12 x 12 block, in add_embedding's colours (make_sprite
    // truncates x * 255).
    const src = logdirImages();
    const shot = await until(
      'the sprite to be drawn in the tooltip',
      async () => {
        const p = await tooltipCellPixels(frame);
        return p.data.some((v, k) => k % 4 !== 3 && v !== 0) && p;
      },
      10_000,
    );
    // 96 x 96 CSS px; a tooltip at a fractional position is captured one pixel larger. Each block's centre is inside
    // the block either way.
    assert.ok(
      [96, 97].includes(shot.width) && [96, 97].includes(shot.height),
      `the 8 x 8 cell is drawn 96 x 96, captured ${shot.width} x ${shot.height}`,
    );
    let worst = 0;
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++)
        for (let ch = 0; ch < 3; ch++) {
          const want = Math.floor(src.values[((index * 3 + ch) * src.h + y) * src.w + x] * 255);
          const got = shot.data[((y * 12 + 6) * shot.width + (x * 12 + 6)) * 4 + ch];
          worst = Math.max(worst, Math.abs(got - want));
        }
    c.log(
      `hovering sample ${index}: cell (${shown.cell.x}, ${shown.cell.y}) of ${shown.uri.split('/').slice(-3).join('/')}; largest difference from the source image ${worst}`,
    );
    assert.equal(worst, 0, "the tooltip shows exactly the sample's image");
  },
};

export const logdirSteps: Step[] = [pytorchLogdir];
