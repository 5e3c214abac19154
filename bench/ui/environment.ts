/**
 * The real UI for the latency bench: a temp workspace with a synthetic .npy dataset, code-server
 * (scripts/codeServer.mjs) with the built extension unpacked into a fresh temp home (as
 * scripts/start.mjs does, no packaging), and Debian's Chromium through playwright-core. Everything
 * it starts or creates is registered with a {@link Cleanup}, undone newest first. No main.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeNpy } from '../../test/e2e/fixtures';
import { gaussianClasses } from '../data';
import chromiumFlags from '../../scripts/chromium.json';

/** The repository root (this file is bundled into dist/bench/). */
export const root = path.resolve(__dirname, '..', '..');

/** Debian's Chromium and its flags, as every script here starts it (scripts/chromium.json). */
const CHROMIUM_ARGS = chromiumFlags.args;

/** Undo steps, run newest first, once, whichever path (end, error, signal) asks first. */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  private readonly syncSteps: (() => void)[] = [];
  private running: Promise<void> | undefined;

  /** Registers an async undo step; `sync` is the last-resort version for process exit. */
  add(step: () => unknown, sync?: () => void): void {
    this.steps.push(step);
    if (sync) this.syncSteps.push(sync);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length)
        await Promise.resolve()
          .then(this.steps.pop()!)
          .catch(() => undefined);
    })();
    return this.running;
  }

  /** Synchronous leftovers on `process.on('exit')`: code-server's process group, temp folders. */
  runSync(): void {
    while (this.syncSteps.length) {
      try {
        this.syncSteps.pop()!();
      } catch {
        /* best effort */
      }
    }
  }
}

/** A temp folder removed by the cleanup. */
export function tempDir(prefix: string, cleanup: Cleanup): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const rm = () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  cleanup.add(rm, rm);
  return dir;
}

/** Writes embeddings.npy (float32 [n, dim]) and labels.npy (int32 [n]) of Gaussian classes into `ws`. */
export function writeDataset(ws: string, n: number, dim: number, classes: number): void {
  const d = gaussianClasses(n, dim, classes);
  writeNpy(
    path.join(ws, 'embeddings.npy'),
    '<f4',
    [n, dim],
    new Uint8Array(d.embeddings.buffer, d.embeddings.byteOffset, d.embeddings.byteLength),
  );
  const labels = Int32Array.from(d.labels);
  writeNpy(path.join(ws, 'labels.npy'), '<i4', [n], new Uint8Array(labels.buffer));
}

/**
 * Unpacks the built extension (package.json, dist, media) of the checkout at `from` (this one by default) into
 * `<home>/extensions/<publisher>.<name>-<version>`.
 */
export function installBuiltExtension(home: string, from = root): string {
  if (!fs.existsSync(path.join(from, 'dist', 'extension.js')))
    throw new Error('dist/extension.js is missing: run node scripts/build.mjs first');
  const pkg = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  const extDir = path.join(home, 'extensions', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  fs.mkdirSync(extDir, { recursive: true });
  for (const f of ['package.json', 'README.md', 'dist', 'media']) {
    const src = path.join(from, f);
    // Not the tests' and benches' bundles, nor source maps: what a .vsix would hold.
    const skip = [
      `${path.sep}dist${path.sep}test`,
      `${path.sep}dist${path.sep}bench`,
      `${path.sep}dist${path.sep}scripts`,
    ];
    if (fs.existsSync(src))
      fs.cpSync(src, path.join(extDir, f), {
        recursive: true,
        filter: (p) => !skip.some((s) => p.includes(s)) && !p.endsWith('.map'),
      });
  }
  return extDir;
}

interface CodeServer {
  url: string;
  stop(): void;
  child: { on(e: 'exit', f: (code: number | null) => void): void };
}
interface CodeServerModule {
  startCodeServer(o: { home: string; quiet?: boolean }): Promise<CodeServer>;
}

/** Starts code-server on a free port with `home` (extensions already unpacked there). */
export async function startServer(home: string, cleanup: Cleanup, verbose: boolean): Promise<CodeServer> {
  // Loaded at run time (an .mjs beside the sources, not bundled), as test/e2e/run.ts does.
  const cs = (await import(pathToFileURL(path.join(root, 'scripts', 'codeServer.mjs')).href)) as CodeServerModule;
  const server = await cs.startCodeServer({ home, quiet: !verbose });
  cleanup.add(
    () => server.stop(),
    () => server.stop(),
  );
  return server;
}

/** Headless Chromium with a 1400x900 page; the browser console goes to stdout when `verbose`. */
export async function openBrowser(cleanup: Cleanup, verbose: boolean): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || chromiumFlags.path,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  cleanup.add(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (verbose) page.on('console', (m) => process.stdout.write(`[browser ${m.type()}] ${m.text()}\n`));
  return { browser, page };
}
