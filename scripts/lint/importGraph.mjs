// The import graph of the project's own TypeScript files, type-only imports included: every
// `import … from`, `export … from`, `import('…')` and `require('…')` of a relative path, resolved
// as esbuild and tsc resolve them (`x` → `x.ts`, `x/index.ts`). Used by the cycle check and the
// layer rules (scripts/lint/checkImports.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';

const SPEC =
  /(?:^|[^\w$.])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[^\w$.])import\s*['"]([^'"]+)['"]|(?:^|[^\w$.])(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/gs;

/** Strips comments (keeping strings), so an import named in a comment is not counted. */
function stripComments(text) {
  return text.replace(
    /\/\*[\s\S]*?\*\/|\/\/[^\n]*|('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)/g,
    (m, str) => str ?? ' ',
  );
}

/** Import specifiers of one file's text, in order. */
export function importSpecifiers(text) {
  const out = [];
  for (const m of stripComments(text).matchAll(SPEC)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function resolveRelative(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}.mts`, path.join(base, 'index.ts')]) {
    if (c.endsWith('.ts') || c.endsWith('.tsx') || c.endsWith('.mts')) {
      if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
    }
  }
  if (/\.js$/.test(spec)) return resolveRelative(from, spec.replace(/\.js$/, ''));
  return undefined;
}

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'fixtures') walk(p, out);
    } else if (/\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Files under `roots` (absolute) → their imports: `local` (resolved files) and `packages` (bare names). */
export function importGraph(roots) {
  const files = roots.flatMap((r) => (fs.existsSync(r) ? walk(r, []) : []));
  const graph = new Map();
  for (const f of files) {
    const local = [],
      packages = [],
      unresolved = [];
    for (const spec of importSpecifiers(fs.readFileSync(f, 'utf8'))) {
      if (spec.startsWith('.')) {
        // Data (a .json file that exists) is no node of the graph: it imports nothing.
        if (spec.endsWith('.json') && fs.existsSync(path.resolve(path.dirname(f), spec))) continue;
        const r = resolveRelative(f, spec);
        if (r) local.push(r);
        else unresolved.push(spec);
      } else packages.push(spec);
    }
    graph.set(f, { local, packages, unresolved });
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): the cycles. */
export function cycles(graph) {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    onStack = new Set(),
    stack = [],
    out = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.local ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v)?.local ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

/** The shortest cycle through `start` inside one strongly connected component (a list of files, closed). */
export function shortestCycle(graph, component, start = component[0]) {
  const inside = new Set(component);
  const prev = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)?.local ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let u = prev.get(v); u !== undefined; u = prev.get(u)) path.push(u);
        return [...path.reverse(), start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}
