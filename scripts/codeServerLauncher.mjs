#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests() on machines where desktop
// VS Code cannot be downloaded: it takes VS Code's command line (folder, --extensionDevelopmentPath,
// --extensionTestsPath), starts code-server (real VS Code server + a real Node extension host), opens
// the workbench in Debian's Chromium through playwright-core with the smoke-test-driver payload that
// makes the workbench run the tests, and exits with the extension host's test result (0 = passed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { startCodeServer } from './codeServer.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

function parseArgs(argv) {
  const out = { folders: [], devPaths: [], testsPath: undefined };
  for (const a of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) {
      if (m[1] === 'extensionDevelopmentPath') out.devPaths.push(path.resolve(m[2]));
      else if (m[1] === 'extensionTestsPath') out.testsPath = path.resolve(m[2]);
    } else if (!a.startsWith('--')) out.folders.push(path.resolve(a));
  }
  return out;
}

/** Rebuilds a console line from the browser's printf-style pieces ("%c INFO", css, fmt, ...args). */
async function consoleLine(msg) {
  const parts = [];
  for (const h of msg.args()) {
    try {
      parts.push(await h.jsonValue());
    } catch {
      parts.push('?');
    }
  }
  if (typeof parts[0] === 'string' && parts[0].includes('%c')) {
    // Drop the %c markers and their CSS arguments.
    const n = (parts[0].match(/%c/g) || []).length;
    parts[0] = parts[0].replace(/%c/g, '');
    parts.splice(1, n);
    // What is left is a tag ("INFO") followed by mocha's own format string and its arguments.
    if (parts.length > 1 && typeof parts[1] === 'string') return util.format(...parts.slice(1));
  }
  return util.format(...parts);
}

export async function launch(
  argv,
  { timeoutMs = Number(process.env.EI_TEST_TIMEOUT_MS || 15 * 60_000), verbose = !!process.env.EI_VERBOSE } = {},
) {
  const args = parseArgs(argv);
  if (!args.testsPath || args.devPaths.length === 0)
    throw new Error('launcher: --extensionTestsPath and --extensionDevelopmentPath are required');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-vscode-'));
  const server = await startCodeServer({ home, quiet: !verbose });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const exitCode = new Promise((resolve) =>
      page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))),
    );
    page.on('console', async (msg) => {
      const line = await consoleLine(msg);
      // Forward only what the tests print (mocha, our [ei] lines) and errors; the workbench is chatty.
      if (verbose || /\[ei\]|passing|failing|pending|✔|✓|\d+\) /.test(line))
        process.stdout.write(line.replace(/^\s*INFO\s*/, '') + '\n');
      else if (msg.type() === 'error' && /Extension Host|embedding/i.test(line)) process.stderr.write(line + '\n');
    });
    const auth = `127.0.0.1:${server.port}`;
    const payload = [
      ...args.devPaths.map((p) => ['extensionDevelopmentPath', `vscode-remote://${auth}${p}`]),
      ['extensionTestsPath', `vscode-remote://${auth}${args.testsPath}`],
    ];
    const folder = args.folders[0];
    const url = `${server.url}/?${folder ? `folder=${encodeURIComponent(folder)}&` : 'ew=true&'}payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));
    const code = await Promise.race([exitCode, timeout]);
    if (code === 'timeout') {
      process.stderr.write(`launcher: the tests did not finish within ${timeoutMs / 1000} s\n`);
      await page
        .screenshot({ path: path.join(process.cwd(), 'test-artifacts', 'integration-timeout.png') })
        .catch(() => {});
      return 1;
    }
    return code;
  } finally {
    await browser.close().catch(() => {});
    server.stop();
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 });
  }
}

launch(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`launcher: ${err?.stack || err}\n`);
    process.exit(1);
  },
);
