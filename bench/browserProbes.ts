/**
 * What the projection bench (projectionRender.ts) reads besides the page: the browser's processes' peak memory, a CPU
 * profile summed by function, and the projection bundle of another commit to measure against.
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Pids of every descendant of pid (Linux /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent)
      if (pp === p) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

/** Peak resident memory (VmHWM, MB) of the browser's largest renderer process and of its GPU process. */
export function peakMemory(browserPid: number): { rendererMb: number; gpuMb: number } {
  let rendererMb = NaN,
    gpuMb = NaN;
  for (const p of descendants(browserPid)) {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      if (!hwm) continue;
      const mb = Number(hwm[1]) / 1024;
      if (cmd.includes('--type=renderer')) rendererMb = Math.max(Number.isNaN(rendererMb) ? 0 : rendererMb, mb);
      else if (cmd.includes('--type=gpu-process')) gpuMb = mb;
    } catch {
      /* exited */
    }
  }
  return { rendererMb, gpuMb };
}

/** A CDP CPU profile's nodes summed by function: self and total (inclusive) milliseconds, largest self first. */
export function summariseProfile(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}): string[] {
  const samples = profile.samples ?? [],
    deltas = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const parent = new Map<number, number>();
  for (const nd of profile.nodes) for (const c of nd.children ?? []) parent.set(c, nd.id);
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>(),
    total = new Map<string, number>();
  for (let k = 0; k < samples.length; k++) {
    const dt = (deltas[k + 1] ?? 0) / 1000;
    const id = samples[k];
    self.set(name(id), (self.get(name(id)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const nm = name(a);
      if (seen.has(nm)) continue;
      seen.add(nm);
      total.set(nm, (total.get(nm) ?? 0) + dt);
    }
  }
  return [...self.entries()]
    .filter(([nm]) => !nm.startsWith('(idle)') && !nm.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(
      ([nm, t]) => `${t.toFixed(1).padStart(7)} ms self ${(total.get(nm) ?? 0).toFixed(1).padStart(7)} ms total  ${nm}`,
    );
}

/** The projection bundle of git commit `ref`, built as scripts/build.mjs builds it (development); its path. */
export function bundleAt(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-baseline-'));
  execSync(`git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`, { cwd: root, stdio: 'inherit' });
  const out = path.join(dir, 'projection.js');
  // esbuild's command line (its JS API cannot be bundled into this bench).
  execSync(
    `${JSON.stringify(path.join(root, 'node_modules', '.bin', 'esbuild'))} webview/projection/main.ts --bundle ` +
      `--platform=browser --format=iife --target=chrome114 --log-level=warning --outfile=${JSON.stringify(out)}`,
    { cwd: dir, stdio: 'inherit' },
  );
  return out;
}
