import * as vscode from 'vscode';
import type { Inspector } from '../inspector';
import { loadDatasetInWorker } from '../worker/loadClient';
import { diffSnapshots } from '../engine/diff';
import { diffReport, type DiffReport, formatDiff } from '../engine/diffReport';
import { loadOptionsFromSettings } from '../host/openDataset';
import type { Dataset } from '../shared/dataset';

/**
 * "Embeddings: Compare with Snapshot…": the active session's snapshot against another one of the
 * same dataset at the session's margin, distance and convention (engine/diff.ts), shown as the
 * same report the CLI's `diff` prints. The earlier snapshot is A, the later B, so "worse" means
 * worse in the later epoch. The projection is coloured by the per-sample change of the loss as
 * anchor. Resolves to the report (tests), or undefined.
 */
export async function compareSnapshotsCommand(inspector: Inspector, index?: number): Promise<DiffReport | undefined> {
  const s = inspector.activeSession;
  const snaps = s?.dataset.snapshots;
  if (!s || !snaps || snaps.length < 2 || s.dataset.activeSnapshot === undefined) {
    void vscode.window.showErrorMessage(
      'Compare with Snapshot: the open dataset has no other snapshot (epochs as numbered files or in embeddings.json).',
    );
    return undefined;
  }
  const active = s.dataset.activeSnapshot;
  if (index === undefined) {
    const items = snaps.map((x, i) => ({ label: x.name, description: x.path, i })).filter((x) => x.i !== active);
    index = (await vscode.window.showQuickPick(items, { title: `Compare ${snaps[active].name} with…` }))?.i;
  }
  if (index === undefined || !Number.isInteger(index) || index < 0 || index >= snaps.length || index === active)
    return undefined;
  const target = s.dataset.files.manifest ?? s.dataset.files.embeddings;
  const st = s.settings;
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Comparing snapshots', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const key = s.dataset.files.embeddingsKey;
        const other = await loadDatasetInWorker(
          target,
          loadOptionsFromSettings(target, { snapshot: index, ...(key !== undefined ? { embeddingsKey: key } : {}) }),
        );
        const [a, b]: Dataset[] = index! < active ? [other, s.dataset] : [s.dataset, other];
        const input = (d: Dataset) => ({
          embeddings: d.embeddings,
          n: d.n,
          dim: d.dim,
          labels: d.labels,
          classes: d.classNames.length,
        });
        if (other.n !== s.dataset.n || other.classNames.join('\0') !== s.dataset.classNames.join('\0'))
          throw new Error(`${snaps[index!].name} does not hold the same samples and labels`);
        const r = await diffSnapshots(
          input(a),
          input(b),
          { distance: st.distance, normalize: st.normalize, margin: st.margin, convention: st.convention, top: 20 },
          {
            signal: abort.signal,
            onProgress: (f, message) => progress.report({ message: `${message} ${(100 * f).toFixed(0)}%` }),
          },
        );
        const report = diffReport(a, b, r, { distance: st.distance, normalize: st.normalize });
        // The projection colours the open snapshot's points by B - A (A the earlier snapshot).
        inspector.panelOf(s)?.showChange({
          datasetId: s.id,
          against: snaps[index!].name,
          dLoss: Float32Array.from(r.dLoss),
          dViolating: Float32Array.from(r.dViolating),
          worsened: r.worsened.map((w) => w.index),
        });
        const doc = await vscode.workspace.openTextDocument({ content: formatDiff(report), language: 'plaintext' });
        await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
        return report;
      },
    );
  } catch (e) {
    if ((e as Error)?.name !== 'AbortError')
      void vscode.window.showErrorMessage(`Compare with Snapshot: ${(e as Error)?.message ?? e}`);
    return undefined;
  }
}
