/**
 * The projection at scale, as a user meets it (issue 15): a 100 000-sample dataset is drawn at once
 * (PCA) long before UMAP ends, UMAP then replaces it on the same canvas, and hovering a point
 * shows that sample's image. Runs after steps.ts (it adds its dataset to the workspace when it starts,
 * so the earlier steps' quick picks are unchanged).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { writeNpy } from './fixtures';
import type { E2eContext, Step } from './steps';
import { closeQuickInput, hook, pickOption, quickPickOptions, runCommand, toPage, until } from './workbench';

const N = 100_000,
  DIM = 16,
  CLASSES = 10,
  FOLDER = 'large';

/**
 * `large/embeddings.npy` (N x DIM float32: CLASSES Gaussian clusters, seeded) and `large/metadata.tsv`
 * (label, image): sample i shows the sample workspace's image i mod 2000 (`../images/…`, inside the
 * workspace), so the tooltip has a file to show for every point.
 */
function writeLargeDataset(c: E2eContext): void {
  const dir = path.join(c.ws, FOLDER);
  fs.mkdirSync(dir, { recursive: true });
  let a = 20261205;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const centres = Array.from({ length: CLASSES * DIM }, () => 4 * gauss());
  const x = new Float32Array(N * DIM);
  const lines = ['label\timage'];
  for (let i = 0; i < N; i++) {
    const k = i % CLASSES;
    for (let d = 0; d < DIM; d++) x[i * DIM + d] = centres[k * DIM + d] + gauss();
    lines.push(`c${k}\t../${c.images[i % c.images.length]}`);
  }
  writeNpy(path.join(dir, 'embeddings.npy'), '<f4', [N, DIM], new Uint8Array(x.buffer));
  fs.writeFileSync(path.join(dir, 'metadata.tsv'), lines.join('\n') + '\n');
}

/** The projection webview that has drawn all N points, and the layout it drew first. */
async function largeProjection(c: E2eContext): Promise<{ frame: Frame; first: string }> {
  return until(
    `a projection drawing ${N} points`,
    async () => {
      for (const f of c.page.frames()) {
        if (f === c.page.mainFrame() || f.isDetached()) continue;
        const drawn = await f.evaluate('window.__embeddingInspector?.pointsDrawn ?? -1').catch(() => -1);
        if (drawn === N) return { frame: f, first: await hook<string>(f, 'layoutKind') };
      }
      return false;
    },
    120_000,
    200,
  );
}

export const drawsLargeAtOnce: Step = {
  title: `at ${N.toLocaleString('en-US')} samples the points are on the canvas before UMAP ends (PCA), UMAP then replaces them, and hovering shows a sample's image`,
  shot: 'large',
  timeoutMs: 420_000,
  async run(c) {
    writeLargeDataset(c);
    // A clean workbench, as the log dir step starts (the last step clicked inside the projection).
    await closeQuickInput(c.page);
    await runCommand(c.page, 'View: Close All Editors');
    await runCommand(c.page, 'Inspect Embeddings');
    await quickPickOptions(c.page, 3);
    const t0 = Date.now();
    await pickOption(c.page, `${FOLDER}/embeddings.npy`);
    const { frame, first } = await largeProjection(c);
    const firstMs = Date.now() - t0;
    assert.equal(first, 'pca', 'the first points on the canvas are the PCA layout, drawn before UMAP ends');
    await until(
      'the UMAP layout to replace PCA',
      async () => (await hook<string>(frame, 'layoutKind')) === 'umap',
      360_000,
      500,
    );
    const umapMs = Date.now() - t0;
    assert.deepEqual(await hook<string[]>(frame, 'layoutsShown'), ['pca', 'umap'], 'PCA first, then UMAP');
    assert.equal(await hook<number>(frame, 'pointsDrawn'), N, 'every sample drawn in the UMAP layout');
    c.log(
      `${N} x ${DIM}: first points (PCA) ${(firstMs / 1000).toFixed(1)} s after picking the dataset, UMAP on screen at ${(umapMs / 1000).toFixed(1)} s`,
    );
    // Hover a point near the middle of the canvas: the tooltip shows the image of the sample under the cursor.
    const target = (await frame.evaluate(`(() => {
      const h = window.__embeddingInspector, r = document.querySelector('[data-testid=plot-canvas]').getBoundingClientRect();
      const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
      let best = null, bestD = Infinity;
      for (let i = 0; i < ${N}; i += 97) {
        const p = h.screenPositionOf(i);
        if (!p || document.elementFromPoint(p.x, p.y) !== document.querySelector('[data-testid=plot-canvas]')) continue;
        const d = Math.hypot(p.x - cx, p.y - cy);
        if (d < bestD) { bestD = d; best = { index: i, x: p.x, y: p.y }; }
      }
      return best;
    })()`)) as { index: number; x: number; y: number } | null;
    assert.ok(target, 'a point on the canvas free of overlays');
    const at = await toPage(frame, target);
    await c.page.mouse.move(at.x - 20, at.y - 20);
    await c.page.mouse.move(at.x, at.y, { steps: 4 });
    const index = await until(
      'a hovered sample',
      async () => {
        const i = await hook<number>(frame, 'hoverIndex');
        return i >= 0 ? i : false;
      },
      10_000,
    );
    const src = await until(
      'the tooltip image',
      async () => {
        const s = await hook<string>(frame, 'tooltipImageSrc');
        return s || false;
      },
      10_000,
    );
    const want = '/' + c.images[index % c.images.length];
    assert.ok(
      decodeURIComponent(src).split(/[?#]/)[0].endsWith(want),
      `the tooltip of sample ${index} shows ${decodeURIComponent(src)}, expected …${want}`,
    );
    c.log(`hovered sample ${index} (aimed at ${target.index}): tooltip ${want}`);

    // Zoomed in until few points are in view, each is drawn as its picture over its point (every sample here has an
    // image, decoded in the webview); unticking "pictures" leaves the points alone.
    assert.deepEqual(await hook<number[]>(frame, 'pictures'), [], 'no pictures with 100 000 points in view');
    let drawn: number[] = [];
    for (let k = 0; k < 60 && drawn.length === 0; k++) {
      await c.page.mouse.wheel(0, -240);
      await new Promise((r) => setTimeout(r, 150));
      drawn = await hook<number[]>(frame, 'pictures');
    }
    assert.ok(drawn.length > 0, 'zoomed in, pictures are drawn');
    // The samples in view, by brute force over every point (the view widened by half a picture, as pictures.ts).
    const inView = (await frame.evaluate(`(() => {
      const h = window.__embeddingInspector, r = document.querySelector('[data-testid=plot-canvas]').getBoundingClientRect();
      const out = [];
      for (let i = 0; i < ${N}; i++) {
        const p = h.screenPositionOf(i);
        if (p && p.x >= r.left - 22 && p.x <= r.right + 22 && p.y >= r.top - 22 && p.y <= r.bottom + 22) out.push(i);
      }
      return out;
    })()`)) as number[];
    assert.ok(inView.length > 0 && inView.length <= 200, `${inView.length} samples in view`);
    drawn = await until(
      'every picture in view decoded and drawn',
      async () => {
        const d = await hook<number[]>(frame, 'pictures');
        return d.length === inView.length ? d : false;
      },
      20_000,
      200,
    );
    assert.deepEqual(drawn, inView, 'a picture for exactly the samples in view');
    await frame.click('[data-testid=pictures-toggle]');
    await until('no pictures once unticked', async () => (await hook<number[]>(frame, 'pictures')).length === 0, 5000);
    await frame.click('[data-testid=pictures-toggle]');
    c.log(`zoomed in: ${drawn.length} pictures drawn over their points`);
  },
};

export const scaleSteps: Step[] = [drawsLargeAtOnce];
