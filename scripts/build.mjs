// One esbuild script, one build per entry point (see STYLE.md): the extension host, the analysis
// worker, the CLI, each webview, the tests and the benchmarks. Output goes to dist/ only.
// Entries whose source does not exist yet are skipped, so the tree can grow module by module.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = path.join(root, 'dist');

/** Every file under dir (relative to root) whose name matches re. */
function walk(dir, re, out = []) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return out;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) walk(rel, re, out);
    else if (re.test(e.name)) out.push(rel);
  }
  return out;
}
const exists = (p) => fs.existsSync(path.join(root, p));

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  // tfjs-node is optional: loaded at run time when installed, never bundled.
  external: ['vscode', 'mocha', '@tensorflow/tfjs-node', 'playwright-core', '@vscode/test-electron'],
  logLevel: 'warning',
  absWorkingDir: root,
};
const browserCommon = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome114',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = [];
const node = (entry, outfile) =>
  exists(entry) && builds.push({ ...nodeCommon, entryPoints: [entry], outfile: path.join(dist, outfile) });
node('src/extension.ts', 'extension.js');
node('src/worker/analysisWorker.ts', 'worker.js');
node('src/projection/projectionWorker.ts', 'projectionWorker.js');
node('src/worker/searchWorker.ts', 'searchWorker.js');
node('src/worker/loadWorker.ts', 'loadWorker.js');
node('src/cli.ts', 'cli.js');
for (const name of ['projection', 'controls']) {
  const entry = `webview/${name}/main.ts`;
  if (exists(entry))
    builds.push({ ...browserCommon, entryPoints: [entry], outfile: path.join(dist, 'webview', `${name}.js`) });
}
if (!production) {
  const tests = [
    ...walk('test/unit', /\.test\.ts$/),
    ...walk('test/webview', /\.test\.ts$/),
    ...walk('test/integration', /\.ts$/),
    ...walk('test/e2e', /\.ts$/),
    ...walk('bench', /\.ts$/),
  ];
  // Mocha loads every test bundle into one process (and the bench its modules): with tfjs bundled
  // into each, the first bundle's wasm backend wins the global registry and the others' wasm path
  // is never applied, so the wasm kernel silently failed to start in the unit tests. One shared
  // tfjs from node_modules instead (except the sample generator's test, which needs tfjs-core's
  // ESM-only gradient registration bundled).
  const shared = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'];
  // A deleted or renamed test must not keep running from an old bundle.
  fs.rmSync(path.join(dist, 'test'), { recursive: true, force: true });
  for (const t of tests) {
    const out = t.replace(/\.ts$/, '.js');
    const external = t.includes(`${path.sep}sample${path.sep}`)
      ? nodeCommon.external
      : [...nodeCommon.external, ...shared];
    builds.push({ ...nodeCommon, external, entryPoints: [t], outfile: path.join(dist, out) });
  }
}

/** The tfjs wasm backend's binaries ship beside the bundles (setWasmPaths points at dist/wasm/). */
function copyWasm() {
  const src = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  if (!fs.existsSync(src)) return;
  fs.mkdirSync(path.join(dist, 'wasm'), { recursive: true });
  for (const f of fs.readdirSync(src))
    if (f.endsWith('.wasm')) fs.copyFileSync(path.join(src, f), path.join(dist, 'wasm', f));
}

fs.mkdirSync(dist, { recursive: true });
copyWasm();
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log(`watching ${builds.length} entry points…`);
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.length} entry points in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
