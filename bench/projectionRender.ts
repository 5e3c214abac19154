/**
 * The projection webview at 100 000 and 1 000 000 points, in Debian's Chromium (software GL here:
 * read the figures as ratios, 1M against 100k in the same run). `npm run bench:projection`.
 *
 * The real bundle (dist/webview/projection.js) runs in the host's HTML with the harness's fake
 * acquireVsCodeApi (test/webview/harness/); the data is made inside the page (Gaussian clusters)
 * and posted as VS Code does, structured-cloned typed arrays. Per N it reports:
 *   - layout: the 'layout' message -> grid built, uploaded and drawn (two animation frames later);
 *   - recolour: a new census (every per-sample array) -> styles computed and drawn; the issue's
 *     goal is <= 50 ms at 1M for the styles;
 *   - frame: the interval between frames during a continuous zoom (wheel events dispatched every
 *     frame), median and 90th percentile, and how many were the cached image moved (large layouts,
 *     see webview/projection/frameCache.ts) rather than every point; goal: 1M <= 4 x 100k. The
 *     points drawn again (at rest, after a census) are the recolour's 'drawn' figure;
 *   - hover: a pointermove dispatched on the canvas -> hit-test, tooltip and overlay done
 *     (synchronous part), median and max over 200 moves; goal <= 16 ms at 1M;
 *   - the page's JS heap after the layout.
 * Flags: --n 100000,1000000 (the sizes), --verbose (page console), --shots DIR (a screenshot per size).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';

const root = path.resolve(__dirname, '..', '..');
const harness = path.join(root, 'test', 'webview', 'harness');

function serve(): Promise<{ origin: string; close(): void }> {
  const files: Record<string, [string, string]> = {
    '/media/projection.css': [path.join(root, 'media', 'projection.css'), 'text/css'],
    '/dist/webview/projection.js': [path.join(root, 'dist', 'webview', 'projection.js'), 'text/javascript'],
    '/harness/projectionFakeVscode.js': [path.join(harness, 'projectionFakeVscode.js'), 'text/javascript'],
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (type: string, body: string | Buffer) => { res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }); res.end(body); };
    if (url.pathname === '/') {
      return send('text/html', fs.readFileSync(path.join(harness, 'projection.html'), 'utf8').replaceAll('__NONCE__', crypto.randomBytes(16).toString('base64'))
        .replaceAll('__CSP_SOURCE__', origin).replaceAll('__BODY_CLASS__', 'vscode-dark'));
    }
    const f = files[url.pathname];
    if (f) return send(f[1], fs.readFileSync(f[0]));
    res.writeHead(404); res.end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    resolve({ origin, close: () => server.close() });
  }));
}

/** Runs in the page: makes the data, posts dataset + layout, resolves after two frames with the time taken. */
async function loadInPage(page: Page, n: number): Promise<{ layoutMs: number; heapMb: number }> {
  return page.evaluate(async (n) => {
    const w = globalThis as any; // the page's window (this tsconfig has no DOM types)
    const k = 100;
    let a = 12345;
    const rnd = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    const labels = new Int32Array(n), xy = new Float32Array(2 * n);
    const cx = Float64Array.from({ length: k }, () => 20 * gauss()), cy = Float64Array.from({ length: k }, () => 20 * gauss());
    for (let i = 0; i < n; i++) { const c = i % k; labels[i] = c; xy[2 * i] = cx[c] + gauss(); xy[2 * i + 1] = cy[c] + gauss(); }
    const frames = () => new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())));
    const id = `bench-${n}`;
    w.postMessage({ type: 'dataset', dataset: { id, name: id, n, dim: 2, classNames: Array.from({ length: k }, (_, c) => `class ${c}`), labels, imageUris: new Array(n).fill(''), sampleTitles: new Array(n).fill('') } }, '*');
    await frames();
    const t0 = performance.now();
    w.postMessage({ type: 'layout', datasetId: id, layout: xy, dims: 2, kind: 'umap' }, '*');
    await new Promise((r) => setTimeout(r, 0));
    await frames();
    const layoutMs = performance.now() - t0;
    const mem = w.performance.memory as { usedJSHeapSize: number } | undefined;
    return { layoutMs, heapMb: mem ? mem.usedJSHeapSize / 2 ** 20 : NaN };
  }, n);
}

/** Runs in the page: posts a census with every per-sample array; resolves with the time to the colours being set and drawn. */
async function recolourInPage(page: Page, n: number, margin: number): Promise<{ stylesMs: number; drawnMs: number }> {
  return page.evaluate(async ({ n, margin }) => {
    const w = globalThis as any; // the page's window
    const category = new Uint8Array(n), loss = new Float32Array(n), viol = new Float32Array(n);
    for (let i = 0; i < n; i++) { category[i] = (i * 2654435761) % 7 === 0 ? 3 : (i % 5 === 0 ? 2 : 1); loss[i] = category[i] > 1 ? ((i * 7919) % 101) / 100 : 0; viol[i] = category[i] > 1 ? 3 : 0; }
    const census = {
      settings: { margin, distance: 'euclidean', normalize: false, convention: 'pml', mining: 'all', temperature: 0.1 },
      category, lossAsAnchor: loss, violAsAnchor: viol, violAsPositive: viol, violAsNegative: viol, nearestImpostor: new Int32Array(n),
      classViolationRate: new Float64Array(100), worst: [], counts: { easy: 1, semihard: 1, hard: 1, triplets: 3 }, violating: 2, lossSum: 1, elapsedMs: 1,
    };
    const shown = new Promise<number>((r) => w.addEventListener('ei-census-shown', () => r(performance.now()), { once: true }));
    const t0 = performance.now();
    w.postMessage({ type: 'census', datasetId: `bench-${n}`, census }, '*');
    const styled = await shown;
    await new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())));
    return { stylesMs: styled - t0, drawnMs: performance.now() - t0 };
  }, { n, margin });
}

/** Runs in the page: 90 frames of continuous zoom (a wheel event per frame); frame intervals. */
async function zoomFramesInPage(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const w = globalThis as any; // the page's window
    const canvas = w.document.querySelector('[data-testid=plot-canvas]');
    const r = canvas.getBoundingClientRect();
    const out: number[] = [];
    let last = performance.now();
    for (let f = 0; f < 90; f++) {
      canvas.dispatchEvent(new w.WheelEvent('wheel', { deltaY: f < 45 ? -40 : 40, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
      await new Promise((res) => w.requestAnimationFrame(res));
      const now = performance.now();
      out.push(now - last);
      last = now;
    }
    return out.slice(5);
  });
}

/** Runs in the page: 200 pointermoves across the plot; the synchronous handling time of each. */
async function hoverInPage(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const w = globalThis as any; // the page's window
    const canvas = w.document.querySelector('[data-testid=plot-canvas]');
    const r = canvas.getBoundingClientRect();
    const out: number[] = [];
    for (let k = 0; k < 200; k++) {
      const x = r.left + r.width * (0.1 + 0.8 * ((k * 37) % 200) / 200), y = r.top + r.height * (0.1 + 0.8 * ((k * 91) % 200) / 200);
      const t0 = performance.now();
      canvas.dispatchEvent(new w.PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true, pointerType: 'mouse' }));
      out.push(performance.now() - t0);
      if (k % 20 === 0) await new Promise((res) => w.requestAnimationFrame(res));
    }
    return out;
  });
}

const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const sizes = (argv.includes('--n') ? argv[argv.indexOf('--n') + 1] : '100000,1000000').split(',').map(Number);
  const verbose = argv.includes('--verbose');
  const shots = argv.includes('--shots') ? argv[argv.indexOf('--shots') + 1] : undefined;
  if (!fs.existsSync(path.join(root, 'dist', 'webview', 'projection.js'))) throw new Error('run npm run build first');
  const server = await serve();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--enable-precise-memory-info', '--disable-background-timer-throttling', '--no-first-run', '--disable-component-update'] });
  const rows: { n: number; layoutMs: number; heapMb: number; stylesMs: number; drawnMs: number; frame50: number; frame90: number; hover50: number; hoverMax: number; drawn: number; moved: number }[] = [];
  try {
    for (const n of sizes) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      if (verbose) page.on('console', (m) => console.log('  page:', m.text()));
      page.on('pageerror', (e) => console.error('  page error:', e.message));
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => (globalThis as unknown as { __harness: { posted: { type: string }[] } }).__harness.posted.some((m) => m.type === 'ready'));
      const load = await loadInPage(page, n);
      const drawn = await page.evaluate(() => (globalThis as unknown as { __embeddingInspector: { pointsDrawn: number } }).__embeddingInspector.pointsDrawn);
      const recolours = [];
      for (let k = 0; k < 5; k++) recolours.push(await recolourInPage(page, n, 0.1 + 0.1 * k));
      const moved0 = await page.evaluate(() => (globalThis as unknown as { __embeddingInspector: { movedFrames: number } }).__embeddingInspector.movedFrames);
      const frames = await zoomFramesInPage(page);
      const moved = (await page.evaluate(() => (globalThis as unknown as { __embeddingInspector: { movedFrames: number } }).__embeddingInspector.movedFrames)) - moved0;
      const hover = await hoverInPage(page);
      rows.push({ n, ...load, stylesMs: q(recolours.map((r) => r.stylesMs), 0.5), drawnMs: q(recolours.map((r) => r.drawnMs), 0.5), frame50: q(frames, 0.5), frame90: q(frames, 0.9), hover50: q(hover, 0.5), hoverMax: Math.max(...hover), drawn, moved });
      const r = rows.at(-1)!;
      console.log(`N=${n.toLocaleString('en-US')}: drawn ${r.drawn}; layout -> drawn ${ms(r.layoutMs)}; census -> colours set ${ms(r.stylesMs)}, drawn ${ms(r.drawnMs)} (median of 5); zoom frame median ${ms(r.frame50)}, p90 ${ms(r.frame90)} (${r.moved} of them the cached image moved); hover median ${ms(r.hover50)}, max ${ms(r.hoverMax)}; page heap ${r.heapMb.toFixed(0)} MB`);
      if (shots) await page.screenshot({ path: path.join(shots, `projection-${n}.png`) });
      await page.close();
    }
    if (rows.length >= 2) {
      const [a, b] = [rows[0], rows.at(-1)!];
      console.log(`ratios ${b.n.toLocaleString('en-US')} / ${a.n.toLocaleString('en-US')}: zoom frame ${(b.frame50 / a.frame50).toFixed(2)}x (goal <= 4), colours ${(b.stylesMs / a.stylesMs).toFixed(2)}x, hover ${(b.hover50 / Math.max(a.hover50, 1e-3)).toFixed(2)}x`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
