#!/usr/bin/env node
// The import rules eslint does not see (type-only imports count here):
// - no import cycle among the project's TypeScript files (src, webview, test, bench, scripts);
// - the layers: `vscode` only in the host layer; webview/ imports no host code and src/ no webview
//   code (both may import src/shared/); the pure layers import no host module;
// - commands/ holds command registrations only: nothing outside commands/ imports it.
// Prints each violation and exits 1, or prints a one-line summary.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycles, importGraph, shortestCycle } from './importGraph.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rel = (f) => path.relative(root, f).split(path.sep).join('/');
const graph = importGraph(['src', 'webview', 'test', 'bench', 'scripts'].map((d) => path.join(root, d)));

/** Host layer: may import `vscode`. Everything else under src/ is pure. */
const HOST =
  /^src\/(extension|inspector|session|settings)\.ts$|^src\/(commands|views|host|util)\/|^src\/follow\/followController\.ts$/;
const PURE =
  /^src\/(engine|data|projection|shared|analysis|cli|worker)\/|^src\/cli\.ts$|^src\/follow\/snapshotWatcher\.ts$/;

const problems = [];
for (const c of cycles(graph))
  problems.push(`import cycle (${c.length} files): ${shortestCycle(graph, c).map(rel).join(' → ')}`);
for (const [file, { local, packages, unresolved }] of graph) {
  const f = rel(file);
  for (const u of unresolved) problems.push(`${f}: cannot resolve '${u}'`);
  if (packages.includes('vscode') && f.startsWith('src/') && !HOST.test(f))
    problems.push(`${f}: imports vscode outside the host layer`);
  for (const t of local.map(rel)) {
    if (f.startsWith('webview/') && t.startsWith('src/') && !t.startsWith('src/shared/'))
      problems.push(`${f}: a webview imports host code ${t} (only src/shared/ is shared)`);
    if (f.startsWith('src/') && t.startsWith('webview/')) problems.push(`${f}: host code imports webview code ${t}`);
    if (PURE.test(f) && HOST.test(t)) problems.push(`${f}: a pure module imports the host module ${t}`);
    if (
      t.startsWith('src/commands/') &&
      f.startsWith('src/') &&
      !f.startsWith('src/commands/') &&
      f !== 'src/extension.ts'
    )
      problems.push(`${f}: imports ${t} (commands/ holds registrations only)`);
  }
}
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`checkImports: ${problems.length} problem(s) in ${graph.size} files`);
  process.exit(1);
}
console.log(`checkImports: ${graph.size} files, no import cycle, layers respected`);
