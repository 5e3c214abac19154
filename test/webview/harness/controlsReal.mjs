// Dev tool: the controls sidebar in a real VS Code (code-server, scripts/codeServer.mjs) with the real
// host and engine, on a copy of samples/mnist (so the margin the host persists never lands in the
// repository). Opens the sidebar, clicks "Inspect Embeddings", steps the margin with the keyboard,
// prints the round trips and the sidebar's render times, and saves screenshots.
// Usage: node scripts/build.mjs && node test/webview/harness/controlsReal.mjs [outDir] [theme]
//   theme: a VS Code colour theme name, default "Default Dark Modern".
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from '../../../scripts/codeServer.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const outDir = path.resolve(process.argv[2] ?? '/tmp/controls-real');
const theme = process.argv[3] ?? 'Default Dark Modern';
fs.mkdirSync(outDir, { recursive: true });
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-controls-'));
const workspace = path.join(home, 'mnist');
fs.cpSync(path.join(root, 'samples', 'mnist'), workspace, { recursive: true });
fs.rmSync(path.join(workspace, '.vscode'), { recursive: true, force: true });

const cs = await startCodeServer({ home, settings: { 'workbench.colorTheme': theme } });
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
});
const hook = (frame) =>
  frame.evaluate(() => {
    const x = window.__embeddingInspector;
    return {
      margin: x.margin,
      violatingText: x.violatingText,
      lastCensusMargin: x.lastCensusMargin,
      lastUpdateMs: x.lastUpdateMs,
    };
  });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${cs.port}${root}`]]);
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.locator('.activitybar [aria-label*="Embedding Inspector"]').first().click({ timeout: 60_000 });
  // The sidebar's frame is the one with the test hook.
  let frame;
  for (let i = 0; i < 120 && !frame; i++) {
    for (const f of page.frames())
      if (await f.evaluate(() => !!window.__embeddingInspector).catch(() => false)) frame = f;
    if (!frame) await page.waitForTimeout(500);
  }
  if (!frame) throw new Error('the controls webview did not appear');
  await page.screenshot({ path: path.join(outDir, 'real-empty.png') });
  await frame.getByTestId('inspect-button').click();
  await page.waitForTimeout(1500);
  if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Enter'); // several datasets: the first
  const t0 = Date.now();
  await frame.waitForFunction(() => window.__embeddingInspector.lastCensusMargin !== undefined, null, {
    timeout: 300_000,
  });
  console.log(`first census ${Date.now() - t0} ms after Inspect:`, await hook(frame));
  await frame.getByTestId('margin-slider').focus();
  for (const key of ['PageUp', 'PageUp', 'ArrowRight', 'PageDown', 'End', 'Home']) {
    const t = Date.now();
    await page.keyboard.press(key);
    const want = (await hook(frame)).margin;
    await frame.waitForFunction((m) => window.__embeddingInspector.lastCensusMargin === m, want, { timeout: 60_000 });
    const h = await hook(frame);
    if (h.margin !== want) console.log(`  the slider moved from ${want} to ${h.margin} without the user`);
    const elapsed = await frame.getByTestId('metric-elapsed').textContent();
    console.log(
      `${key}: margin ${h.margin}, census back in ${Date.now() - t} ms (engine ${elapsed}), rendered in ${h.lastUpdateMs.toFixed(1)} ms, violating ${h.violatingText}`,
    );
  }
  await page.keyboard.press('PageUp');
  await frame.waitForFunction(
    () => window.__embeddingInspector.lastCensusMargin === window.__embeddingInspector.margin,
    null,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(outDir, 'real-workbench.png') });
  await page.locator('.part.sidebar').screenshot({ path: path.join(outDir, 'real-sidebar.png') });
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
  cs.stop();
}
