import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Inspector } from '../inspector';
import type { Session } from '../session';
import {
  DEFAULT_EXPORT_CAP,
  exportTriplets,
  ExportTooLargeError,
  hardNegatives,
  IndexRows,
  parseRankWindow,
  TripletCategory,
} from '../engine/export';
import { exportBytes, PAIR_COLUMNS, TRIPLET_COLUMNS } from '../engine/exportFormat';

/** What to export. */
export type ExportKind = TripletCategory | 'selection' | 'window';

/** Arguments a caller (a test, a keybinding) may pass to skip the pickers. */
export interface ExportArgs {
  kind?: ExportKind;
  /** Rank window text (`101-500`) for kind `window`. */
  window?: string;
  /** `pairs` (anchor, negative, rank) or `triplets` (anchor, hardest positive, negative) for kind `window`. */
  form?: 'pairs' | 'triplets';
  /** Target file; when it exists the user is asked before it is replaced. */
  file?: string;
}

/** The row cap (setting embeddingInspector.export.maxRows). */
function maxRows(): number {
  const v = vscode.workspace.getConfiguration('embeddingInspector').get('export.maxRows');
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : DEFAULT_EXPORT_CAP;
}

const fmt = (x: number): string => x.toLocaleString('en-US');

/** The quick pick of what to export, with the counts the census already knows. */
async function pickKind(s: Session): Promise<ExportKind | undefined> {
  const c = s.census?.counts,
    m = s.settings.margin;
  const items: (vscode.QuickPickItem & { what: ExportKind })[] = [
    { what: 'hard', label: 'Hard triplets', description: c ? `${fmt(c.hard)} at margin ${m}` : undefined },
    { what: 'semihard', label: 'Semi-hard triplets', description: c ? `${fmt(c.semihard)} at margin ${m}` : undefined },
    {
      what: 'violating',
      label: 'Violating triplets (non-zero loss or t = m)',
      description: c ? `${fmt(c.violating)} at margin ${m}` : undefined,
    },
    {
      what: 'selection',
      label: 'Violating triplets of the selected anchors',
      description: `${fmt(s.selection.length)} selected in the projection`,
    },
    {
      what: 'window',
      label: 'Hard negatives by rank window…',
      description: 'e.g. ranks 101–500 of each anchor’s negatives',
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Export triplets of ${s.dataset.name} (${s.settings.convention} convention)`,
    placeHolder: 'Which rows?',
  });
  return picked?.what;
}

/** Asks for the rank window and the row form. */
async function pickWindow(
  args: ExportArgs,
): Promise<{ from: number; to: number; form: 'pairs' | 'triplets' } | undefined> {
  const text =
    args.window ??
    (await vscode.window.showInputBox({
      title: 'Rank window (1-based, inclusive, among each anchor’s negatives by distance)',
      value: '101-500',
      validateInput: (v) => {
        const r = parseRankWindow(v);
        return typeof r === 'string' ? r : undefined;
      },
    }));
  if (text === undefined) return undefined;
  const w = parseRankWindow(text);
  if (typeof w === 'string') {
    void vscode.window.showErrorMessage(w);
    return undefined;
  }
  const form =
    args.form ??
    ((
      await vscode.window.showQuickPick(
        [
          { label: 'triplets', description: '(anchor, hardest positive, negative) rows' },
          { label: 'pairs', description: '(anchor, negative, rank) rows' },
        ],
        { title: 'Row form' },
      )
    )?.label as 'pairs' | 'triplets' | undefined);
  return form ? { ...w, form } : undefined;
}

/** Where to write: the save dialog (which confirms overwriting itself) or the given file, confirmed here. */
async function pickFile(s: Session, suggested: string, args: ExportArgs): Promise<string | undefined> {
  if (args.file) {
    const f = path.resolve(args.file);
    if (fs.existsSync(f)) {
      const ok = await vscode.window.showWarningMessage(
        `${path.basename(f)} exists. Replace it?`,
        { modal: true },
        'Replace',
      );
      if (ok !== 'Replace') return undefined;
    }
    return f;
  }
  const dir = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(s.dataset.files.embeddings));
  const uri = await vscode.window.showSaveDialog({
    title: 'Export triplets',
    defaultUri: vscode.Uri.joinPath(dir, suggested),
    filters: { 'NumPy int64 (N x 3)': ['npy'], 'CSV with a header': ['csv'] },
  });
  return uri?.fsPath;
}

/** "Embeddings: Export Triplets…". Resolves to the written file and row count (tests), or undefined. */
export async function exportTripletsCommand(
  inspector: Inspector,
  args: ExportArgs = {},
): Promise<{ file: string; count: number } | undefined> {
  const s = inspector.activeSession;
  if (!s) {
    void vscode.window.showErrorMessage('Export Triplets: open embeddings first (“Inspect Embeddings”).');
    return undefined;
  }
  const kind = args.kind ?? (await pickKind(s));
  if (!kind) return undefined;
  const cap = maxRows(),
    st = s.settings;
  if (kind === 'selection' && s.selection.length === 0) {
    void vscode.window.showErrorMessage(
      'Export Triplets: nothing is selected in the projection (drag a box or lasso first).',
    );
    return undefined;
  }
  // Counted already by the census: refuse before any work or dialog.
  const known = kind === 'hard' || kind === 'semihard' || kind === 'violating' ? s.census?.counts[kind] : undefined;
  if (known !== undefined && known > cap) {
    void vscode.window.showErrorMessage(
      `Export Triplets: ${fmt(known)} ${kind} triplets at margin ${st.margin} is more than the cap of ${fmt(cap)} rows (setting embeddingInspector.export.maxRows). Pick a smaller margin, a selection, or a rank window.`,
    );
    return undefined;
  }
  const win = kind === 'window' ? await pickWindow(args) : undefined;
  if (kind === 'window' && !win) return undefined;
  const stem = kind === 'window' ? `hard_negatives_${win!.from}-${win!.to}` : `${kind}_triplets_m${st.margin}`;
  const file = await pickFile(s, `${stem}.npy`, args);
  if (!file) return undefined;
  try {
    const rows = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Exporting triplets', cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const p = { signal: abort.signal, onProgress: (_f: number, message: string) => progress.report({ message }) };
        const dist = { distance: st.distance, normalize: st.normalize };
        return win
          ? hardNegatives(s.input, { ...dist, from: win.from, to: win.to, form: win.form, cap }, p)
          : exportTriplets(
              s.input,
              {
                ...dist,
                margin: st.margin,
                convention: st.convention,
                category: kind === 'selection' ? 'violating' : (kind as TripletCategory),
                anchors: kind === 'selection' ? s.selection : undefined,
                cap,
              },
              p,
            );
      },
    );
    await write(file, rows, win?.form === 'pairs' ? PAIR_COLUMNS : TRIPLET_COLUMNS);
    void vscode.window
      .showInformationMessage(`Exported ${fmt(rows.count)} rows to ${path.basename(file)}.`, 'Reveal')
      .then((a) => {
        if (a === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file));
      });
    return { file, count: rows.count };
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') return undefined;
    const msg =
      e instanceof ExportTooLargeError
        ? `${e.message} (setting embeddingInspector.export.maxRows)`
        : ((e as Error)?.message ?? String(e));
    void vscode.window.showErrorMessage(`Export Triplets: ${msg}`);
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function write(file: string, rows: IndexRows, columns: string[]): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, exportBytes(file, rows, columns));
  await fs.promises.rename(tmp, file);
}
