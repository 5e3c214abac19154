// Dev harness for the projection webview: bundles webview/projection/main.ts, serves it in the
// host's HTML (strict CSP, fresh nonce) with a fake acquireVsCodeApi, plays host messages with
// realistic data (2000 points, 10 clusters, exact census) in Debian's Chromium, checks the
// behaviour it can see, and writes screenshots to /tmp/projection-shots/ (dark and light).
//   node test/webview/harness/projectionShot.mjs            # checks + screenshots
//   node test/webview/harness/projectionShot.mjs --perf     # also 100 000 points: timings (projectionPerf.mjs)
import { census, detail, makeClusters } from './projectionData.mjs';
import {
  censusMessage,
  check,
  datasetMessage,
  finish,
  frame,
  hook,
  openPage,
  origin,
  outDir,
  posted,
  send,
  typed,
} from './projectionHarness.mjs';

const margin = 0.5;
const data = makeClusters(2000, 10, 7, 0.55);
const cen = census(data, margin);

for (const theme of ['dark', 'light']) {
  const page = await openPage(theme);
  const id = `ds-${theme}`;
  await send(page, datasetMessage(id, data));
  await send(page, {
    type: 'layoutState',
    datasetId: id,
    state: {
      shown: null,
      caption: 'UMAP 42 %',
      choices: [{ kind: 'umap', label: 'UMAP', ready: false, note: '42 %' }],
    },
  });
  await frame(page);
  await page.screenshot({ path: `${outDir}/${theme}-0-waiting.png` });
  check(
    (await page.textContent('[data-testid=status]')).includes('42 %'),
    `${theme}: progress shown before the layout`,
  );
  check(
    (await hook(page, () => window.__embeddingInspector.pointsDrawn)) === 0,
    `${theme}: nothing drawn before the layout`,
  );
  await send(page, {
    type: 'layout',
    datasetId: 'other',
    layout: typed('Float32Array', data.xy),
    dims: 2,
    kind: 'umap',
  });
  await frame(page);
  check(
    (await hook(page, () => window.__embeddingInspector.pointsDrawn)) === 0,
    `${theme}: layout for another dataset ignored`,
  );
  await send(page, { type: 'layout', datasetId: id, layout: typed('Float32Array', data.xy), dims: 2, kind: 'umap' });
  await send(page, censusMessage(id, cen));
  await frame(page);
  check((await hook(page, () => window.__embeddingInspector.pointsDrawn)) === 2000, `${theme}: 2000 points drawn`);
  check(await page.isHidden('[data-testid=status]'), `${theme}: status hidden once the layout is in`);
  await send(page, { type: 'status', state: 'computing', message: 'Counting triplets…' });
  await frame(page);
  check(
    (await page.isVisible('[data-testid=status]')) &&
      (await page.textContent('[data-testid=status]')) === 'Counting triplets…',
    `${theme}: host status shown over the plot`,
  );
  await send(page, { type: 'status', state: 'ready', message: 'Census ready' });
  await frame(page);
  check(await page.isHidden('[data-testid=status]'), `${theme}: status hidden when ready`);
  const header = await page.textContent('[data-testid=census-header]');
  check(
    /^hard [\d\u2009]+ · semi-hard [\d\u2009]+ · margin 0\.50 · pml$/.test(header),
    `${theme}: census header "${header}"`,
  );
  await page.screenshot({ path: `${outDir}/${theme}-1-label.png` });

  // Hover a hard sample: tooltip with its image, then the detail lines.
  const target = cen.worst[0].anchor;
  const p = await hook(page, `window.__embeddingInspector.screenPositionOf(${target})`);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction(() => window.__harness.posted.some((m) => m.type === 'requestDetail'));
  const req = (await posted(page, 'requestDetail')).at(-1);
  check(req.index === target, `${theme}: requestDetail for the hovered sample (${req.index} vs ${target})`);
  check((await hook(page, () => window.__embeddingInspector.hoverIndex)) === target, `${theme}: hoverIndex`);
  const src = await hook(page, () => window.__embeddingInspector.tooltipImageSrc);
  check(src === `${origin}/img/${id}/${target}.png`, `${theme}: tooltip image src ${src}`);
  await page.waitForFunction(() => {
    const i = document.querySelector('[data-testid=tooltip-image]');
    return i.complete && i.naturalWidth > 0;
  });
  check(
    (await page.evaluate(() => document.querySelector('[data-testid=tooltip-image]').naturalWidth)) === 16,
    `${theme}: tooltip image loaded`,
  );
  const det = detail(data, target, margin);
  await send(page, {
    type: 'detail',
    requestId: req.requestId,
    index: target,
    ...det,
    stats: {
      violAsAnchor: cen.violAsAnchor[target],
      violAsPositive: cen.violAsPositive[target],
      violAsNegative: cen.violAsNegative[target],
      lossAsAnchor: cen.lossAsAnchor[target],
      nearestImpostor: cen.nearestImpostor[target],
      category: cen.category[target],
    },
  });
  await frame(page);
  const lines = await hook(page, () => window.__embeddingInspector.detailLines);
  check(
    lines === 1 + det.negatives.length,
    `${theme}: detail lines drawn (${lines}, ${det.negatives.length} negatives)`,
  );
  await page.screenshot({ path: `${outDir}/${theme}-2-hover.png` });
  await page.screenshot({
    path: `${outDir}/${theme}-2b-hover-crop.png`,
    clip: { x: p.x - 150, y: p.y - 150, width: 300, height: 300 },
  });

  // Click the hovered point: openSample.
  await page.mouse.click(p.x, p.y);
  check((await posted(page, 'openSample')).at(-1)?.index === target, `${theme}: click posts openSample`);

  // Colour modes.
  await page.selectOption('[data-testid=color-by]', 'category');
  await page.mouse.move(5, 690);
  await frame(page);
  check((await hook(page, () => window.__embeddingInspector.colorBy)) === 'category', `${theme}: colour by category`);
  await page.screenshot({ path: `${outDir}/${theme}-3-category.png` });
  await page.selectOption('[data-testid=color-by]', 'loss');
  await frame(page);
  await page.screenshot({ path: `${outDir}/${theme}-4-loss.png` });
  await page.selectOption('[data-testid=color-by]', 'label');

  // Worst triplet row: centre and draw it.
  await page.click('[data-testid=worst-row] >> nth=0');
  await frame(page);
  await page.screenshot({ path: `${outDir}/${theme}-5-triplet.png` });
  const a = await hook(page, `window.__embeddingInspector.screenPositionOf(${cen.worst[0].anchor})`);
  const box = await page.locator('#plot').boundingBox();
  check(
    Math.abs(a.x - (box.x + box.width / 2)) < box.width * 0.3 &&
      Math.abs(a.y - (box.y + box.height / 2)) < box.height * 0.3,
    `${theme}: worst triplet centred`,
  );

  // Reset, then box select with shift-drag.
  await page.focus('#plot');
  await page.keyboard.press('0');
  await frame(page);
  const c3 = await hook(page, `window.__embeddingInspector.screenPositionOf(3)`);
  await page.keyboard.down('Shift');
  await page.mouse.move(c3.x - 40, c3.y - 40);
  await page.mouse.down();
  await page.mouse.move(c3.x, c3.y, { steps: 4 });
  await page.mouse.move(c3.x + 40, c3.y + 40, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  const sel = (await posted(page, 'selection')).at(-1);
  const expected = [];
  for (let i = 0; i < data.n; i++) {
    const q = await hook(page, `window.__embeddingInspector.screenPositionOf(${i})`);
    if (q.x >= c3.x - 40 && q.x <= c3.x + 40 && q.y >= c3.y - 40 && q.y <= c3.y + 40) expected.push(i);
  }
  check(
    sel &&
      sel.indicesType === '[object Int32Array]' &&
      sel.indices.includes(3) &&
      Math.abs(sel.indices.length - expected.length) <= 2,
    `${theme}: box selection posts an Int32Array (${sel?.indices.length} vs ${expected.length} by screen positions)`,
  );
  await frame(page);
  await page.screenshot({ path: `${outDir}/${theme}-6-selection.png` });
  await page.keyboard.press('Escape');
  check(
    (await posted(page, 'selection')).at(-1).indices.length === 0 &&
      (await hook(page, () => window.__embeddingInspector.selectionSize)) === 0,
    `${theme}: Escape clears the selection`,
  );

  // Lasso (alt-drag): a triangle around point 3, compared with the screen positions.
  const tri = [
    [c3.x - 50, c3.y - 40],
    [c3.x + 50, c3.y - 30],
    [c3.x, c3.y + 50],
  ];
  await page.keyboard.down('Alt');
  await page.mouse.move(...tri[0]);
  await page.mouse.down();
  for (const q of [tri[1], tri[2], tri[0]]) await page.mouse.move(...q, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Alt');
  const inTri = (x, y) => {
    let inside = false;
    for (let i = 0, j = 2; i < 3; j = i++) {
      const [xi, yi] = tri[i],
        [xj, yj] = tri[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  const screen = await page.evaluate(
    (n) => Array.from({ length: n }, (_, i) => window.__embeddingInspector.screenPositionOf(i)),
    data.n,
  );
  const lassoExpected = screen.flatMap((q, i) => (inTri(q.x, q.y) ? [i] : []));
  const lasso = (await posted(page, 'selection')).at(-1).indices;
  const missed =
    lassoExpected.filter((i) => !lasso.includes(i)).length + lasso.filter((i) => !lassoExpected.includes(i)).length;
  check(
    lasso.length > 5 && missed <= 2,
    `${theme}: lasso selects the points inside (${lasso.length} vs ${lassoExpected.length}, ${missed} differ)`,
  );
  await page.keyboard.press('Escape');

  // Wheel zoom keeps the point under the cursor in place; + zooms in about the centre; 0 resets.
  const w = await hook(page, `window.__embeddingInspector.screenPositionOf(${target})`);
  await page.mouse.move(w.x, w.y);
  await page.mouse.wheel(0, -300);
  await frame(page);
  const w2 = await hook(page, `window.__embeddingInspector.screenPositionOf(${target})`);
  check(
    Math.hypot(w2.x - w.x, w2.y - w.y) < 1,
    `${theme}: wheel zoom anchored at the cursor (moved ${Math.hypot(w2.x - w.x, w2.y - w.y).toFixed(2)} px)`,
  );
  await page.focus('#plot');
  await page.keyboard.press('0');
  const r0 = await hook(page, `window.__embeddingInspector.screenPositionOf(${target})`);
  await page.keyboard.press('+');
  const r1 = await hook(page, `window.__embeddingInspector.screenPositionOf(${target})`);
  const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  check(Math.abs((r1.x - mid.x) / (r0.x - mid.x) - 1.25) < 1e-6, `${theme}: + zooms 1.25x about the centre`);
  await page.keyboard.press('0');

  // Legend: clicking a class toggles its emphasis.
  await page.click('[data-testid=legend-classes] [data-class="4"]');
  check(
    (await page.getAttribute('[data-testid=legend-classes] [data-class="4"]', 'aria-pressed')) === 'true',
    `${theme}: legend click emphasises a class`,
  );
  await page.click('[data-testid=legend-classes] [data-class="4"]');

  // Host highlight of a class pair, then a reveal.
  await send(page, { type: 'highlight', classes: [], pair: [2, 3] });
  await send(page, { type: 'reveal', index: 77 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${outDir}/${theme}-7-highlight-reveal.png` });

  // Theme switch at run time (the MutationObserver path), then a resize: the plot background must follow.
  const corner = () => page.screenshot({ clip: { x: 300, y: 690, width: 4, height: 4 } });
  const before = await corner();
  await page.evaluate((t) => window.__harness.setTheme(t), theme === 'dark' ? 'light' : 'dark');
  await frame(page);
  check(!before.equals(await corner()), `${theme}: plot background redrawn after the theme switch`);
  await page.setViewportSize({ width: 800, height: 520 });
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${outDir}/${theme}-8-switched-resized.png` });
  check((await hook(page, () => window.__harness.violations)).length === 0, `${theme}: no CSP violations`);
  check(
    (await posted(page, 'log')).length === 0,
    `${theme}: no error logs posted ${JSON.stringify(await posted(page, 'log'))}`,
  );
  await page.close();
}

{
  // devicePixelRatio 2: the canvas backing store doubles, hit-testing stays in CSS pixels.
  const page = await openPage('dark', { width: 700, height: 450 }, 2);
  await send(page, datasetMessage('hidpi', data));
  await send(page, {
    type: 'layout',
    datasetId: 'hidpi',
    layout: typed('Float32Array', data.xy),
    dims: 2,
    kind: 'umap',
  });
  await send(page, censusMessage('hidpi', cen));
  await frame(page);
  const size = await page.evaluate(() => {
    const c = document.querySelector('#plot');
    return [c.width, c.height, c.clientWidth, c.clientHeight];
  });
  check(
    size[0] === 2 * size[2] && size[1] === 2 * size[3],
    `dpr 2: canvas ${size[0]}x${size[1]} for ${size[2]}x${size[3]} CSS px`,
  );
  const i = cen.worst[3].anchor;
  const q = await hook(page, `window.__embeddingInspector.screenPositionOf(${i})`);
  await page.mouse.move(q.x, q.y);
  await frame(page);
  const hit = await hook(page, () => window.__embeddingInspector.hoverIndex);
  const qh = await hook(page, `window.__embeddingInspector.screenPositionOf(${hit})`);
  check(hit >= 0 && Math.hypot(qh.x - q.x, qh.y - q.y) <= 1, `dpr 2: hover finds the point under the cursor (${hit})`);
  await page.screenshot({ path: `${outDir}/dpr2-hover.png` });

  // WebGL context loss and restore: the points come back.
  const restored = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const c = document.querySelector('#plot'),
          ext = c.getContext('webgl2').getExtension('WEBGL_lose_context');
        c.addEventListener('webglcontextlost', () => setTimeout(() => ext.restoreContext(), 50), { once: true });
        c.addEventListener(
          'webglcontextrestored',
          () =>
            setTimeout(
              () =>
                requestAnimationFrame(() =>
                  requestAnimationFrame(() => resolve(window.__embeddingInspector.pointsDrawn)),
                ),
              0,
            ),
          { once: true },
        );
        ext.loseContext();
      }),
  );
  check(restored === data.n, `context restore redraws all points (${restored})`);

  // UI state survives a reload (retainContextWhenHidden is off): camera and colour mode come back.
  await page.selectOption('[data-testid=color-by]', 'loss');
  await page.mouse.wheel(0, -400);
  await frame(page);
  const before = await hook(page, `window.__embeddingInspector.screenPositionOf(${i})`);
  await page.waitForTimeout(400); // the camera is saved 300 ms after it settles
  await page.reload();
  await page.waitForFunction(() => window.__harness.posted.some((m) => m.type === 'ready'));
  await send(page, datasetMessage('hidpi', data));
  await send(page, {
    type: 'layout',
    datasetId: 'hidpi',
    layout: typed('Float32Array', data.xy),
    dims: 2,
    kind: 'umap',
  });
  await frame(page);
  const after = await hook(page, `window.__embeddingInspector.screenPositionOf(${i})`);
  check(
    Math.hypot(after.x - before.x, after.y - before.y) < 0.5 &&
      (await hook(page, () => window.__embeddingInspector.colorBy)) === 'loss',
    `reload restores the camera (${before.x.toFixed(1)},${before.y.toFixed(1)} -> ${after.x.toFixed(1)},${after.y.toFixed(1)}) and the colour mode`,
  );
  await page.close();
}

if (process.argv.includes('--perf')) await (await import('./projectionPerf.mjs')).perf100k(cen);

await finish();
