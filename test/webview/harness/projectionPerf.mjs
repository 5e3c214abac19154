// The projection webview at 100 000 points in the harness page (projectionHarness.mjs): layout and
// census messages -> drawn, zoom and hover frames (main-thread time, and the round trip to the frame
// shown), a screenshot to /tmp/projection-shots/perf-100k.png. Prints timings; fails only on a page error.
//   node test/webview/harness/projectionPerf.mjs
//   node test/webview/harness/projectionShot.mjs --perf     # after the checks, in the same browser
// (npm run bench:projection measures 100k against 1M with the renderer's and GPU's memory.)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { census, makeClusters } from './projectionData.mjs';
import {
  censusMessage,
  datasetMessage,
  finish,
  frame,
  hook,
  openPage,
  outDir,
  send,
  typed,
} from './projectionHarness.mjs';

/**
 * 100 000 points: timings printed, the page's errors counted as failed checks. `cen` gives the census message its
 * counts and settings (its per-sample arrays are replaced): the checks' census of projectionShot.mjs's data.
 */
export async function perf100k(cen = census(makeClusters(2000, 10, 7, 0.55), 0.5)) {
  const page = await openPage('dark');
  const big = makeClusters(100000, 40, 3, 1.6);
  const id = 'big';
  await send(page, datasetMessage(id, big));
  await page.evaluate((m) => window.__harness.prepare(m), {
    type: 'layout',
    datasetId: id,
    layout: typed('Float32Array', big.xy),
    dims: 2,
  });
  const layoutMs = await page.evaluate(() => window.__harness.deliver());
  console.log(
    `100k: layout message -> grid built, uploaded and drawn: ${layoutMs.toFixed(0)} ms, pointsDrawn ${await hook(page, () => window.__embeddingInspector.pointsDrawn)}`,
  );
  const cat = new Uint8Array(big.n).map((_, i) => (i % 17 === 0 ? 3 : i % 5 === 0 ? 2 : 1));
  const z = new Float32Array(big.n).map((_, i) => (cat[i] > 1 ? (i % 13) / 13 : 0));
  const fakeCensus = {
    ...cen,
    category: cat,
    lossAsAnchor: z,
    violAsAnchor: z,
    violAsPositive: z,
    violAsNegative: z,
    nearestImpostor: new Int32Array(big.n),
    worst: [],
    classViolationRate: new Float64Array(40),
  };
  await page.evaluate((m) => window.__harness.prepare(m), censusMessage(id, fakeCensus));
  console.log(
    `100k: census message -> restyled and drawn: ${(await page.evaluate(() => window.__harness.deliver())).toFixed(0)} ms`,
  );
  const box = await page.locator('#plot').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const stats = (xs) => {
    xs.sort((x, y) => x - y);
    return `median ${xs[xs.length >> 1].toFixed(1)} ms, max ${xs.at(-1).toFixed(1)} ms`;
  };
  // Zoom frames: main-thread time of each frame (the WebGL work itself runs in the GPU process).
  const frames = [],
    walls = [];
  for (let k = 0; k < 20; k++) {
    const s = Date.now();
    await page.mouse.wheel(0, k < 10 ? -120 : 120);
    await frame(page);
    walls.push(Date.now() - s);
    frames.push(await hook(page, () => window.__embeddingInspector.lastFrameMs));
  }
  console.log(
    `100k: zoom frame main-thread ${stats(frames)}; wheel -> frame shown (playwright round trip, SwiftShader software GL) ${stats(walls)}`,
  );
  const hov = [],
    hovFrames = [];
  for (let k = 0; k < 40; k++) {
    const s = Date.now();
    await page.mouse.move(box.x + 100 + k * 7, box.y + 200 + k * 3);
    await frame(page);
    hov.push(Date.now() - s);
    hovFrames.push(await hook(page, () => window.__embeddingInspector.lastFrameMs));
  }
  console.log(
    `100k: hover (hit test + tooltip + overlay only) frame ${stats(hovFrames)}; move -> frame shown ${stats(hov)}`,
  );
  await page.screenshot({ path: `${outDir}/perf-100k.png` });
  await page.close();
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  await perf100k();
  await finish();
}
