/**
 * The load test's fixtures (load.test.ts): its datasets (seeded Gaussian blobs written as .npy), a reach into a
 * session's analysis workers, the brute-force comparison, the error-message spy, the session recorder and the warm-up.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { bruteCensus, censusAt, closeAll, until } from './helpers';
import type { Session } from '../../src/session';
import type { EmbeddingInspectorApi } from '../../src/extension';
import type { CensusView } from '../../src/shared/protocol';
import { rng } from '../helpers/rng';
import { writeNpy } from '../helpers/npy';

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
    "Session.client.slots (private) not found: update load.test.ts's reach into the analysis workers",
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
