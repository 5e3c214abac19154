// `npm test`: build, type-check, then every suite — unit (plain mocha in Node), integration (mocha
// inside a real VS Code extension host, launched through @vscode/test-electron's runTests) and
// end-to-end (the packaged extension driven in a real browser) — and end with one line
// `N passed, N failed`. Without --only, the type checks and the linters run too. Exit code non-zero when anything failed.
//   --only unit|integration|e2e   run one suite     --grep PATTERN   filter tests by title
// On a machine with internet, EI_VSCODE=desktop runs the integration suite in downloaded desktop
// VS Code instead of code-server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = opt('--only');
const grep = opt('--grep');
const wants = (suite) => !only || only === suite;
const totals = { passed: 0, failed: 0 };
const failures = [];

function step(name, cmd, args) {
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) totals.passed++;
  else {
    totals.failed++;
    failures.push(`${name} (exit ${r.status})`);
  }
  return r.status === 0;
}

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

async function unit() {
  console.log('\n=== unit tests (mocha, Node)');
  const Mocha = require('mocha');
  // Each test bundle carries its own tfjs; they share one global kernel registry, so every bundle
  // after the first re-registers the same kernels and tfjs warns once per kernel. Benign: hush it.
  const warn = console.warn;
  console.warn = (...a) => {
    if (!/already registered|Platform node has already been set/.test(String(a[0]))) warn(...a);
  };
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 60_000 });
  if (grep) mocha.grep(grep);
  const files = [...walk(path.join(root, 'dist', 'test', 'unit')), ...walk(path.join(root, 'dist', 'test', 'webview'))];
  files.forEach((f) => mocha.addFile(f));
  await new Promise((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => totals.passed++);
    runner.on('fail', (t) => {
      totals.failed++;
      failures.push(`unit: ${t.fullTitle()}`);
    });
  });
}

async function integration() {
  console.log('\n=== integration tests (mocha inside a real VS Code extension host)');
  const { runTests } = require('@vscode/test-electron');
  const testsPath = path.join(root, 'dist', 'test', 'integration', 'index.js');
  const resultsFile = path.join(root, 'dist', 'test', 'integration', 'results.json');
  fs.rmSync(resultsFile, { force: true });
  // A copy of the fixture workspace: the tests change workspace settings and must not touch git's files.
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-workspace-'));
  fs.cpSync(path.join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  const desktop = process.env.EI_VSCODE === 'desktop';
  let code = 0;
  try {
    await runTests({
      ...(desktop ? {} : { vscodeExecutablePath: path.join(root, 'scripts', 'codeServerLauncher.mjs') }),
      extensionDevelopmentPath: root,
      extensionTestsPath: testsPath,
      launchArgs: [workspace, '--disable-extensions'],
      extensionTestsEnv: { EI_TEST_RESULTS: resultsFile, ...(grep ? { EI_TEST_GREP: grep } : {}) },
    });
  } catch (e) {
    code = e?.code ?? 1;
  }
  fs.rmSync(workspace, { recursive: true, force: true });
  let records = [];
  try {
    records = JSON.parse(fs.readFileSync(resultsFile, 'utf8')).records;
  } catch {
    /* no results: counted below */
  }
  for (const r of records) {
    console.log(`  ${r.state === 'passed' ? '✔' : '✘'} ${r.title}${r.ms ? ` (${r.ms} ms)` : ''}`);
    if (r.state === 'failed')
      console.log(
        r.error
          .split('\n')
          .slice(0, 8)
          .map((l) => '      ' + l)
          .join('\n'),
      );
  }
  const passed = records.filter((r) => r.state === 'passed').length;
  const failed = records.filter((r) => r.state === 'failed').length;
  totals.passed += passed;
  totals.failed += failed;
  records.filter((r) => r.state === 'failed').forEach((r) => failures.push(`integration: ${r.title}`));
  if ((records.length === 0 && !(grep && code === 0)) || (code !== 0 && failed === 0)) {
    totals.failed++;
    failures.push(`integration: the suite did not run to completion (exit ${code}, ${records.length} results)`);
  }
}

async function e2e() {
  const entry = path.join(root, 'dist', 'test', 'e2e', 'run.js');
  if (!fs.existsSync(entry)) return;
  console.log('\n=== end-to-end tests (packaged extension, code-server, Chromium)');
  const resultsFile = path.join(root, 'test-artifacts', 'e2e-results.json');
  fs.rmSync(resultsFile, { force: true });
  const r = spawnSync(process.execPath, [entry, ...(grep ? ['--grep', grep] : [])], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, EI_E2E_RESULTS: resultsFile },
  });
  let records = [];
  try {
    records = JSON.parse(fs.readFileSync(resultsFile, 'utf8')).records;
  } catch {
    /* counted below */
  }
  for (const rec of records) {
    if (rec.state === 'passed') totals.passed++;
    else {
      totals.failed++;
      failures.push(`e2e: ${rec.title}`);
    }
  }
  if (
    (records.length === 0 && !(grep && r.status === 0)) ||
    (r.status !== 0 && !records.some((x) => x.state === 'failed'))
  ) {
    totals.failed++;
    failures.push(`e2e: the suite did not run to completion (exit ${r.status})`);
  }
}

const t0 = Date.now();
if (!step('build', process.execPath, [path.join(root, 'scripts', 'build.mjs')])) {
  console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
  process.exit(1);
}
if (!only) {
  step('type-check (extension host)', process.execPath, [
    require.resolve('typescript/bin/tsc'),
    '--noEmit',
    '-p',
    root,
  ]);
  step('type-check (webviews)', process.execPath, [
    require.resolve('typescript/bin/tsc'),
    '--noEmit',
    '-p',
    path.join(root, 'webview'),
  ]);
  step('lint (eslint: typescript-eslint and the layer rules)', process.execPath, [
    path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js'),
    '--max-warnings',
    '0',
    root,
  ]);
  step('format (prettier --check: .prettierrc.json, 120 columns)', process.execPath, [
    path.join(path.dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs'),
    '--check',
    '--log-level',
    'warn',
    root,
  ]);
  step('lint (imports: no cycle, type-only imports included; vscode only in the host layer)', process.execPath, [
    path.join(root, 'scripts', 'lint', 'checkImports.mjs'),
  ]);
}
if (wants('unit')) await unit();
if (wants('integration')) await integration();
if (wants('e2e')) {
  if (!only) step('package (.vsix)', 'npm', ['run', '--silent', 'package']);
  await e2e();
}
console.log(`\nFinished in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
if (failures.length) console.log('Failed:\n' + failures.map((f) => '  - ' + f).join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed ? 1 : 0);
