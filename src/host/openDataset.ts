import * as vscode from 'vscode';
import * as path from 'node:path';
import { AmbiguousChoiceError, discoverDatasets, type LoadOptions } from '../data/index';
import { loadDatasetInWorker } from '../worker/loadClient';
import { InputError, type Dataset } from '../shared/dataset';
import { readMemoryBudget } from '../settings';

function explicitSetting<T>(cfg: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const i = cfg.inspect<T>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

/** Finds datasets in the workspace folders; a quick pick when there are several. */
export async function pickDataset(): Promise<string | undefined> {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  if (!roots.length) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      canSelectFolders: true,
      canSelectFiles: true,
      openLabel: 'Inspect Embeddings',
    });
    return picked?.[0]?.fsPath;
  }
  const candidates = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Looking for embeddings…' },
    () => discoverDatasets(roots),
  );
  if (!candidates.length) {
    const choice = await vscode.window.showWarningMessage(
      'No embeddings found in this workspace. Supported: .npy/.npz (with labels), TensorBoard projector folders, CSV/TSV, JSON Lines, Parquet, .safetensors, or an embeddings.json manifest.',
      'Choose a File…',
    );
    if (choice)
      return (
        await vscode.window.showOpenDialog({
          canSelectMany: false,
          canSelectFolders: true,
          openLabel: 'Inspect Embeddings',
        })
      )?.[0]?.fsPath;
    return undefined;
  }
  if (candidates.length === 1) return candidates[0].target;
  const item = await vscode.window.showQuickPick(
    candidates.map((c) => ({
      label: c.label,
      description: vscode.workspace.asRelativePath(c.target),
      detail: c.detail,
      target: c.target,
    })),
    {
      title: 'Inspect Embeddings',
      placeHolder: `${candidates.length} datasets found — pick one`,
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  return item?.target;
}

/**
 * The loader's options from the settings: the memory budget, an explicit label column, and the
 * workspace folders (the folders that sample paths and paths in a manifest may lead to). In
 * Restricted Mode every file read must resolve inside them; VS Code then also ignores the
 * workspace's own value of maxFileMegabytes (`restrictedConfigurations` in package.json).
 */
export function loadOptionsFromSettings(target: string, base: LoadOptions = {}): LoadOptions {
  const cfg = vscode.workspace.getConfiguration('embeddingInspector');
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return {
    ...base,
    // Only an explicit choice: by default the loader finds labels itself (labels.npy, a `label` column…).
    labelColumn: explicitSetting<string>(cfg, 'labelColumn'),
    maxBytes: readMemoryBudget(),
    workspaceRoots: roots.length ? roots : [path.dirname(target)],
    confineToWorkspace: !vscode.workspace.isTrusted,
  };
}

/**
 * Loads a dataset with a progress notification, in a worker thread (the host stays responsive: at
 * N = 1 000 000 reading took 10-20 s). Ambiguous choices (several arrays in an .npz…) are
 * asked with a quick pick; input errors are shown naming the file; warnings are shown once.
 */
export async function loadDatasetInteractive(target: string, base: LoadOptions = {}): Promise<Dataset | undefined> {
  const opts = loadOptionsFromSettings(target, base);
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const ds = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Loading ${path.basename(target)}…` },
        () => loadDatasetInWorker(target, opts),
      );
      if (ds.warnings.length) void vscode.window.showWarningMessage(`${ds.name}: ${ds.warnings.join(' · ')}`);
      return ds;
    } catch (e) {
      if (e instanceof AmbiguousChoiceError) {
        const choice = await vscode.window.showQuickPick(e.options, {
          title: `${path.basename(e.file)}: which ${e.key === 'labelsKey' ? 'labels' : 'embeddings'} should be used?`,
          placeHolder: e.options.length > 1 ? `${e.options.length} candidates` : undefined,
          // The projection panel opened for this dataset takes the focus meanwhile (projectionPage.ts): the question
          // stays until it is answered. (Without this, the panel's focus closed it in a CI run: an unanswered
          // question, nothing opened.)
          ignoreFocusOut: true,
        });
        if (!choice) return undefined;
        (opts as Record<string, unknown>)[e.key] = choice;
        continue;
      }
      // Name the file as the user sees it in the explorer, so the problem fits in the notification.
      const msg =
        e instanceof InputError
          ? `${vscode.workspace.asRelativePath(e.file)}: ${e.problem}`
          : ((e as Error)?.message ?? String(e));
      void vscode.window.showErrorMessage(`Embedding Inspector: ${msg}`);
      console.error('[ei] load failed', e);
      return undefined;
    }
  }
  return undefined;
}
