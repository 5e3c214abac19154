/**
 * The user-level checks, in order. Each step gets the shared context, throws on failure, and
 * leaves the UI where the next step expects it (the projection open, then the sidebar…).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { BROKEN, cliCensus, cliKnn, defaultSettings, E2E_RENDERER, LOGDIR, readSampleColumn } from './fixtures';
import { decodePng, pixelStats, pixelsChanged, type Rgba } from './png';
import {
  waitForWorkbench,
  findWebview,
  hook,
  pickOption,
  quickPickOptions,
  runCommand,
  tabLabels,
  toPage,
  until,
} from './workbench';

/** What the steps share. */
export interface E2eContext {
  page: Page;
  /** The scratch workspace folder. */
  ws: string;
  /** Image path (relative to the workspace) of every sample, from metadata.tsv: N = length. */
  images: string[];
  /** What the extension opens for the sample (manifest or the series' last file), for the CLI. */
  target: string;
  projection?: Frame;
  controls?: Frame;
  /** The sample hovered and clicked, and where it is on the page. */
  point?: { index: number; x: number; y: number };
  /** The margin the user chose with the slider and the CLI's violating count there. */
  chosen?: { margin: number; violating: number };
  log: (m: string) => void;
  /** The browser's console so far (the extension host's output included), and failed or refused resources. */
  console: string[];
  /** Where a screenshot named `name` goes (test-artifacts/e2e/NN-name.png). */
  shotPath: (name: string) => string;
}

/** One ordered step. */
export interface Step {
  title: string;
  shot: string;
  run: (c: E2eContext) => Promise<void>;
  /** Longer than the runner's default (180 s). */ timeoutMs?: number;
}

const INSPECT = 'Inspect Embeddings';
const brokenLabel = `${BROKEN.folder}/${BROKEN.file}`;

async function canvasPixels(frame: Frame): Promise<Rgba> {
  return decodePng(await frame.locator('[data-testid=plot-canvas]').screenshot({ animations: 'disabled' }));
}

/** F1 → Inspect Embeddings → pick the option containing `text` (checking the three datasets are offered, the log dir
 * once). */
export async function inspect(c: E2eContext, pick: 'sample' | 'broken' | 'logdir'): Promise<string[]> {
  await runCommand(c.page, INSPECT);
  const options = await quickPickOptions(c.page, 3);
  assert.equal(
    options.length,
    3,
    `the quick pick should offer the sample, the PyTorch log dir (once, not its step folders) and the broken dataset, got: ${JSON.stringify(options)}`,
  );
  const broken = options.find((o) => o.includes(brokenLabel));
  const logdir = options.find((o) => o.includes('PyTorch add_embedding') && o.startsWith(LOGDIR.folder));
  const sample = options.find((o) => o !== broken && o !== logdir);
  assert.ok(broken && sample && logdir, `options: ${JSON.stringify(options)}`);
  await pickOption(
    c.page,
    pick === 'broken' ? brokenLabel : pick === 'logdir' ? 'PyTorch add_embedding' : sample.split('\n')[0].trim(),
  );
  return options;
}

/** Waits for a projection webview that has drawn every sample; returns its frame. */
export async function projectionWithAllPoints(c: E2eContext, ms = 150_000): Promise<Frame> {
  const n = c.images.length;
  return until(
    `the projection to draw ${n} points`,
    async () => {
      const f = await findWebview(c.page, 'projection', 5_000).catch(() => undefined);
      if (!f) return false;
      const drawn = await hook<number>(f, 'pointsDrawn').catch(() => -1);
      return drawn === n ? f : false;
    },
    ms,
    500,
  );
}

const openProjection: Step = {
  title: 'F1 "Inspect Embeddings" opens the projection and draws every sample',
  shot: 'projection',
  async run(c) {
    const commanded = Date.now();
    await inspect(c, 'sample');
    let retried = false;
    c.projection = await projectionWithAllPoints(c, 75_000).catch(async (e: unknown) => {
      retried = true;
      // code-server here sometimes leaves the first webview of a fresh run blank (its resources
      // answer 408, and reloading the webview does not help). Said in the output, then tried once
      // more in a reloaded workbench; a second failure fails the step.
      c.log(`RETRY: no projection after 75 s (${(e as Error).message}); reloading the workbench once`);
      await c.page.reload();
      await waitForWorkbench(c.page);
      await inspect(c, 'sample');
      return projectionWithAllPoints(c);
    });
    // The first paint is PCA (before UMAP ends); UMAP replaces it on the same canvas.
    const firstKind = await hook<string>(c.projection, 'layoutKind');
    c.log(`every point on the canvas ${((Date.now() - commanded) / 1000).toFixed(1)} s after the command (polled)`);
    const umapAt = Date.now();
    await until(
      'the UMAP layout to replace the first paint',
      async () => (await hook<string>(c.projection!, 'layoutKind')) === 'umap',
      150_000,
      250,
    );
    const shown = await hook<string[]>(c.projection, 'layoutsShown');
    c.log(
      `first layout drawn: ${firstKind}; UMAP replaced it ${((Date.now() - umapAt) / 1000).toFixed(1)} s later; shown in order: ${shown.join(' → ')}`,
    );
    // A blank panel replaced by a new one (watchedPanel.ts) may load after UMAP has ended; after a reloaded
    // workbench the UMAP the first attempt computed comes from the layout cache, at once.
    const replaced = c.console.filter((l) => l.includes('opening a new panel'));
    if (replaced.length) c.log(`the panel was replaced: ${replaced.join(' | ')}`);
    if ((retried || replaced.length) && shown.length === 1) assert.deepEqual(shown, ['umap'], 'UMAP drawn at once');
    else assert.deepEqual(shown, ['pca', 'umap'], 'PCA is drawn first, then UMAP replaces it');
    assert.ok(
      await sidebarShowsControls(c.page),
      "the side bar shows Embedding Inspector's Controls with the dataset (issue 16, item 5)",
    );
    await findWebview(c.page, 'controls', 30_000);
    assert.equal(
      await hook<number>(c.projection, 'pointsDrawn'),
      c.images.length,
      'every sample drawn in the UMAP layout',
    );
    // The setting is 'auto' and this Chromium (flags of scripts/chromium.json, without webgpuArgs) has no WebGPU
    // adapter: the page asked, fell back, and drew with WebGL 2 (with EI_E2E_RENDERER=webgpu, WebGPU; run.ts).
    assert.equal(await hook<string>(c.projection, 'renderer'), E2E_RENDERER, `the points drawn with ${E2E_RENDERER}`);
    assert.equal(
      await c.projection.inputValue('[data-testid=layout-picker]'),
      'umap',
      'the picker names the layout on screen',
    );
    assert.equal(
      await c.projection.textContent('[data-testid=layout-caption]'),
      '',
      'no caption once UMAP is on screen',
    );
    const tabs = await tabLabels(c.page);
    assert.ok(
      tabs.some((t) => t.includes('Embeddings: ')),
      `a tab "Embeddings: …" should be open, tabs: ${JSON.stringify(tabs)}`,
    );
    const stats = pixelStats(await canvasPixels(c.projection));
    c.log(`canvas: ${stats.nonBackground} non-background pixels, ${stats.distinctColors} colours`);
    assert.ok(
      stats.nonBackground > 1000,
      `the canvas looks blank: ${stats.nonBackground} pixels differ from the background`,
    );
    assert.ok(
      stats.distinctColors >= 10,
      `the canvas should show the classes' colours, only ${stats.distinctColors} colours`,
    );
  },
};

/** The most isolated sample on screen that the canvas itself receives the mouse for. */
export async function isolatedPoint(frame: Frame, n: number): Promise<{ index: number; fx: number; fy: number }> {
  return frame.evaluate(`(() => {
    const h = window.__embeddingInspector, canvas = document.querySelector('[data-testid=plot-canvas]');
    const r = canvas.getBoundingClientRect(), pts = [];
    for (let i = 0; i < ${n}; i++) pts.push(h.screenPositionOf(i));
    let best = { index: -1, fx: 0, fy: 0, gap: -1 };
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      if (!p || p.x < r.left + 40 || p.x > r.right - 40 || p.y < r.top + 40 || p.y > r.bottom - 40) continue;
      if (document.elementFromPoint(p.x, p.y) !== canvas) continue; // under the legend or a panel
      let gap = Infinity;
      for (let j = 0; j < pts.length; j++) if (j !== i && pts[j]) gap = Math.min(gap, Math.hypot(pts[j].x - p.x, pts[j].y - p.y));
      if (gap > best.gap) best = { index: i, fx: p.x, fy: p.y, gap };
    }
    return best;
  })()`);
}

const hoverShowsImage: Step = {
  title: "hovering a point shows a tooltip with that sample's image",
  shot: 'hover',
  async run(c) {
    const frame = c.projection!;
    const { index, fx, fy } = await isolatedPoint(frame, c.images.length);
    assert.ok(index >= 0, 'no point on screen is free of overlays');
    const at = await toPage(frame, { x: fx, y: fy });
    c.point = { index, ...at };
    c.log(`hovering sample ${index} (${c.images[index]}) at page (${at.x.toFixed(1)}, ${at.y.toFixed(1)})`);
    await c.page.mouse.move(at.x - 30, at.y - 30);
    await c.page.mouse.move(at.x, at.y, { steps: 5 });
    await until(`hover index ${index}`, async () => (await hook<number>(frame, 'hoverIndex')) === index, 10_000);
    const img = frame.locator('[data-testid=tooltip-image]');
    await img.waitFor({ state: 'visible', timeout: 10_000 });
    const loaded = await until(
      'the tooltip image to load',
      () =>
        img.evaluate((e) => {
          const i = e as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number; src: string };
          return i.complete && i.naturalWidth > 0 ? { w: i.naturalWidth, h: i.naturalHeight, src: i.src } : false;
        }),
      10_000,
    );
    const src = decodeURIComponent(loaded.src);
    const want = '/' + c.images[index].replace(/\\/g, '/');
    assert.ok(
      src.split(/[?#]/)[0].endsWith(want) || src.endsWith(want),
      `the tooltip shows ${src}, expected a file ending in ${want}`,
    );
    assert.equal(
      decodeURIComponent(await hook<string>(frame, 'tooltipImageSrc')),
      src,
      'the test hook and the <img> disagree',
    );
    c.log(`tooltip image ${loaded.w}x${loaded.h}: ${src}`);
  },
};

const clickOpensImage: Step = {
  title: "clicking a point opens that sample's image in an editor tab",
  shot: 'click',
  async run(c) {
    const { index, x, y } = c.point!;
    const name = path.basename(c.images[index]);
    const before = await tabLabels(c.page);
    assert.ok(!before.some((t) => t.includes(name)), `${name} is already open: ${JSON.stringify(before)}`);
    await c.page.mouse.click(x, y);
    const tabs = await until(
      `an editor tab for ${name}`,
      async () => {
        const t = await tabLabels(c.page);
        return t.some((l) => l.includes(name)) && t;
      },
      20_000,
    );
    c.log(`tabs: ${JSON.stringify(tabs)}`);
    // Its nearest neighbours in the original space are listed, as the CLI's exact kNN has them (issue 16, item 1).
    type Shown = { index: number; items: number[]; firstSameRank: number } | null;
    const frame = c.projection!;
    const shown = await until(
      'the neighbours list of the clicked sample',
      async () => {
        const s = await hook<Shown>(frame, 'neighbours');
        return s && s.index === index && s;
      },
      20_000,
    );
    const knn = cliKnn(c.target, 10, undefined); // the snapshot the projection opens on: the last, as the CLI's default
    assert.deepEqual(
      shown.items,
      knn.indices[index],
      'the 10 nearest neighbours, nearest first, as the CLI counts them',
    );
    assert.equal(await frame.locator('[data-testid=neighbour-row]').count(), 10);
    c.log(`neighbours of ${index}: ${shown.items.join(', ')}; first same-class at rank ${shown.firstSameRank}`);
    // Choosing a neighbour moves to it and lists its own neighbours.
    const next = shown.items[0];
    await frame.locator(`[data-testid=neighbour-row][data-index="${next}"]`).click();
    const moved = await until(
      `the neighbours of sample ${next}`,
      async () => {
        const s = await hook<Shown>(frame, 'neighbours');
        return s && s.index === next && s;
      },
      20_000,
    );
    assert.deepEqual(moved.items, knn.indices[next]);
  },
};

/** The violating count shown in the sidebar as a number ("40 315 645" with thin spaces). */
function parseCount(text: string): number {
  const digits = text.replace(/[\s\u2009\u202f,]/g, '');
  assert.match(digits, /^\d+$/, `the violating count reads "${text}"`);
  return Number(digits);
}

/** The snapshot the sidebar says is open (0-based), undefined when the dataset has one. */
export async function activeSnapshot(controls: Frame): Promise<number | undefined> {
  const sel = controls.locator('[data-testid=setting-snapshot]');
  if ((await sel.count()) === 0) return undefined;
  const { index, count } = await sel.evaluate((e) => {
    const s = e as unknown as { selectedIndex: number; options: { length: number } };
    return { index: s.selectedIndex, count: s.options.length };
  });
  return count > 1 ? index : undefined;
}

async function openSidebar(c: E2eContext): Promise<Frame> {
  // "Inspect Embeddings" shows it already; clicking its activity-bar entry then would hide it.
  const shown = await findWebview(c.page, 'controls', 3_000).catch(() => undefined);
  if (shown && (await sidebarShowsControls(c.page))) return shown;
  const item = c.page.locator('.activitybar [aria-label^="Embedding Inspector"]').first();
  if (await item.count()) await item.click();
  else await runCommand(c.page, 'Embedding Inspector: Focus on Controls View');
  return findWebview(c.page, 'controls', 30_000);
}

/** The side bar is open on Embedding Inspector's container (its title names it). */
async function sidebarShowsControls(page: Page): Promise<boolean> {
  const title = page.locator('.part.sidebar .composite.title').first();
  return (
    (await title.isVisible().catch(() => false)) && /EMBEDDING INSPECTOR/i.test(await title.innerText().catch(() => ''))
  );
}

/** Waits for the sidebar's census at `margin`; returns the violating count it shows. */
export async function sidebarCount(controls: Frame, margin: number): Promise<number> {
  await until(
    `the sidebar's census at margin ${margin}`,
    async () => (await hook<number | undefined>(controls, 'lastCensusMargin')) === margin,
    60_000,
  );
  return parseCount(await hook<string>(controls, 'violatingText'));
}

/** Two canvas captures half a second apart must agree: the picture is settled. */
async function settledCanvas(frame: Frame): Promise<Rgba> {
  return until(
    'a settled projection canvas',
    async () => {
      const a = await canvasPixels(frame);
      await new Promise((r) => setTimeout(r, 500));
      const b = await canvasPixels(frame);
      return pixelsChanged(a, b) === 0 ? b : false;
    },
    20_000,
    200,
  );
}

const marginSlider: Step = {
  title:
    "moving the sidebar's margin slider changes the violating count (equal to the CLI census) and the projection's colours",
  shot: 'margin',
  async run(c) {
    const controls = (c.controls = await openSidebar(c));
    const projection = (c.projection = await projectionWithAllPoints(c)); // the sidebar resized it
    const m0 = defaultSettings().margin;
    const snapshot = await activeSnapshot(controls);
    const count0 = await sidebarCount(controls, m0);
    const cli0 = cliCensus(c.target, m0, snapshot);
    assert.equal(cli0.n, c.images.length, 'the CLI read another dataset');
    assert.equal(
      count0,
      cli0.violating,
      `at margin ${m0} the sidebar shows ${count0} violating, the CLI ${cli0.violating}`,
    );

    // Colour by loss as anchor: it depends on the margin for every sample. (Colour by category
    // would not do here: in the sample every anchor's batch-hard pair is already hard, t <= 0, at
    // any margin, so no category can change.)
    await projection.locator('[data-testid=color-by]').selectOption('loss');
    await until('colour by loss', async () => (await hook<string>(projection, 'colorBy')) === 'loss', 5_000);
    await c.page.mouse.move(5, 5); // off the plot: no hover ring, no tooltip
    const before = await settledCanvas(projection);

    // Once the host's margin table is in the sidebar, a slider position is answered there, in the
    // same frame as the key press; the count must still equal the CLI's.
    await until('the margin table in the sidebar', () => hook<boolean>(controls, 'hasTable'), 60_000);
    const slider = controls.locator('[data-testid=margin-slider]');
    await slider.focus();
    await slider.press('End'); // the slider's far end: a margin most triplets violate
    const m1 = await hook<number>(controls, 'margin');
    assert.ok(m1 > m0, `the slider did not move (margin ${m1})`);
    assert.equal(
      await hook<number | undefined>(controls, 'lastCensusMargin'),
      m1,
      'the census at the new margin was shown at once, from the table',
    );
    const count1 = await sidebarCount(controls, m1);
    const cli1 = cliCensus(c.target, m1, snapshot);
    c.log(
      `margin ${m0} → ${m1}: violating ${count0} → ${count1} (CLI ${cli0.violating} → ${cli1.violating}, snapshot ${snapshot ?? 'only'})`,
    );
    assert.equal(
      count1,
      cli1.violating,
      `at margin ${m1} the sidebar shows ${count1} violating, the CLI ${cli1.violating}`,
    );
    assert.ok(count1 > count0, `a larger margin must count more violating triplets (${count0} → ${count1})`);
    c.chosen = { margin: m1, violating: cli1.violating };

    await c.page.mouse.move(5, 5);
    const changed = await until(
      'the projection to recolour',
      async () => {
        const n = pixelsChanged(before, await canvasPixels(projection));
        return n > 0 && n;
      },
      20_000,
      300,
    );
    const after = await settledCanvas(projection);
    const total = pixelsChanged(before, after);
    c.log(`projection: ${total} pixels changed colour (first seen ${changed})`);
    assert.ok(total >= 20, `only ${total} pixels of the projection changed colour`);
  },
};

const searchIsolates: Step = {
  title:
    'searching "/^7$/" selects class 7\'s samples, gives their census beside the dataset\'s, and "isolate" dims the rest',
  shot: 'search',
  async run(c) {
    const frame = c.projection!;
    // Class 7, and any row with a metadata value "7" (the index column's row 7).
    const columns = ['index', 'label', 'image'].map((name) => readSampleColumn(c.ws, name));
    const n7 = columns[0].filter((_, i) => columns.some((col) => /^7$/.test(col[i]))).length;
    assert.ok(n7 > 0, 'the sample has a class 7');
    await frame.locator('[data-testid=search]').fill('/^7$/');
    await frame.locator('[data-testid=search]').press('Enter');
    const status = await until(
      "the search's matches",
      async () => {
        const t = await hook<string>(frame, 'searchStatus');
        return t.startsWith(`${n7} matches`) && t;
      },
      20_000,
    );
    c.log(`search status: ${status}`);
    assert.equal(await hook<number>(frame, 'selectionSize'), n7);
    assert.match(status, /selected: [\d.]+ % of their triplets as anchor violate \(dataset [\d.]+ %\)/);
    const before = await settledCanvas(frame);
    await frame.locator('[data-testid=search-isolate]').check();
    const after = await settledCanvas(frame);
    assert.ok(pixelsChanged(before, after) > 500, 'isolating dims the other samples');
    await frame.locator('[data-testid=search-isolate]').uncheck();
    await frame.locator('[data-testid=search]').fill('');
    await frame.locator('[data-testid=search]').press('Enter');
    await until('the selection cleared', async () => (await hook<number>(frame, 'selectionSize')) === 0, 10_000);
  },
};

const labelErrorsListed: Step = {
  title:
    '"Suspected label errors → Find" lists samples whose neighbours carry another label, says how the score is made, and moves to the one chosen',
  shot: 'label-errors',
  async run(c) {
    const frame = c.projection!;
    await frame.locator('[data-testid=label-errors] > summary').click();
    await frame.locator('[data-testid=label-errors-find]').click();
    type Shown = { state: string; total: number; items: number[] } | null;
    const shown = await until(
      'the suspected label errors',
      async () => {
        const s = await hook<Shown>(frame, 'labelErrors');
        return s && s.state === 'ready' && s;
      },
      60_000,
    );
    const status = await frame.locator('[data-testid=label-errors-status]').innerText();
    c.log(`label errors: ${status}`);
    assert.match(status, /share of the 10 nearest neighbours .* with another label/);
    assert.ok(shown.total > 0 && shown.items.length > 0, 'the sample has suspects');
    assert.equal(await frame.locator('[data-testid=label-error-row]').count(), shown.items.length);
    await frame.locator('[data-testid=label-error-row]').first().click();
    await until(
      "the chosen suspect's neighbours",
      async () => (await hook<{ index: number } | null>(frame, 'neighbours'))?.index === shown.items[0],
      20_000,
    );
  },
};

/** Every step, in order: each needs the previous ones. */
export const steps: Step[] = [
  openProjection,
  hoverShowsImage,
  clickOpensImage,
  searchIsolates,
  labelErrorsListed,
  marginSlider,
];
