/**
 * What the load and fault tests (load.test.ts, workerKill.test.ts) read of the extension host they
 * run in: time limits on waits, live worker threads (by OS name, and every Worker constructed while
 * a file runs), a forced GC where one can be had.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with `p`, or fails the test with `what` after `ms` (no wait in this file is unbounded). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new assert.AssertionError({ message: `timed out after ${ms} ms waiting for ${what}` })),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Live worker_threads threads of this process by their OS name (Linux), undefined where /proc is missing. */
export function osWorkerThreads(): number | undefined {
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  let n = 0;
  for (const t of tasks) {
    try {
      if (fs.readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'WorkerThread') n++;
    } catch {
      /* the thread just ended */
    }
  }
  return n;
}

/** Workers constructed in this host while the file runs, until their 'exit' (see HostWatch in loadFixtures.ts). */
export const tracked = new Map<object, string>();
type WorkerCtor = new (script: string | URL, opts?: object) => import('node:worker_threads').Worker;
// The builtin's own exports object (the extension's bundle reads `.Worker` from it at each `new`).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS exports object itself, not a copy
export const workerThreads = require('node:worker_threads') as { Worker: WorkerCtor };
const OriginalWorker = workerThreads.Worker;
export function trackWorkers(): boolean {
  class TrackedWorker extends OriginalWorker {
    constructor(script: string | URL, opts?: object) {
      super(script, opts);
      tracked.set(this, path.basename(String(script)));
      this.once('exit', () => tracked.delete(this));
    }
  }
  try {
    workerThreads.Worker = TrackedWorker;
  } catch {
    return false;
  }
  return workerThreads.Worker === TrackedWorker;
}
/** Puts back node:worker_threads' own Worker. */
export function untrackWorkers(): void {
  workerThreads.Worker = OriginalWorker;
}

export function trackedSummary(): string {
  const by = new Map<string, number>();
  for (const s of tracked.values()) by.set(s, (by.get(s) ?? 0) + 1);
  return [...by].map(([s, k]) => `${k} x ${s}`).join(', ') || 'none';
}

/** A full GC when it can be forced (see HostWatch in loadFixtures.ts); undefined when it cannot. */
export function findGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = vm.runInNewContext('gc') as unknown;
    return typeof f === 'function' ? (f as () => void) : undefined;
  } catch {
    return undefined;
  }
}
/** Runs `gc` (when there is one) between macrotasks: WeakRefs are cleared only after the job that read them ends. */
export async function collect(gc: (() => void) | undefined): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await sleep(20);
    gc?.();
  }
}
