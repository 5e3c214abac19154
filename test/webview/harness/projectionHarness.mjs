// The projection harness's page and browser, shared by projectionShot.mjs (checks and screenshots)
// and projectionPerf.mjs (100 000-point timings): bundles webview/projection/main.ts, serves it in
// the host's HTML (strict CSP, fresh nonce) with a fake acquireVsCodeApi, opens it in Debian's
// Chromium, and gives the scripts the host's messages (realistic data from projectionData.mjs),
// the page hooks, the checks and `finish`. Imported once per process: one server, one browser.
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { samplePng } from './projectionData.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
export const outDir = '/tmp/projection-shots';
fs.mkdirSync(outDir, { recursive: true });

await esbuild.build({
  entryPoints: [path.join(root, 'webview/projection/main.ts')],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome114',
  sourcemap: 'inline',
  outfile: path.join(root, 'dist/webview/projection.js'),
  logLevel: 'warning',
});

const datasets = new Map();
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (type, body) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const img = /^\/img\/([\w-]+)\/(\d+)\.png$/.exec(url.pathname);
  if (img) {
    const d = datasets.get(img[1]);
    const i = Number(img[2]);
    return send('image/png', samplePng(i, d ? d.labels[i] : 0));
  }
  if (url.pathname === '/') {
    const html = fs
      .readFileSync(path.join(here, 'projection.html'), 'utf8')
      .replaceAll('__NONCE__', crypto.randomBytes(16).toString('base64'))
      .replaceAll('__CSP_SOURCE__', origin)
      .replaceAll('__BODY_CLASS__', `vscode-${url.searchParams.get('theme') ?? 'dark'}`);
    return send('text/html', html);
  }
  const files = {
    '/media/projection.css': 'media/projection.css',
    '/dist/webview/projection.js': 'dist/webview/projection.js',
    '/harness/projectionFakeVscode.js': 'test/webview/harness/projectionFakeVscode.js',
  };
  if (files[url.pathname])
    return send(
      url.pathname.endsWith('.css') ? 'text/css' : 'text/javascript',
      fs.readFileSync(path.join(root, files[url.pathname])),
    );
  res.writeHead(404);
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
export const origin = `http://127.0.0.1:${server.address().port}`;

export const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
});
export const typed = (name, a) => ({ $typed: name, data: Array.from(a) });
export const failures = [];
export const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

/** The dataset message for data d. */
export function datasetMessage(id, d) {
  datasets.set(id, d);
  return {
    type: 'dataset',
    dataset: {
      id,
      name: `${id}.npy`,
      n: d.n,
      dim: 2,
      classNames: d.classNames,
      labels: typed('Int32Array', d.labels),
      imageDirs: [],
      imageDir: typed(
        'Int32Array',
        Array.from({ length: d.n }, () => -1),
      ),
      imageUris: Array.from({ length: d.n }, (_, i) => `${origin}/img/${id}/${i}.png`),
      sampleTitles: Array.from({ length: d.n }, (_, i) => `sample_${i}.png`),
    },
  };
}
export const censusMessage = (id, c) => ({
  type: 'census',
  datasetId: id,
  census: {
    ...c,
    category: typed('Uint8Array', c.category),
    lossAsAnchor: typed('Float32Array', c.lossAsAnchor),
    violAsAnchor: typed('Float32Array', c.violAsAnchor),
    violAsPositive: typed('Float32Array', c.violAsPositive),
    violAsNegative: typed('Float32Array', c.violAsNegative),
    nearestImpostor: typed('Int32Array', c.nearestImpostor),
    classViolationRate: typed('Float64Array', c.classViolationRate),
  },
});

export async function openPage(theme, viewport = { width: 1100, height: 700 }, deviceScaleFactor = 1) {
  const page = await browser.newPage({ viewport, deviceScaleFactor });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.log('console:', m.text());
  });
  await page.goto(`${origin}/?theme=${theme}`);
  await page.waitForFunction(() => window.__harness.posted.some((m) => m.type === 'ready'));
  return page;
}
export const send = (page, m) => page.evaluate((msg) => window.__harness.send(msg), m);
export const posted = (page, type) =>
  page.evaluate(
    (t) =>
      window.__harness.posted
        .filter((m) => m.type === t)
        .map((m) => ({
          ...m,
          indices: m.indices ? Array.from(m.indices) : undefined,
          indicesType: m.indices ? Object.prototype.toString.call(m.indices) : undefined,
        })),
    type,
  );
export const hook = (page, expr) => page.evaluate(expr);
export const frame = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Closes the browser and the server, prints the failed checks and exits (1 when any failed). */
export async function finish() {
  await browser.close();
  server.close();
  console.log(failures.length ? `\n${failures.length} failed:\n${failures.join('\n')}` : '\nall checks passed');
  process.exit(failures.length ? 1 : 0);
}
