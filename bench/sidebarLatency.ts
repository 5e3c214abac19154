/**
 * UI latency of the sidebar's margin slider, measured in the REAL UI (`npm run bench:ui`).
 *
 * What: the target "moving the margin slider updates every count while dragging: at
 * N = 10 000 an update reaches the screen within 100 ms". Two scenarios on a synthetic dataset
 * (N x 128, 100 Gaussian classes):
 *   - step: 20 single ArrowRight presses on the slider, 700 ms apart (typed values); latency =
 *     input → first census at the margin that input produced, on screen. A second row measures the
 *     full (non-partial) recount, which the host runs once the slider pauses.
 *   - drag: 60 presses 16 ms apart (a 60 Hz drag). Censuses are coalesced, so only some margins
 *     get one: latency per census shown = on screen − the input that produced its margin; settle =
 *     last input → the census at the final margin on screen (and → its full recount).
 *   `fromTable`: censuses answered from the host's margin table; `local`: of those, the ones the
 *   sidebar answered itself (no round trip to the host).
 *   The projection's colours are measured alongside (rows "… (projection colours)"): input → the
 *   projection's frame drawing the census of that input's margin (`ei-census-shown`, times moved
 *   into the controls frame's clock through performance.timeOrigin).
 *   "On screen" is the first requestAnimationFrame after the controls' `ei-census-rendered` event;
 *   all times are the controls frame's performance.now() (see bench/ui/probe.ts). `engine` is the
 *   median of the censuses' elapsedMs (host + engine), so the rest (relay through code-server,
 *   rendering) is visible.
 *
 * How: code-server (scripts/codeServer.mjs) with the built extension unpacked into a temp home,
 * Debian's Chromium headless via playwright-core, "Inspect Embeddings" from the palette, the
 * sidebar opened from the activity bar; waits for the census and the UMAP drawing, then 3 s idle.
 * Browser, code-server and temp folders are always cleaned up (also on error and Ctrl-C).
 *
 * Run:  npm run bench:ui                       (builds, then node dist/bench/sidebarLatency.js)
 *       node dist/bench/sidebarLatency.js [--n 10000] [--json out.json] [--keys] [--verbose]
 *   --keys     press the keys through Playwright (trusted browser input; timing less regular)
 *              instead of dispatching the slider's keydown inside the frame on a precise schedule
 *   --verbose  code-server's output and the browser console
 *   --no-table-wait  measure at once, without waiting for the host's margin table (recounts only
 *              until it is built; by default the bench waits until a slider position is answered
 *              from it, as after a few seconds of use)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findWebview, hook, runCommand, until, waitForWorkbench } from '../test/e2e/workbench';
import { Cleanup, installBuiltExtension, openBrowser, startServer, tempDir, writeDataset } from './ui/environment';
import {
  clearProbe,
  clearProjectionProbe,
  installProbe,
  installProjectionProbe,
  pressInFrame,
  pressKey,
  readProbe,
  readProjectionProbe,
  sliderState,
  type ProbeLog,
  type ShownRecord,
} from './ui/probe';
import { formatRow, headerRow } from './ui/stats';
import {
  dragScenario,
  projectionScenario,
  sameMargin,
  stepScenario,
  TARGET_MS,
  type ScenarioLog,
  type ScenarioResult,
} from './ui/latencyScenarios';

const DIM = 128;
const CLASSES = 100;
const STEP = { presses: 20, intervalMs: 700 };
const DRAG = { presses: 60, intervalMs: 16 };
const SLIDER = '[data-testid=margin-slider]';

interface Options {
  n: number;
  json?: string;
  keys: boolean;
  verbose: boolean;
  tableWait: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const n = Number(value('--n') ?? 10_000);
  if (!Number.isInteger(n) || n < CLASSES * 2) throw new Error(`--n must be an integer >= ${CLASSES * 2}`);
  return {
    n,
    json: value('--json'),
    keys: argv.includes('--keys'),
    verbose: argv.includes('--verbose'),
    tableWait: !argv.includes('--no-table-wait'),
  };
}

const t0 = Date.now();
const log = (m: string) => process.stdout.write(`  [${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- setting up the UI

/** F1 → Inspect Embeddings; if a quick pick asks (dataset, labels), takes the folder's option. */
async function inspect(page: Page): Promise<void> {
  await runCommand(page, 'Inspect Embeddings');
  const options = page.locator('.quick-input-widget [role=option]');
  const end = Date.now() + 5_000;
  while (Date.now() < end) {
    if (await page.locator('.quick-input-widget input.input').isVisible()) {
      const texts = await options.allInnerTexts();
      if (texts.length && !texts.some((t) => /Inspect Embeddings/.test(t))) {
        const k = Math.max(
          0,
          texts.findIndex((t) => /embeddings|labels/i.test(t)),
        );
        log(`quick pick: ${JSON.stringify(texts.map((t) => t.split('\n')[0]))} → ${texts[k].split('\n')[0]}`);
        await options.nth(k).click();
      }
    }
    await sleep(250);
  }
}

/** The activity bar's "Embedding Inspector" → the controls webview frame. */
async function openSidebar(page: Page): Promise<Frame> {
  const item = page.locator('.activitybar [aria-label^="Embedding Inspector"]').first();
  if (await item.count()) await item.click();
  else await runCommand(page, 'Embedding Inspector: Focus on Controls View');
  return findWebview(page, 'controls', 60_000);
}

/** Waits for the first census in the sidebar and the UMAP projection drawing all N points. */
async function waitUntilReady(page: Page, controls: Frame, n: number): Promise<Frame> {
  const margin = await until(
    'the first census in the sidebar',
    () => hook<number | undefined>(controls, 'lastCensusMargin').then((m) => m !== undefined && { m }),
    240_000,
    500,
  );
  log(`census shown at margin ${margin.m}`);
  const projection = await until(
    `the projection to draw ${n} points`,
    async () => {
      const f = await findWebview(page, 'projection', 5_000).catch(() => undefined);
      return f && (await hook<number>(f, 'pointsDrawn').catch(() => -1)) === n && f;
    },
    240_000,
    500,
  );
  log(`projection drew ${n} points`);
  return projection;
}

/**
 * Waits until the host answers slider positions from its margin table (built in the background
 * after the index): moves the slider one step and back every 2 s until a census comes from it.
 * Returns the seconds waited, or NaN when it never came (`--no-table-wait` skips this).
 */
async function waitForTable(controls: Frame, ms = 180_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    await clearProbe(controls);
    await pressKey(controls, 'ArrowRight');
    await sleep(1_000);
    const p = await readProbe(controls);
    await pressKey(controls, 'ArrowLeft');
    if (p.renders.some((r) => r.fromTable)) {
      await sleep(1_000);
      return (Date.now() - start) / 1000;
    }
    await sleep(1_000);
  }
  return NaN;
}

// ---------------------------------------------------------------- driving the slider

/** Presses ArrowRight `count` times `intervalMs` apart: in the frame, or through Playwright (--keys). */
async function press(page: Page, controls: Frame, count: number, intervalMs: number, keys: boolean): Promise<void> {
  if (!keys) {
    await pressInFrame(controls, count, intervalMs);
    return;
  }
  await controls.locator(SLIDER).focus();
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    await sleep(Math.max(0, start + i * intervalMs - Date.now()));
    await page.keyboard.press('ArrowRight');
  }
}

/**
 * Waits until the screen has caught up: the last input's margin rendered, every render painted,
 * and no new census for 2 s (so the full recount after the pause is caught too).
 */
async function settled(controls: Frame): Promise<ProbeLog> {
  return until(
    'the sidebar to settle after the inputs',
    async () => {
      const p = await readProbe(controls);
      const last = p.inputs[p.inputs.length - 1];
      const lastRender = p.renders[p.renders.length - 1];
      const caughtUp = !!last && p.renders.some((r) => sameMargin(r.margin, last.margin) && r.tRendered >= last.t);
      const quiet =
        !!lastRender && p.now - lastRender.tRendered > 2_000 && p.renders.every((r) => r.tScreen !== undefined);
      return caughtUp && quiet && p;
    },
    60_000,
    250,
  );
}

/** Runs one scenario from the slider's current position and returns what the probes recorded. */
async function runScenario(
  page: Page,
  controls: Frame,
  projection: Frame,
  presses: number,
  intervalMs: number,
  keys: boolean,
): Promise<ScenarioLog> {
  await clearProbe(controls);
  await clearProjectionProbe(projection);
  await press(page, controls, presses, intervalMs, keys);
  const p = await settled(controls);
  if (p.inputs.length !== presses)
    throw new Error(`expected ${presses} slider inputs, the probe saw ${p.inputs.length}`);
  const last = p.inputs[p.inputs.length - 1];
  // The projection's full census at the final margin, drawn (it follows the sidebar's).
  const shown = await until(
    'the projection to show the final margin',
    async () => {
      const s = await readProjectionProbe(projection, p.origin);
      return s.some((r) => !r.partial && sameMargin(r.margin, last.margin) && r.tScreen !== undefined) && s;
    },
    30_000,
    250,
  );
  return { p, shown };
}

// ---------------------------------------------------------------- main

async function main(opts: Options, cleanup: Cleanup): Promise<void> {
  log(
    `N=${opts.n}, D=${DIM}, ${CLASSES} classes; target ${TARGET_MS} ms; input by ${opts.keys ? 'Playwright key presses' : 'keydown dispatched in the frame'}`,
  );
  const ws = tempDir('ei-bench-ws-', cleanup);
  writeDataset(ws, opts.n, DIM, CLASSES);
  const home = tempDir('ei-bench-home-', cleanup);
  installBuiltExtension(home);
  const server = await startServer(home, cleanup, opts.verbose);
  log(`code-server ${server.url}, workspace ${ws}`);
  const { page } = await openBrowser(cleanup, opts.verbose);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}`);
  await waitForWorkbench(page);
  log('workbench shown');
  await inspect(page);
  log('"Inspect Embeddings" run');
  const controls = await openSidebar(page);
  log('sidebar open');
  const projection = await waitUntilReady(page, controls, opts.n);
  await sleep(3_000);

  await installProbe(controls);
  await installProjectionProbe(projection);
  if (opts.tableWait) {
    const waited = await waitForTable(controls);
    log(
      Number.isFinite(waited)
        ? `margin table answering after ${waited.toFixed(1)} s more`
        : 'the margin table never answered: measuring recounts',
    );
  }
  const s0 = await sliderState(controls);
  log(`slider at position ${s0.position}/${s0.max}, margin ${s0.margin}`);
  if (s0.position + STEP.presses + DRAG.presses > s0.max)
    throw new Error(`the slider has only ${s0.max - s0.position} steps left; ${STEP.presses + DRAG.presses} needed`);

  const step = await runScenario(page, controls, projection, STEP.presses, STEP.intervalMs, opts.keys);
  const stepLog = step.p;
  log(
    `step: margins ${stepLog.inputs[0].margin} … ${stepLog.inputs[stepLog.inputs.length - 1].margin}, ${stepLog.renders.length} censuses rendered, ${step.shown.length} drawn in the projection`,
  );
  await sleep(1_000);
  const drag = await runScenario(page, controls, projection, DRAG.presses, DRAG.intervalMs, opts.keys);
  const dragLog = drag.p;
  log(
    `drag: margins ${dragLog.inputs[0].margin} … ${dragLog.inputs[dragLog.inputs.length - 1].margin}, ${dragLog.renders.length} censuses rendered, ${drag.shown.length} drawn in the projection`,
  );

  const results = [
    ...stepScenario(stepLog),
    ...dragScenario(dragLog),
    ...projectionScenario('step (projection colours)', step),
    ...projectionScenario('drag (projection colours)', drag),
  ];
  report(opts, results, { step: stepLog, drag: dragLog, stepProjection: step.shown, dragProjection: drag.shown });
}

function report(
  opts: Options,
  results: ScenarioResult[],
  raw: { step: ProbeLog; drag: ProbeLog; stepProjection: ShownRecord[]; dragProjection: ShownRecord[] },
): void {
  console.log(
    `\nSidebar margin latency, real UI (code-server + Chromium): N=${opts.n}, D=${DIM}, ${CLASSES} classes, target ${TARGET_MS} ms`,
  );
  console.log('input → census on screen (ms); engine = median host+engine elapsedMs of those censuses;');
  console.log('renderMs / paintMs / relayMs = medians of webview render, wait for the next frame, and the rest');
  console.log(
    '(webview ↔ code-server ↔ extension host, queueing); fullMidDrag = full recounts run for a mid-drag margin\n',
  );
  console.log(headerRow());
  for (const r of results)
    console.log(
      formatRow(r.name, r.summary) +
        '   ' +
        Object.entries(r.extra)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
    );
  const summary = {
    bench: 'sidebarLatency',
    n: opts.n,
    dim: DIM,
    classes: CLASSES,
    targetMs: TARGET_MS,
    input: opts.keys ? 'keys' : 'dispatch',
    ...Object.fromEntries(
      results.map((r) => [r.name.replace(/[^a-z]+/gi, '_').replace(/_+$/, ''), { ...r.summary, ...r.extra }]),
    ),
  };
  console.log('\n' + JSON.stringify(summary));
  if (opts.json) {
    fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
    fs.writeFileSync(opts.json, JSON.stringify({ summary, raw }, null, 2));
    console.log(`wrote ${opts.json}`);
  }
}

function start(): void {
  const cleanup = new Cleanup();
  process.on('exit', () => cleanup.runSync());
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\ninterrupted by ${sig}: cleaning up`);
      const force = setTimeout(() => process.exit(130), 15_000);
      void cleanup.run().finally(() => {
        clearTimeout(force);
        process.exit(130);
      });
    });
  }
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  main(opts, cleanup)
    .then(
      () => 0,
      (e) => {
        console.error(`bench:ui failed: ${(e as Error)?.stack ?? e}`);
        return 1;
      },
    )
    .then(async (code) => {
      await cleanup.run();
      if (!interrupted) process.exit(code);
    });
}

start();
