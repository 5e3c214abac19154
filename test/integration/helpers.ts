import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EmbeddingInspectorApi } from '../../src/extension';
import type { Session } from '../../src/session';
import type { ProjectionPanel } from '../../src/views/projectionPanel';
import type { Transport } from '../../src/views/transport';
import type { ToControls, ToProjection } from '../../src/shared/protocol';

export const EXTENSION_ID = 'embedding-inspector.embedding-inspector';

/**
 * Activates the extension under test in this real extension host and returns its API. From the
 * first call on, what the sidebar and every projection panel opened after it are sent is recorded
 * (sentToControls, sentToPanel).
 */
export async function api(): Promise<EmbeddingInspectorApi> {
  const ext = vscode.extensions.getExtension<EmbeddingInspectorApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  const a = ext.isActive ? ext.exports : await ext.activate();
  startRecording(a);
  return a;
}

/** A projection message as recorded: its type, and a census's margin and whether it is partial. */
export interface PanelRecord {
  type: ToProjection['type'];
  margin?: number;
  partial?: boolean;
}

// Each test file is its own bundle with its own copy of this module: what must be shared between
// them (the logs, whether recording started) is kept on the extension's objects under global symbols.
const LOG = Symbol.for('embeddingInspector.test.sent');
const STARTED = Symbol.for('embeddingInspector.test.recording');
type Recorded<R> = { [LOG]?: R[] };

/** Wraps a view's transport (once per view) so each message sent is also added to its log by `add`. */
function record<T, R>(view: { transport: Transport<T> }, add: (log: R[], m: T) => void): R[] {
  const v = view as typeof view & Recorded<R>;
  const existing = v[LOG];
  if (existing) return existing;
  const log: R[] = [];
  v[LOG] = log;
  const inner = view.transport;
  view.transport = {
    post: (m) => {
      add(log, m);
      inner.post(m);
    },
  };
  return log;
}

/** Records the sidebar's messages, and each new session's panel's (a new session becomes the active one). */
function startRecording(a: EmbeddingInspectorApi): void {
  const flag = a as EmbeddingInspectorApi & { [STARTED]?: boolean };
  if (flag[STARTED]) return;
  flag[STARTED] = true;
  sentToControls(a);
  for (const s of a.inspector.openSessions) {
    const p = a.inspector.panelOf(s);
    if (p) sentToPanel(p);
  }
  a.inspector.onDidChangeActiveSession((s) => {
    const p = s && a.inspector.panelOf(s);
    if (p) sentToPanel(p);
  });
}

/** The last 100 messages sent to the sidebar (of table messages, up to 8 MB each, only the latest). */
export function sentToControls(a: EmbeddingInspectorApi): ToControls[] {
  return record<ToControls, ToControls>(a.controls, (log, m) => {
    if (m.type === 'table') for (let i = log.length - 1; i >= 0; i--) if (log[i].type === 'table') log.splice(i, 1);
    log.push(m);
    if (log.length > 100) log.shift();
  });
}

/** The last 200 messages sent to a projection panel, as type and census margin (recorded since the panel opened). */
export function sentToPanel(panel: ProjectionPanel): PanelRecord[] {
  return record<ToProjection, PanelRecord>(panel, (log, m) => {
    const c = m.type === 'census' || m.type === 'censusUpdate' ? m.census : undefined;
    log.push({ type: m.type, margin: c?.settings.margin, partial: c?.partial });
    if (log.length > 200) log.shift();
  });
}

/** Absolute path inside the test workspace. */
export function ws(...parts: string[]): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests run with test/fixtures/workspace open');
  return path.join(folder.uri.fsPath, ...parts);
}

/** Polls until `fn` returns a truthy value (or fails with `what`). */
export async function until<T>(
  fn: () => T | undefined | false,
  what: string | (() => string),
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for a census computed at exactly this margin and convention. */
export function censusAt(s: Session, margin: number, convention = s.settings.convention) {
  return until(
    () =>
      s.census &&
      !s.census.partial &&
      s.census.settings.margin === margin &&
      s.census.settings.convention === convention &&
      s.census,
    () =>
      `census at margin ${margin} (${convention}); last census: ${s.census ? JSON.stringify({ ...s.census.settings, partial: !!s.census.partial }) : 'none'}; session settings ${JSON.stringify(s.settings)}; status ${JSON.stringify(s.status)}`,
  );
}

/** Closes every editor and panel between tests. */
export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Brute-force triplet census over every valid (a, p, n) in float64, written independently of the
 * engine: the truth the extension's numbers are checked against.
 */
export function bruteCensus(
  emb: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  margin: number,
  distance: 'euclidean' | 'sqeuclidean' | 'cosine',
  normalize: boolean,
) {
  const x = new Float64Array(emb);
  if (normalize || distance === 'cosine') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x[i * dim + k] ** 2;
      const r = Math.sqrt(s);
      if (r > 0 && normalize) for (let k = 0; k < dim; k++) x[i * dim + k] /= r;
    }
  }
  const d = (a: number, b: number): number => {
    if (distance === 'cosine') {
      let dot = 0,
        na = 0,
        nb = 0;
      for (let k = 0; k < dim; k++) {
        dot += x[a * dim + k] * x[b * dim + k];
        na += x[a * dim + k] ** 2;
        nb += x[b * dim + k] ** 2;
      }
      return 1 - dot / Math.sqrt(na * nb);
    }
    let s = 0;
    for (let k = 0; k < dim; k++) s += (x[a * dim + k] - x[b * dim + k]) ** 2;
    return distance === 'sqeuclidean' ? s : Math.sqrt(s);
  };
  // nearBoundary: triplets whose t lies within 1e-5 of 0 or of the margin, where the engine's float32
  // distances may put them on the other side (a comparison on larger data allows that many).
  const r = {
    triplets: 0,
    pml: { easy: 0, semihard: 0, hard: 0, violating: 0 },
    facenet: { easy: 0, semihard: 0, hard: 0, violating: 0 },
    lossSum: 0,
    violAsAnchor: new Float64Array(n),
    nearBoundary: 0,
  };
  for (let a = 0; a < n; a++)
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = d(a, p);
      for (let q = 0; q < n; q++) {
        if (labels[q] === labels[a]) continue;
        const t = d(a, q) - dap;
        r.triplets++;
        if (t > margin) r.pml.easy++;
        else if (t > 0) r.pml.semihard++;
        else r.pml.hard++;
        if (t <= margin) {
          r.pml.violating++;
          r.violAsAnchor[a]++;
        }
        if (t >= margin) r.facenet.easy++;
        else if (t >= 0) r.facenet.semihard++;
        else r.facenet.hard++;
        if (t < margin) r.facenet.violating++;
        r.lossSum += Math.max(0, margin - t);
        if (Math.abs(t) < 1e-5 || Math.abs(t - margin) < 1e-5) r.nearBoundary++;
      }
    }
  return r;
}
