/**
 * Debian's Chromium on a local page holding the renderers' pixel harness
 * (test/webview/harness/pixelPage.ts, bundled here with esbuild), for the shaders' pixel tests.
 * `webgpu` adds the flags under which this machine's Chromium offers a WebGPU adapter (SwiftShader's,
 * a software one); the page is served from http://127.0.0.1, a secure context, as WebGPU requires.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import chromiumFlags from '../../scripts/chromium.json';
import { repoRoot } from './repoRoot';

export const CHROMIUM = '/usr/bin/chromium';
/** The flags under which this machine's Chromium has a working WebGPU adapter (SwiftShader's; see the note there). */
export const WEBGPU_FLAGS: string[] = chromiumFlags.webgpuArgs;

export interface PixelBrowser {
  page: Page;
  close(): Promise<void>;
}

/** The harness page in a fresh browser (`extra`: more flags); null when Chromium is not installed. */
export async function openPixelPage(webgpu: boolean, extra: string[] = []): Promise<PixelBrowser | null> {
  if (!fs.existsSync(CHROMIUM)) return null;
  // The page's bundle, built here (esbuild is a dev dependency; not bundled into this test).
  const esbuild = createRequire(__filename)('esbuild') as typeof import('esbuild');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ei-pixels-')), 'page.js');
  await esbuild.build({
    entryPoints: [path.join(repoRoot(), 'test/webview/harness/pixelPage.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome114',
    outfile: out,
    logLevel: 'warning',
  });
  const js = fs.readFileSync(out);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const server = http.createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><body style="margin:0"><script src="/page.js"></script></body>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--no-first-run', '--disable-component-update', ...(webgpu ? WEBGPU_FLAGS : []), ...extra],
    });
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.waitForFunction(() => 'renderPixels' in globalThis);
    const b = browser;
    return {
      page,
      close: async () => {
        await b.close();
        server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
}
