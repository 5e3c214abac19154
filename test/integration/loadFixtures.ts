/**
 * The load tests' fixtures (load.test.ts, workerKill.test.ts): their datasets (seeded Gaussian blobs written as .npy),
 * a reach into a session's analysis workers, the brute-force comparison, the error-message spy, the session recorder,
 * the warm-up, and the host watch (`HostWatch`: the baseline of worker threads and memory both files come back to).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, bruteCensus, censusAt, closeAll, sentToControls, until, ws } from './helpers';
import type { Session } from '../../src/session';
import type { EmbeddingInspectorApi } from '../../src/extension';
import type { CensusView } from '../../src/shared/protocol';
import { rng } from '../helpers/rng';
import { writeNpy } from '../helpers/npy';
import {
  collect as collectWith,
  findGc,
  osWorkerThreads,
  trackWorkers,
  tracked,
  trackedSummary,
  untrackWorkers,
  workerThreads,
} from './hostProbes';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A test-only reach into a session's analysis workers (see `analysisSlots`). */
export interface SlotLike {
  request(method: string, ...rest: unknown[]): Promise<unknown>;
  readonly isDead: boolean;
  readonly worker: { terminate(): Promise<number> };
  readonly pending: Map<number, unknown>;
}
/**
 * The session's analysis worker slots. Nothing public exposes them (and the product gets no test
 * hook for this): the session the API hands out keeps its AnalysisClient in the private field
 * `client`, whose private `slots` are the WorkerSlots, each holding its Node `worker`. If these
 * fields are renamed this fails with a message saying so, never silently.
 */
export function analysisSlots(s: Session): SlotLike[] {
  const client = (s as unknown as { client?: { slots?: (SlotLike | undefined)[] } }).client;
  assert.ok(
    client && Array.isArray(client.slots),
    "Session.client.slots (private) not found: update loadFixtures.ts's reach into the analysis workers",
  );
  return client.slots.filter((x): x is SlotLike => !!x);
}

/**
 * The census against the brute-force count in float64 (helpers.bruteCensus) at margin m: the same
 * triplets, and each count equal up to the triplets whose t is within 1e-5 of a boundary (the
 * engine's float32 distances may put those on either side; on these data a handful, while a census
 * at another margin of the drag would be thousands off).
 */
export function assertMatchesBrute(c: CensusView, s: Session, m: number, what: string): void {
  const d = s.dataset;
  const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, m, s.settings.distance, s.settings.normalize);
  assert.equal(c.triplets, truth.triplets, `${what}: valid triplets`);
  const slack = truth.nearBoundary;
  assert.ok(
    slack <= 1e-4 * truth.triplets,
    `${what}: ${slack} triplets near a boundary would make the comparison loose`,
  );
  for (const conv of ['pml', 'facenet'] as const) {
    for (const k of ['easy', 'semihard', 'hard', 'violating'] as const) {
      assert.ok(
        Math.abs(c[conv][k] - truth[conv][k]) <= slack,
        `${what}: ${conv} ${k} ${c[conv][k]}, brute force ${truth[conv][k]} (± ${slack} near a boundary) at margin ${m}`,
      );
    }
  }
  assert.ok(
    Math.abs(c.lossSum - truth.lossSum) <= 1e-5 * Math.max(1, truth.lossSum),
    `${what}: loss ${c.lossSum} vs ${truth.lossSum}`,
  );
}

/**
 * UMAP's state in a session, whichever way the session holds it: a layout set (PCA drawn first, then
 * UMAP, `layouts.umap` its progress) or the one layout and its progress fraction.
 */
export function umap(s: Session): { running: boolean; done: boolean } {
  const set = (s as unknown as { layouts?: { umap: { state: string }; get(kind: string): Float32Array | undefined } })
    .layouts;
  if (set) return { running: set.umap.state === 'running', done: !!set.get('umap') };
  const one = s as unknown as { layout?: Float32Array; layoutFraction?: number };
  return { running: !one.layout && (one.layoutFraction ?? 0) > 0, done: !!one.layout };
}

/** Gaussian classes around random centres (seeded): a small dataset with hard, semi-hard and easy triplets. */
export function blobs(
  seed: number,
  n: number,
  dim: number,
  classes: number,
  spread: number,
): { embeddings: Float32Array; labels: Int32Array } {
  const r = rng(seed),
    g = () => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const centres = Float32Array.from({ length: classes * dim }, g);
  const embeddings = Float32Array.from(
    { length: n * dim },
    (_, k) => centres[labels[Math.floor(k / dim)] * dim + (k % dim)] + spread * g(),
  );
  return { embeddings, labels };
}
export function writeDataset(
  dir: string,
  d: { embeddings: Float32Array; labels: Int32Array },
  dim: number,
  file = 'embeddings.npy',
): string {
  fs.mkdirSync(dir, { recursive: true });
  writeNpy(path.join(dir, file), '<f4', [d.labels.length, dim], d.embeddings);
  if (!fs.existsSync(path.join(dir, 'labels.npy')))
    writeNpy(path.join(dir, 'labels.npy'), '<i4', [d.labels.length], d.labels);
  return path.join(dir, file);
}

// The three helpers below are not closures inside before(): a long-lived closure created there (a
// listener, the spy) would keep before()'s whole scope alive, and the warm-up session with it.

export const originalShowError = vscode.window.showErrorMessage;
/** Records the message of every error notification (the extension's `vscode` API object is this test's). */
export function spyOnErrorMessages(into: string[]): void {
  const show = originalShowError as (m: string, ...r: unknown[]) => Thenable<unknown>;
  (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string, ...rest: unknown[]) => {
    into.push(message);
    return show.call(vscode.window, message, ...rest);
  };
}
/** A weak reference to every session that becomes active (each opened one does). */
export function recordSessions(a: EmbeddingInspectorApi, into: WeakRef<Session>[]): vscode.Disposable {
  return a.inspector.onDidChangeActiveSession((s) => {
    if (s && !into.some((w) => w.deref() === s)) into.push(new WeakRef(s));
  });
}

/**
 * Opens five small datasets at once and closes them, before the baseline: the first worker start,
 * the wasm compile and the code paths, and the process's high-water mark of threads at once (the
 * most any scenario runs: 10 analysis and 5 projection workers). Each thread's malloc arena keeps
 * the memory it freed mapped after the thread ends: measured with the analysis workers alone,
 * cycles of 10 workers at once raised RSS by 220 MB after the first cycle and then by under 5 MB a
 * cycle. With that in the baseline, RSS above it is growth, not arenas.
 */
export async function warmUp(a: EmbeddingInspectorApi, files: string[]): Promise<void> {
  const warm = await Promise.all(files.map((f) => a.inspector.open(f)));
  for (const s of warm) {
    assert.ok(s);
    await censusAt(s, s.settings.margin);
    await until(() => umap(s).running || umap(s).done, 'the warm-up UMAP to run', 60_000);
  }
  await closeAll();
}

/** Live worker threads and memory with nothing open, measured once the host is warm (`HostWatch.start`). */
export interface Baseline {
  osThreads?: number;
  tracked: number;
  heap: number;
  rss: number;
  arrayBuffers: number;
}

/**
 * What a load test file watches in the host from its `before` to its last test: unhandled promise
 * rejections, uncaught exceptions, error notifications, every session opened, and the worker threads
 * and memory measured as a baseline before the first scenario, which the file's last test checks
 * everything came back to (`assertBackToBaseline`).
 *
 * How worker threads are counted (both must return to the baseline):
 * - the OS threads of this process named `WorkerThread` (/proc/self/task/<tid>/comm): Node names
 *   every worker_threads thread so, including workers started inside workers (the wasm backend's
 *   pthreads). A probe worker checks that the name is used in this host before it is relied on;
 * - every `Worker` constructed in this host while the file runs, tracked from its constructor to
 *   its 'exit' event (node:worker_threads' `Worker` is wrapped for the duration), which names the
 *   script of a worker left behind.
 * Memory: heap after a forced GC (`gc` exposed at run time through v8.setFlagsFromString and a new
 * vm context when the host was not started with --expose-gc), array buffers (the datasets' shared
 * memory), RSS with a tolerance, and every session opened here must be garbage-collected (WeakRef).
 */
export class HostWatch {
  readonly rejections: unknown[] = [];
  readonly uncaught: unknown[] = [];
  readonly errorMessages: string[] = [];
  readonly sessions: WeakRef<Session>[] = [];
  osThreadsWork = false;
  baseline!: Baseline;
  /** A full GC when it can be forced (found in `start`). */
  gcFn: (() => void) | undefined;
  /** When the file's `before` began (set there): the log lines count from it. */
  started = 0;
  private sessionSub: vscode.Disposable | undefined;
  // The probe (see start) is heard here, and may be heard twice (the host reports it again): never counted.
  private readonly probe: Error;
  private probeHeard = false;
  private readonly onRejection = (reason: unknown): void => {
    if (reason !== this.probe) this.rejections.push(reason);
    else this.probeHeard = true;
  };
  private readonly onUncaught = (e: unknown): void => {
    this.uncaught.push(e);
  };

  /** `name` (the file's, 'load.test') names the probe and prefixes the log lines. */
  constructor(private readonly name: string) {
    this.probe = new Error(`${name} probe: an unhandled rejection on purpose`);
  }

  readonly collect = (): Promise<void> => collectWith(this.gcFn);
  readonly threads = () => ({ os: this.osThreadsWork ? osWorkerThreads() : undefined, tracked: tracked.size });
  readonly threadsText = () =>
    `OS worker threads ${this.osThreadsWork ? osWorkerThreads() : 'n/a'} (baseline ${this.baseline?.osThreads ?? 'n/a'}), tracked workers ${tracked.size}: ${trackedSummary()}`;
  /** Waits (bounded) until the live worker threads are the baseline's plus these (OS threads, tracked workers). */
  readonly threadsBackTo = (extraOs: number, extraTracked: number, what: string, ms = 20_000) =>
    until(
      () => {
        const t = this.threads();
        return (
          t.tracked === this.baseline.tracked + extraTracked &&
          (t.os === undefined || t.os === this.baseline.osThreads! + extraOs)
        );
      },
      () => `${what}: ${this.threadsText()}`,
      ms,
    );

  /**
   * Starts watching (after the file wrote its datasets under `root`), shows the sidebar, warms the host
   * up with datasets of its own under `root` (seeded from `runSeed`) and measures the baseline.
   */
  async start(a: EmbeddingInspectorApi, root: string, runSeed: number): Promise<void> {
    // No unhandled rejection: listen for the whole file; the probe checks that the listener hears one here.
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtExceptionMonitor', this.onUncaught);
    void Promise.reject(this.probe);
    await until(() => this.probeHeard, 'the unhandledRejection listener to hear the probe', 5_000);

    spyOnErrorMessages(this.errorMessages);
    assert.equal(await a.inspector.open(ws('broken', 'embeddings.npy')), undefined);
    await until(
      () => this.errorMessages.some((m) => /embeddings\.npy/.test(m)),
      "the error-message spy to see the truncated file's error",
      10_000,
    );
    this.errorMessages.length = 0;

    // Thread counting: the probe worker must show up in both counts and leave them.
    assert.ok(trackWorkers(), 'node:worker_threads.Worker could not be wrapped in this host');
    const os0 = osWorkerThreads();
    const probeWorker = new workerThreads.Worker('setInterval(() => {}, 1000)', { eval: true });
    await sleep(300);
    this.osThreadsWork = os0 !== undefined && osWorkerThreads() === os0 + 1;
    assert.equal(tracked.size, 1, 'the probe worker is tracked');
    await probeWorker.terminate();
    await until(
      () => tracked.size === 0 && (!this.osThreadsWork || osWorkerThreads() === os0),
      'the probe worker to end',
      5_000,
    );
    if (!this.osThreadsWork)
      console.warn(`[ei] ${this.name}: OS thread names are not available here: counting constructed workers only`);

    this.gcFn = findGc();
    if (!this.gcFn)
      console.warn(`[ei] ${this.name}: no way to force a GC here: memory is compared with tolerances only`);
    this.sessionSub = recordSessions(a, this.sessions);

    // The sidebar, shown and ready: what it is sent is what the user sees.
    await vscode.commands.executeCommand('workbench.view.extension.embeddingInspector');
    await until(() => sentToControls(a).some((m) => m.type === 'state'), 'the sidebar view to be ready', 30_000);

    // Warm-up (first worker start, wasm compile, code paths), then the baseline with nothing open.
    await warmUp(
      a,
      [0, 1, 2, 3, 4].map((k) => writeDataset(path.join(root, `warm${k}`), blobs(runSeed + 100 + k, 60, 8, 4, 0.8), 8)),
    );
    await until(
      () => tracked.size === 0 && (!this.osThreadsWork || osWorkerThreads() === os0),
      () => `the warm-up sessions' workers to end: ${this.threadsText()}`,
      20_000,
    );
    await this.collect();
    const mem = process.memoryUsage();
    this.baseline = {
      osThreads: this.osThreadsWork ? osWorkerThreads() : undefined,
      tracked: tracked.size,
      heap: mem.heapUsed,
      rss: mem.rss,
      arrayBuffers: mem.arrayBuffers,
    };
    console.log(
      `[ei] ${this.name}: baseline after ${Date.now() - this.started} ms: ${JSON.stringify(this.baseline)}, gc ${this.gcFn ? 'forced' : 'not available'}`,
    );
  }

  /** Stops watching: the listeners, the spy and the worker tracking are taken off. */
  stop(): void {
    this.sessionSub?.dispose();
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtExceptionMonitor', this.onUncaught);
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = originalShowError;
    untrackWorkers();
  }

  /**
   * The file's `before`: a clean slate (every editor closed, `root` removed), the file's datasets written, then the
   * watch started and the baseline measured.
   */
  setUpBefore(root: string, runSeed: number, writeData: () => void): void {
    before(async () => {
      this.started = Date.now();
      const a = await api();
      await closeAll();
      fs.rmSync(root, { recursive: true, force: true });
      writeData();
      await this.start(a, root, runSeed);
    });
  }

  /**
   * The file's `after` and `afterEach`: every editor closed after each scenario; at the end the watch stopped, the
   * margin setting cleared and the file's datasets (`root`) removed.
   */
  cleanUpAfter(root: string): void {
    after(async () => {
      this.stop();
      await vscode.workspace
        .getConfiguration('embeddingInspector')
        .update('margin', undefined, vscode.ConfigurationTarget.Workspace);
      await closeAll();
      fs.rmSync(root, { recursive: true, force: true });
    });
    afterEach(() => closeAll());
  }

  /**
   * The file's last test: no unhandled rejection, worker threads and memory back to the baseline, every
   * session opened garbage-collected, and the extension still opens and counts a dataset.
   */
  async assertBackToBaseline(a: EmbeddingInspectorApi): Promise<void> {
    await closeAll();
    await this.threadsBackTo(0, 0, 'every worker thread to end once everything is closed');
    assert.equal(a.inspector.openSessions.length, 0);
    await this.collect();
    await sleep(2_000);
    await this.collect();
    const leaked = this.sessions
      .filter((w) => w.deref() !== undefined)
      .map(
        (w) =>
          `${w.deref()!.dataset.files.embeddings}${w.deref()!.disposed ? '' : ' (not disposed)'} ${JSON.stringify(w.deref()!.status)}`,
      );
    if (this.gcFn)
      assert.deepEqual(
        leaked,
        [],
        `${this.sessions.length} sessions were opened; these are still reachable after closing and a full GC`,
      );
    const mem = process.memoryUsage();
    const baseline = this.baseline;
    const mb = (x: number) => `${(x / 2 ** 20).toFixed(1)} MB`;
    const rss = fs.existsSync('/proc/self/status')
      ? fs
          .readFileSync('/proc/self/status', 'utf8')
          .split('\n')
          .filter((l) => /^Rss/.test(l))
          .map((l) => l.replace(/\s+/g, ' '))
          .join(', ')
      : '';
    console.log(`[ei] ${this.name}: ${rss}`);
    console.log(
      `[ei] ${this.name}: after: heap ${mb(mem.heapUsed)} (baseline ${mb(baseline.heap)}), rss ${mb(mem.rss)} (${mb(baseline.rss)}), array buffers ${mb(mem.arrayBuffers)} (${mb(baseline.arrayBuffers)}), ${this.sessions.length} sessions`,
    );
    // Heap after a forced GC: what the sidebar's message log (100 messages), the host's caches and
    // this test's own records may add, far below one leaked session of these scenarios' datasets
    // with its census views. RSS: freed pages stay in the allocator's arenas, hence the wide margin.
    const heapSlack = this.gcFn ? 48 * 2 ** 20 : 150 * 2 ** 20;
    assert.ok(
      mem.heapUsed - baseline.heap < heapSlack,
      `heap ${mb(mem.heapUsed)} vs baseline ${mb(baseline.heap)} (allowed +${mb(heapSlack)})`,
    );
    assert.ok(
      mem.arrayBuffers - baseline.arrayBuffers < 16 * 2 ** 20,
      `array buffers ${mb(mem.arrayBuffers)} vs baseline ${mb(baseline.arrayBuffers)}`,
    );
    assert.ok(
      mem.rss - baseline.rss < 150 * 2 ** 20,
      `RSS ${mb(mem.rss)} vs baseline ${mb(baseline.rss)} (allowed +150 MB)`,
    );
    // The host is up and the extension still opens and counts a dataset.
    const s = await a.inspector.open(ws('clusters', 'embeddings.npy'));
    assert.ok(s);
    assertMatchesBrute(await censusAt(s, s.settings.margin), s, s.settings.margin, 'a dataset opened at the end');
    await closeAll();
    assert.deepEqual(this.uncaught, [], 'no uncaught exception in the host');
    assert.deepEqual(
      this.rejections.map((r) => String((r as Error)?.stack ?? r)),
      [],
      'no unhandled promise rejection in the host',
    );
    assert.deepEqual(this.errorMessages, []);
    console.log(`[ei] ${this.name}: the whole file took ${Date.now() - this.started} ms`);
  }
}
