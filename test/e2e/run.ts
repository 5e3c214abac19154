/**
 * End-to-end tests as a user: the packaged .vsix installed in code-server (real VS Code server and
 * extension host), the workbench in Debian's Chromium driven by playwright-core, on a scratch copy
 * of samples/mnist plus a malformed dataset. Ordered steps (steps.ts); a step whose prerequisite
 * failed is recorded as failed ("skipped: …"). Screenshots go to test-artifacts/e2e/NN-step.png.
 *
 *   node dist/test/e2e/run.js [--grep PATTERN]      (npm test runs it after packaging)
 * It packages the extension itself when dist-vsix/embedding-inspector.vsix is missing or older than
 * the sources, and installs a private copy of it; EI_E2E_VSIX=file.vsix tests that package instead.
 * Results: `EI_E2E_RESULTS` (default test-artifacts/e2e-results.json) gets
 * `{"records":[{"title","state":"passed"|"failed","error"?,"ms"}]}`; exit 1 on any failure.
 * EI_VERBOSE=1 prints code-server's output and the browser console.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { E2E_RENDERER, makeWorkspace, privateVsix, readSampleImages, root, sampleTarget } from './fixtures';
import { steps as baseSteps, type E2eContext } from './steps';
import { malformedSteps } from './malformedSteps';
import { logdirSteps } from './logdirSteps';
import { pictureSteps } from './pictureSteps';
import { scaleSteps } from './scaleSteps';
import { waitForWorkbench } from './workbench';
import chromiumFlags from '../../scripts/chromium.json';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
  ms?: number;
}
interface CodeServer {
  url: string;
  stop(): void;
}
interface CodeServerModule {
  ensureCodeServer(): unknown;
  startCodeServer(o: { home: string; quiet?: boolean }): Promise<CodeServer>;
  installVsix(vsix: string, o: { home: string }): void;
}

/** Debian's Chromium and its flags, as every script here starts it (scripts/chromium.json). */
const CHROMIUM_ARGS =
  E2E_RENDERER === 'webgpu'
    ? [...chromiumFlags.args.filter((a) => a !== '--disable-gpu'), ...chromiumFlags.webgpuArgs]
    : chromiumFlags.args;
const STEP_TIMEOUT_MS = 180_000;
const steps = [...baseSteps, ...malformedSteps, ...logdirSteps, ...pictureSteps, ...scaleSteps];
const SETUP_TITLE = 'the packaged extension installs and the workbench opens the sample workspace';

const argv = process.argv.slice(2);
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? new RegExp(argv[grepAt + 1] ?? '', 'i') : undefined;
const verbose = !!process.env.EI_VERBOSE;
const artifacts = path.join(root, 'test-artifacts', 'e2e');
const resultsFile = process.env.EI_E2E_RESULTS || path.join(root, 'test-artifacts', 'e2e-results.json');
const records: TestRecord[] = [];
const cleanups: (() => void | Promise<void>)[] = [];

const log = (m: string) => process.stdout.write(`    ${m}\n`);
const wanted = (title: string) => !grep || grep.test(title);
const shotPath = (() => {
  let k = 0;
  return (name: string) => path.join(artifacts, `${String(++k).padStart(2, '0')}-${name}.png`);
})();

function record(r: TestRecord): void {
  records.push(r);
  console.log(
    `  ${r.state === 'passed' ? '✔' : '✘'} ${r.title}${r.ms !== undefined ? ` (${(r.ms / 1000).toFixed(1)} s)` : ''}`,
  );
  if (r.error)
    console.log(
      r.error
        .split('\n')
        .slice(0, 8)
        .map((l) => '      ' + l)
        .join('\n'),
    );
}

function writeResults(): void {
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify({ records }, null, 2));
}

let cleaning: Promise<void> | undefined;
/** Undoes the setup, newest first; once, however many paths (end, failure, signal) ask. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length)
      await Promise.resolve()
        .then(cleanups.pop()!)
        .catch(() => undefined);
  })();
  return cleaning;
}
/** Synchronous last resort on exit: code-server runs in its own process group and would outlive us. */
let stopServer: (() => void) | undefined;
const scratch: string[] = [];
process.on('exit', () => {
  stopServer?.();
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const t0 = Date.now();
const phase = (what: string) => log(`${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

/**
 * The slow, bounded-by-npm part, outside the setup timeout: the package and, on a fresh clone,
 * code-server itself (about 3.5 minutes once, cached in .vscode-test/).
 */
async function prepare(): Promise<{ vsix: string; cs: CodeServerModule }> {
  // EI_E2E_VSIX: test another package (e.g. one built from a deliberately broken copy).
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ei-e2e-vsix-')), 'embedding-inspector.vsix');
  scratch.push(path.dirname(copy));
  cleanups.push(() => fs.rmSync(path.dirname(copy), { recursive: true, force: true }));
  const vsix = process.env.EI_E2E_VSIX ? path.resolve(process.env.EI_E2E_VSIX) : await privateVsix(copy, log);
  phase(`package ${vsix}`);
  const cs = (await import(pathToFileURL(path.join(root, 'scripts', 'codeServer.mjs')).href)) as CodeServerModule;
  cs.ensureCodeServer();
  return { vsix, cs };
}

/** Writes a line in the artifacts' console.log, with the run's clock (set once the browser is up). */
let noteLine: (line: string) => void = () => undefined;

/** Installs the .vsix into a scratch home, starts code-server and the browser, opens the workspace. */
async function setUp({ vsix, cs }: { vsix: string; cs: CodeServerModule }): Promise<E2eContext> {
  const ws = makeWorkspace();
  if (E2E_RENDERER === 'webgpu') {
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, '.vscode', 'settings.json'),
      JSON.stringify({ 'embeddingInspector.projection.renderer': 'webgpu' }),
    );
  }
  scratch.push(ws);
  cleanups.push(() => fs.rmSync(ws, { recursive: true, force: true }));
  const images = readSampleImages(ws);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-e2e-home-'));
  scratch.push(home);
  cleanups.push(() => fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 }));
  cs.installVsix(vsix, { home });
  phase('installed');
  const server = await cs.startCodeServer({ home, quiet: !verbose });
  stopServer = () => server.stop();
  cleanups.push(() => server.stop());
  phase('code-server up');
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || chromiumFlags.path,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleLog = fs.createWriteStream(path.join(artifacts, 'console.log'));
  cleanups.push(() => new Promise<void>((r) => consoleLog.end(r)));
  const consoleLines: string[] = [];
  const note = (noteLine = (line: string) => {
    consoleLines.push(line);
    consoleLog.write(`${((Date.now() - t0) / 1000).toFixed(1)} ${line}\n`);
    if (verbose) process.stdout.write(line + '\n');
  });
  page.on('console', (msg) => note(`[${msg.type()}] ${msg.text()}`));
  // What a blank webview leaves behind: its resources refused (code-server's service worker answers
  // 408 when the workbench never replies) or failed.
  page.on('response', (r) => {
    if (r.status() >= 400)
      note(
        `[http ${r.status()}${r.fromServiceWorker() ? ' from service worker' : ''}] ${r.request().method()} ${r.url()}`,
      );
  });
  // The webviews' frames (code-server's pre/index.html, then the page in pre/fake.html) and their resources, in order.
  const webviewish = (u: string) => u.includes('/webview/browser/pre/') || u.includes('vscode-resource');
  page.on('framenavigated', (f) => webviewish(f.url()) && note(`[frame] ${f.url().slice(0, 400)}`));
  page.on('requestfinished', (r) => webviewish(r.url()) && note(`[loaded] ${r.url().slice(0, 300)}`));
  page.on('requestfailed', (r) => note(`[request failed: ${r.failure()?.errorText}] ${r.method()} ${r.url()}`));
  log(`workspace ${ws}, ${images.length} samples, code-server ${server.url}`);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}`);
  await waitForWorkbench(page);
  // A fresh user-data folder: the workbench scans and starts its extensions for a while after it
  // shows; the first webview opened in that time sometimes never loaded here (408 on its resources).
  await new Promise((r) => setTimeout(r, 10_000));
  phase('workbench shown');
  return { page, ws, images, target: sampleTarget(ws), log, shotPath, console: consoleLines };
}

async function main(): Promise<void> {
  const last = steps.reduce((k, s, i) => (wanted(s.title) ? i : k), -1);
  if (last < 0 && !wanted(SETUP_TITLE)) {
    console.log(`  no end-to-end test matches ${grep}`);
    return;
  }
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  let ctx: E2eContext;
  try {
    ctx = await withTimeout(setUp(await prepare()), 150_000, 'setting up');
    await ctx.page.screenshot({ path: shotPath('workbench') });
    if (wanted(SETUP_TITLE)) record({ title: SETUP_TITLE, state: 'passed', ms: Date.now() - t0 });
  } catch (e) {
    record({ title: SETUP_TITLE, state: 'failed', error: String((e as Error)?.stack ?? e), ms: Date.now() - t0 });
    for (const s of steps.slice(0, last + 1))
      if (wanted(s.title)) record({ title: s.title, state: 'failed', error: 'skipped: setting up failed' });
    return;
  }
  let broken: string | undefined;
  for (const s of steps.slice(0, last + 1)) {
    if (broken) {
      if (wanted(s.title))
        record({ title: s.title, state: 'failed', error: `skipped: previous step failed (${broken})` });
      continue;
    }
    const t = Date.now();
    noteLine(`[step] ${s.title}`);
    let error: string | undefined;
    try {
      await withTimeout(s.run(ctx), s.timeoutMs ?? STEP_TIMEOUT_MS, s.title);
    } catch (e) {
      error = String((e as Error)?.stack ?? e);
      broken = s.title;
    }
    await ctx.page.screenshot({ path: shotPath(s.shot + (error ? '-FAILED' : '')) }).catch(() => undefined);
    if (wanted(s.title)) record({ title: s.title, state: error ? 'failed' : 'passed', error, ms: Date.now() - t });
    else if (error) record({ title: `${s.title} (prerequisite)`, state: 'failed', error, ms: Date.now() - t });
  }
}

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (exiting) return;
    exiting = true;
    record({ title: 'end-to-end run', state: 'failed', error: `interrupted by ${sig}` });
    writeResults();
    stopServer?.();
    void withTimeout(cleanup(), 15_000, 'cleaning up').finally(() => process.exit(130));
  });
}

console.log('end-to-end: packaged extension in code-server + Chromium');
main()
  .catch((e) => record({ title: 'end-to-end runner', state: 'failed', error: String((e as Error)?.stack ?? e) }))
  .finally(async () => {
    await cleanup();
    if (exiting) return; // the signal handler reports and exits
    writeResults();
    const failed = records.filter((r) => r.state === 'failed').length;
    console.log(
      `  e2e: ${records.length - failed} passed, ${failed} failed; screenshots in ${path.relative(root, artifacts)}/`,
    );
    process.exit(failed ? 1 : 0);
  });
