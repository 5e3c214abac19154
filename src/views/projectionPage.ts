import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRenderer } from '../settings';
import { webviewHtml } from './webviewHtml';
import { WatchedPanel, type PanelSpec } from './watchedPanel';
import { isMessage } from './messages';
import type { ToProjection } from '../shared/protocol';

export const PROJECTION_VIEW_TYPE = 'embeddingInspector.projection';

/** The projection panel as a spec: its page, and the folders it may load from (the bundle, the styles, the samples). */
export function projectionSpec(extensionUri: vscode.Uri, title: string, sampleRoots: vscode.Uri[]): PanelSpec {
  const spec: PanelSpec = {
    viewType: PROJECTION_VIEW_TYPE,
    title,
    iconPath: vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg'),
    options: { enableScripts: true, localResourceRoots: projectionRoots(extensionUri, sampleRoots) },
    // The title as it is when the page is written (a retitled panel's next page says the new one).
    html: (webview) => webviewHtml(webview, extensionUri, 'projection', spec.title, { renderer: readRenderer() }),
  };
  return spec;
}

export function projectionRoots(extensionUri: vscode.Uri, sampleRoots: vscode.Uri[]): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...sampleRoots];
}

/**
 * Where a dataset's pictures may be shown from: the workspace folders, or without one the folder of the dataset
 * (`file`: its embeddings file, or before it has loaded, what the user chose: a file or a folder).
 */
export function sampleRoots(file: string, isFolder = false): vscode.Uri[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length) return folders.map((f) => vscode.Uri.file(f.uri.fsPath));
  return [vscode.Uri.file(isFolder ? file : path.dirname(file))];
}

/**
 * The projection panel of a dataset the user has just chosen, opened before the dataset has loaded so that the page
 * loads meanwhile (in a fresh code-server here the webview alone took 3-4 s before its page could run). It shows
 * "Loading …" until ProjectionPanel adopts it with the session; closed, the opening is given up. Load failures
 * dispose it.
 */
export class EarlyPage {
  readonly page: WatchedPanel;
  /** The page has said `ready` (and was told what is loading). */
  private saidReady = false;
  private closed = false;
  private readonly subs: vscode.Disposable[];

  constructor(extensionUri: vscode.Uri, target: string, column: vscode.ViewColumn = vscode.ViewColumn.Active) {
    const name = path.basename(target);
    let folder = false;
    try {
      folder = fs.statSync(target).isDirectory();
    } catch {
      // The loader names what is wrong with it.
    }
    this.page = new WatchedPanel(
      projectionSpec(extensionUri, `Embeddings: ${name}`, sampleRoots(target, folder)),
      column,
    );
    this.subs = [
      this.page.onDidReceiveMessage((m) => {
        if (!isMessage(m) || (m as { type: string }).type !== 'ready') return;
        this.saidReady = true;
        this.page.loaded();
        const status: ToProjection = { type: 'status', state: 'loading', message: `Loading ${name}…` };
        void this.page.webview.postMessage(status);
      }),
      this.page.onDidDispose(() => (this.closed = true)),
    ];
  }

  /** The user closed the panel while the dataset loaded. */
  get wasClosed(): boolean {
    return this.closed;
  }

  /** Hands the panel to its projection; whether its page has said `ready`. */
  adopt(): { page: WatchedPanel; ready: boolean } {
    for (const s of this.subs) s.dispose();
    return { page: this.page, ready: this.saidReady };
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.page.dispose();
  }
}
