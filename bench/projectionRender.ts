/**
 * The projection webview at 100 000 and 1 000 000 points, in Debian's Chromium (software GL here:
 * read the figures as ratios, 1M against 100k in the same run). `npm run bench:projection`.
 *
 * The real bundle (dist/webview/projection.js) runs in the host's HTML with the harness's fake
 * acquireVsCodeApi (test/webview/harness/); the data is made inside the page (Gaussian clusters)
 * and posted as VS Code's webview does: the typed arrays' buffers transferred to the page (VS Code's
 * extension host sends them as binary, src/views/projectionPanel.ts; the webview's outer frame
 * posts them on with a transfer list). Per N it reports:
 *   - layout: as the host sends it (one 'layout' message, or 'layoutChunk's of LAYOUT_CHUNK_POINTS
 *     above that) -> first points drawn, and -> whole, grid built, drawn (two animation frames later);
 *   - recolour: a new census (every per-sample array) -> colours set (the 'ei-census-shown' event)
 *     and drawn, colouring by label (the default) and by loss; the issue's goal is <= 50 ms at 1M.
 *     "cloned" is the same census structured-cloned (copied) instead of transferred, as this bench
 *     posted it before: the figure to compare with older runs;
 *   - frame: the interval between frames during a continuous zoom (wheel events dispatched every
 *     frame), median and 90th percentile, and how many were the cached image moved (large layouts,
 *     see webview/projection/frameCache.ts) rather than every point; goal: 1M <= 4 x 100k. The
 *     points drawn again (at rest, after a census) are the recolour's 'drawn' figure;
 *   - hover: a pointermove dispatched on the canvas -> hit-test, tooltip and overlay done
 *     (synchronous part), median and max over 200 moves; goal <= 16 ms at 1M;
 *   - the page's JS heap after the layout, and the peak resident memory (VmHWM) of the page's
 *     renderer process and of the GPU process (software GL draws there), read from /proc: one
 *     browser per N, so each peak is that size's.
 * Flags: --n 100000,1000000 (the sizes), --verbose (page console), --shots DIR (a screenshot per size),
 * --baseline REF (also measure the projection bundle built from git commit REF, bundle 0, against this tree's,
 * bundle 1), --bundles A.js,B.js (or any bundles), --reps R (default 1): each size is measured with each bundle in
 * turn, in a fresh browser, R times, so old and new share the run and the machine's load (its load average is printed
 * before each run); with several runs every recolour of a bundle is pooled (median, quartiles, extremes) --profile (a
 * CPU profile of the page during the recolours by loss: the functions that took the most time, self and total),
 * --renderers webgl2,webgpu (the points' API, the page's setting embeddingInspector.projection.renderer; each size is
 * measured with each in turn, every browser then started with the flags under which this machine's Chromium has a
 * working WebGPU adapter, SwiftShader's, so that both APIs run under the same flags).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { LAYOUT_CHUNK_POINTS } from '../src/shared/protocol';
import { bundleAt, peakMemory, summariseProfile } from './browserProbes';
import chromiumFlags from '../scripts/chromium.json';

const root = path.resolve(__dirname, '..', '..');
const harness = path.join(root, 'test', 'webview', 'harness');

/** Serves the harness page; `?bundle=k` picks the k-th of `bundles` as its projection.js. */
function serve(bundles: string[]): Promise<{ origin: string; close(): void }> {
  const files: Record<string, [string, string]> = {
    '/media/projection.css': [path.join(root, 'media', 'projection.css'), 'text/css'],
    '/harness/projectionFakeVscode.js': [path.join(harness, 'projectionFakeVscode.js'), 'text/javascript'],
  };
  let origin = '';
  let bundle = bundles[0];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') bundle = bundles[Number(url.searchParams.get('bundle') ?? 0)] ?? bundles[0];
    const renderer = url.searchParams.get('renderer') ?? 'auto';
    if (url.pathname === '/dist/webview/projection.js') files[url.pathname] = [bundle, 'text/javascript'];
    const send = (type: string, body: string | Buffer) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') {
      return send(
        'text/html',
        fs
          .readFileSync(path.join(harness, 'projection.html'), 'utf8')
          .replaceAll('__NONCE__', crypto.randomBytes(16).toString('base64'))
          .replaceAll('__CSP_SOURCE__', origin)
          .replaceAll('__BODY_CLASS__', 'vscode-dark')
          .replace('<body ', `<body data-renderer="${renderer.replace(/[^a-z0-9]/g, '')}" `),
      );
    }
    const f = files[url.pathname];
    if (f) return send(f[1], fs.readFileSync(f[0]));
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      resolve({ origin, close: () => server.close() });
    }),
  );
}

/** Runs in the page: makes the data, posts dataset + layout (chunked above chunkPoints), resolves after two frames with
 * the times taken. */
async function loadInPage(
  page: Page,
  n: number,
  chunkPoints: number,
): Promise<{ layoutMs: number; firstDrawnMs: number; heapMb: number }> {
  return page.evaluate(
    async ({ n, chunkPoints }) => {
      const w = globalThis as any; // the page's window (this tsconfig has no DOM types)
      const k = 100;
      let a = 12345;
      const rnd = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      const labels = new Int32Array(n),
        xy = new Float32Array(2 * n);
      const cx = Float64Array.from({ length: k }, () => 20 * gauss()),
        cy = Float64Array.from({ length: k }, () => 20 * gauss());
      for (let i = 0; i < n; i++) {
        const c = i % k;
        labels[i] = c;
        xy[2 * i] = cx[c] + gauss();
        xy[2 * i + 1] = cy[c] + gauss();
      }
      const frames = () => new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())));
      const id = `bench-${n}`;
      w.postMessage(
        {
          type: 'dataset',
          dataset: {
            id,
            name: id,
            n,
            dim: 2,
            classNames: Array.from({ length: k }, (_, c) => `class ${c}`),
            labels,
            imageDirs: [],
            imageDir: new Int32Array(0),
            imageUris: [],
            sampleTitles: [],
          },
        },
        '*',
        [labels.buffer],
      );
      await frames();
      const hook = w.__embeddingInspector;
      let firstDrawnMs = NaN;
      const t0 = performance.now();
      const watch = () => {
        if (hook.pointsDrawn > 0) firstDrawnMs = performance.now() - t0;
        else w.requestAnimationFrame(watch);
      };
      w.requestAnimationFrame(watch);
      if (n <= chunkPoints)
        w.postMessage({ type: 'layout', datasetId: id, layout: xy, dims: 2, kind: 'umap' }, '*', [xy.buffer]);
      else {
        for (let offset = 0; offset < n; offset += chunkPoints) {
          const data = xy.slice(2 * offset, 2 * Math.min(n, offset + chunkPoints));
          w.postMessage(
            { type: 'layoutChunk', datasetId: id, layoutId: 1, kind: 'umap', dims: 2, n, offset, data },
            '*',
            [data.buffer],
          );
        }
      }
      await new Promise<void>((r) => {
        const poll = () =>
          hook.pointsDrawn === n && !String(hook.status.message).startsWith('Loading points')
            ? r()
            : setTimeout(poll, 0);
        poll();
      });
      await frames();
      const layoutMs = performance.now() - t0;
      const mem = w.performance.memory as { usedJSHeapSize: number } | undefined;
      return { layoutMs, firstDrawnMs, heapMb: mem ? mem.usedJSHeapSize / 2 ** 20 : NaN };
    },
    { n, chunkPoints },
  );
}

/** Runs in the page: posts a census with every per-sample array (transferred, or cloned); resolves with the time to the
 * colours being set and drawn. */
async function recolourInPage(
  page: Page,
  n: number,
  margin: number,
  transfer: boolean,
): Promise<{ stylesMs: number; drawnMs: number }> {
  return page.evaluate(
    async ({ n, margin, transfer }) => {
      const w = globalThis as any; // the page's window
      const category = new Uint8Array(n),
        loss = new Float32Array(n),
        viol = new Float32Array(n),
        vp = new Float32Array(n),
        vn = new Float32Array(n),
        imp = new Int32Array(n);
      const shift = Math.round(margin * 10);
      for (let i = 0; i < n; i++) {
        const j = i + shift;
        category[i] = (j * 2654435761) % 7 === 0 ? 3 : j % 5 === 0 ? 2 : 1;
        loss[i] = category[i] > 1 ? ((j * 7919) % 101) / 100 : 0;
        viol[i] = category[i] > 1 ? 3 : 0;
      }
      vp.set(viol);
      vn.set(viol);
      const census = {
        settings: {
          margin,
          distance: 'euclidean',
          normalize: false,
          convention: 'pml',
          mining: 'all',
          temperature: 0.1,
        },
        category,
        lossAsAnchor: loss,
        violAsAnchor: viol,
        violAsPositive: vp,
        violAsNegative: vn,
        nearestImpostor: imp,
        classViolationRate: new Float64Array(100),
        worst: [],
        counts: { easy: 1, semihard: 1, hard: 1, triplets: 3 },
        violating: 2,
        lossSum: 1,
        elapsedMs: 1,
      };
      const shown = new Promise<number>((r) =>
        w.addEventListener('ei-census-shown', () => r(performance.now()), { once: true }),
      );
      const t0 = performance.now();
      w.postMessage(
        { type: 'census', datasetId: `bench-${n}`, census },
        '*',
        transfer ? [category, loss, viol, vp, vn, imp].map((x) => x.buffer) : [],
      );
      const styled = await shown;
      await new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())));
      return { stylesMs: styled - t0, drawnMs: performance.now() - t0 };
    },
    { n, margin, transfer },
  );
}

/** Chooses a colour mode in the legend's selector, as the user does. */
async function colourBy(page: Page, mode: string): Promise<void> {
  await page.selectOption('[data-testid=color-by]', mode);
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
      canvas.dispatchEvent(
        new w.WheelEvent('wheel', {
          deltaY: f < 45 ? -40 : 40,
          clientX: r.left + r.width / 2,
          clientY: r.top + r.height / 2,
          bubbles: true,
          cancelable: true,
        }),
      );
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
      const x = r.left + r.width * (0.1 + (0.8 * ((k * 37) % 200)) / 200),
        y = r.top + r.height * (0.1 + (0.8 * ((k * 91) % 200)) / 200);
      const t0 = performance.now();
      canvas.dispatchEvent(
        new w.PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true, pointerType: 'mouse' }),
      );
      out.push(performance.now() - t0);
      if (k % 20 === 0) await new Promise((res) => w.requestAnimationFrame(res));
    }
    return out;
  });
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Row {
  n: number;
  /** Which of --bundles. */
  bundle: number;
  /** The API that drew ('webgl2' | 'webgpu'), as the page's test hook says. */
  renderer: string;
  /** Every recolour by label and by loss (stylesMs and lossMs are their medians). */
  stylesAll: number[];
  lossAll: number[];
  layoutMs: number;
  firstDrawnMs: number;
  heapMb: number;
  stylesMs: number;
  drawnMs: number;
  clonedMs: number;
  lossMs: number;
  frame50: number;
  frame90: number;
  hover50: number;
  hoverMax: number;
  drawn: number;
  moved: number;
  rendererMb: number;
  gpuMb: number;
}

/** One size with one bundle in a fresh browser (so the processes' peak memory is this run's). */
async function measure(
  origin: string,
  bundle: number,
  n: number,
  opts: { verbose: boolean; shots?: string; profile: boolean; renderer?: string },
): Promise<Row> {
  const launched = await chromium.launchServer({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--enable-precise-memory-info',
      '--disable-background-timer-throttling',
      '--no-first-run',
      '--disable-component-update',
      ...(opts.renderer ? chromiumFlags.webgpuArgs : []),
    ],
  });
  const browser = await chromium.connect(launched.wsEndpoint());
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    if (opts.verbose) page.on('console', (m) => console.log('  page:', m.text()));
    page.on('pageerror', (e) => console.error('  page error:', e.message));
    await page.goto(`${origin}/?bundle=${bundle}${opts.renderer ? `&renderer=${opts.renderer}` : ''}`);
    await page.waitForFunction(() =>
      (globalThis as unknown as { __harness: { posted: { type: string }[] } }).__harness.posted.some(
        (m) => m.type === 'ready',
      ),
    );
    const load = await loadInPage(page, n, LAYOUT_CHUNK_POINTS);
    const drawn = await page.evaluate(
      () =>
        (globalThis as unknown as { __embeddingInspector: { pointsDrawn: number } }).__embeddingInspector.pointsDrawn,
    );
    const recolours = [],
      cloned = [],
      loss = [];
    for (let k = 0; k < 5; k++) recolours.push(await recolourInPage(page, n, 0.1 + 0.1 * k, true));
    for (let k = 0; k < 3; k++) cloned.push(await recolourInPage(page, n, 0.6 + 0.1 * k, false));
    await colourBy(page, 'loss');
    const cdp = opts.profile ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    for (let k = 0; k < 5; k++) loss.push(await recolourInPage(page, n, 0.9 + 0.1 * k, true));
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      console.log(`  profile of 5 recolours by loss at N=${n} (bundle ${bundle}):`);
      for (const line of summariseProfile(profile)) console.log(`    ${line}`);
    }
    await colourBy(page, 'label');
    const movedFrames = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { __embeddingInspector: { movedFrames: number } }).__embeddingInspector.movedFrames,
      );
    const moved0 = await movedFrames();
    const frames = await zoomFramesInPage(page);
    const moved = (await movedFrames()) - moved0;
    const hover = await hoverInPage(page);
    const mem = peakMemory(launched.process().pid!);
    const renderer = await page.evaluate(
      () => (globalThis as unknown as { __embeddingInspector: { renderer: string } }).__embeddingInspector.renderer,
    );
    if (opts.shots)
      await page.screenshot({
        path: path.join(opts.shots, `projection-${n}-${bundle}${opts.renderer ? `-${renderer}` : ''}.png`),
      });
    await page.close();
    const median = (xs: { stylesMs: number; drawnMs: number }[], k: 'stylesMs' | 'drawnMs') =>
      q(
        xs.map((r) => r[k]),
        0.5,
      );
    return {
      n,
      bundle,
      renderer,
      ...load,
      stylesMs: median(recolours, 'stylesMs'),
      drawnMs: median(recolours, 'drawnMs'),
      clonedMs: median(cloned, 'stylesMs'),
      lossMs: median(loss, 'stylesMs'),
      stylesAll: recolours.map((r) => r.stylesMs),
      lossAll: loss.map((r) => r.stylesMs),
      frame50: q(frames, 0.5),
      frame90: q(frames, 0.9),
      hover50: q(hover, 0.5),
      hoverMax: Math.max(...hover),
      drawn,
      moved,
      ...mem,
    };
  } finally {
    await browser.close();
    await launched.close();
  }
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const sizes = (arg('--n') ?? '100000,1000000').split(',').map(Number);
  const own = path.join(root, 'dist', 'webview', 'projection.js');
  const baseline = arg('--baseline');
  const bundles = baseline
    ? [bundleAt(baseline), own]
    : (arg('--bundles') ?? own).split(',').map((b) => path.resolve(b));
  const reps = Number(arg('--reps') ?? 1);
  const opts = { verbose: argv.includes('--verbose'), shots: arg('--shots'), profile: argv.includes('--profile') };
  const renderers: (string | undefined)[] = arg('--renderers')?.split(',') ?? [undefined];
  for (const b of bundles) if (!fs.existsSync(b)) throw new Error(`${b} missing (run npm run build first)`);
  if (bundles.length > 1)
    bundles.forEach((b, k) => console.log(`bundle ${k}: ${k === 0 && baseline ? `${baseline} (${b})` : b}`));
  const server = await serve(bundles);
  const rows: Row[] = [];
  try {
    for (const n of sizes)
      for (let rep = 0; rep < reps; rep++)
        for (let b = 0; b < bundles.length; b++)
          for (const renderer of renderers) {
            const before = loadavg();
            const r = await measure(server.origin, b, n, { ...opts, renderer });
            rows.push(r);
            console.log(
              `N=${n.toLocaleString('en-US')}${bundles.length > 1 ? ` bundle ${b}` : ''}${renderer ? ` ${r.renderer} (asked ${renderer})` : ''}${reps > 1 ? ` rep ${rep + 1}` : ''} (load average ${before}): drawn ${r.drawn}; layout -> first points drawn ${ms(r.firstDrawnMs)}, whole drawn ${ms(r.layoutMs)}${n > LAYOUT_CHUNK_POINTS ? ` (${Math.ceil(n / LAYOUT_CHUNK_POINTS)} chunks)` : ''}; ` +
                `census -> colours set ${ms(r.stylesMs)} (by loss ${ms(r.lossMs)} [${r.lossAll.map((x) => x.toFixed(1)).join(' ')}]; cloned, not transferred ${ms(r.clonedMs)}), drawn ${ms(r.drawnMs)} (medians); ` +
                `zoom frame median ${ms(r.frame50)}, p90 ${ms(r.frame90)} (${r.moved} of them the cached image moved); hover median ${ms(r.hover50)}, max ${ms(r.hoverMax)}; ` +
                `page heap ${r.heapMb.toFixed(0)} MB; peak RSS renderer ${r.rendererMb.toFixed(0)} MB, GPU process ${r.gpuMb.toFixed(0)} MB`,
            );
          }
    if (reps > 1 || bundles.length > 1)
      for (const n of sizes)
        for (let b = 0; b < bundles.length; b++) {
          const mine = rows.filter((r) => r.n === n && r.bundle === b);
          // Every recolour of every run pooled.
          const all = (k: 'stylesAll' | 'lossAll') => {
            const xs = mine.flatMap((r) => r[k]);
            return `median ${ms(q(xs, 0.5))} (quartiles ${ms(q(xs, 0.25))} - ${ms(q(xs, 0.75))}, min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))}, ${xs.length} recolours)`;
          };
          const rss = Math.max(...mine.map((r) => r.rendererMb)),
            gpu = Math.max(...mine.map((r) => r.gpuMb));
          console.log(
            `N=${n.toLocaleString('en-US')}${bundles.length > 1 ? ` bundle ${b}` : ''}, ${mine.length} runs: census -> colours set by label ${all('stylesAll')}, by loss ${all('lossAll')}; peak RSS renderer ${rss.toFixed(0)} MB, GPU process ${gpu.toFixed(0)} MB`,
          );
        }
    const first = rows.filter((r) => r.bundle === 0);
    if (sizes.length >= 2) {
      const [a, b] = [first.find((r) => r.n === sizes[0])!, first.find((r) => r.n === sizes.at(-1))!];
      console.log(
        `ratios ${b.n.toLocaleString('en-US')} / ${a.n.toLocaleString('en-US')}: zoom frame ${(b.frame50 / a.frame50).toFixed(2)}x (goal <= 4), colours ${(b.stylesMs / a.stylesMs).toFixed(2)}x, hover ${(b.hover50 / Math.max(a.hover50, 1e-3)).toFixed(2)}x`,
      );
    }
  } finally {
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
